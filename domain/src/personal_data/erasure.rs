//! The erasure of a data subject's personal information: its key is destroyed, and this
//! aggregate records that it was, once. Its id is the id of the destroyed key, so two servers
//! erasing the same subject at once cannot both record it; the event names no personal data
//! (an enterprise by its public credit code, anyone else only by kind).

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::subject::SubjectKind;
use crate::text::{TextKind, TextRefusal};
use crate::values::CreditCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraseSubject {
    pub kind: SubjectKind,
    /// For an enterprise, its credit code (public register data); None for anyone else.
    pub credit_code: Option<CreditCode>,
    pub basis: ErasureBasis,
    pub today: NaiveDate,
}

/// Why personal information is erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ErasureBasis {
    /// Erased on request (the subject's, or the purpose achieved), with the stated reason.
    Request { reason: String },
    /// Erased by the ledger itself: every case of the subject closed on or before
    /// `closed_by`, and the retention period after it ended.
    Retention {
        #[serde(with = "crate::iso_date")]
        closed_by: NaiveDate,
        retention_days: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErasureEvent {
    PersonalDataErased {
        kind: SubjectKind,
        credit_code: Option<CreditCode>,
        #[serde(flatten)]
        basis: ErasureBasis,
        #[serde(with = "crate::iso_date")]
        erased_on: NaiveDate,
    },
}

impl DomainEvent for ErasureEvent {
    fn event_type(&self) -> String {
        "PersonalDataErased".to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErasureError {
    #[error("this subject's personal information was erased on {0}; an erasure is never repeated")]
    AlreadyErased(NaiveDate),
    #[error("{0}")]
    Reason(TextRefusal),
}

/// One destroyed key: erased or not.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectErasure {
    erased_on: Option<NaiveDate>,
}

impl Aggregate for SubjectErasure {
    const TYPE: &'static str = "SubjectErasure";
    type Command = EraseSubject;
    type Event = ErasureEvent;
    type Error = ErasureError;
    type Services = ();

    async fn handle(
        &mut self,
        command: EraseSubject,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), ErasureError> {
        if let Some(day) = self.erased_on {
            return Err(ErasureError::AlreadyErased(day));
        }
        let basis = match command.basis {
            ErasureBasis::Request { reason } => ErasureBasis::Request {
                reason: TextKind::Reason
                    .admit(&reason)
                    .map_err(ErasureError::Reason)?,
            },
            retention => retention,
        };
        let event = ErasureEvent::PersonalDataErased {
            kind: command.kind,
            credit_code: command.credit_code,
            basis,
            erased_on: command.today,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: ErasureEvent) {
        match event {
            ErasureEvent::PersonalDataErased { erased_on, .. } => self.erased_on = Some(erased_on),
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;

    fn day() -> NaiveDate {
        "2026-12-01".parse().unwrap()
    }

    fn erase(reason: &str) -> EraseSubject {
        EraseSubject {
            kind: SubjectKind::Officer,
            credit_code: None,
            basis: ErasureBasis::Request {
                reason: reason.into(),
            },
            today: day(),
        }
    }

    fn erased() -> ErasureEvent {
        ErasureEvent::PersonalDataErased {
            kind: SubjectKind::Officer,
            credit_code: None,
            basis: ErasureBasis::Request {
                reason: "left the bureau".into(),
            },
            erased_on: day(),
        }
    }

    #[tokio::test]
    async fn an_erasure_is_recorded_with_its_reason() {
        TestFramework::<SubjectErasure>::with(())
            .given_no_previous_events()
            .when_async(erase("left the bureau"))
            .await
            .then_expect_events(vec![erased()]);
    }

    #[tokio::test]
    async fn an_erased_subject_is_never_erased_again() {
        TestFramework::<SubjectErasure>::with(())
            .given(vec![erased()])
            .when_async(erase("again"))
            .await
            .then_expect_error(ErasureError::AlreadyErased(day()));
    }

    #[tokio::test]
    async fn an_erasure_needs_a_reason() {
        let outcome = TestFramework::<SubjectErasure>::with(())
            .given_no_previous_events()
            .when_async(erase(""))
            .await;
        assert!(matches!(
            outcome.inspect_result(),
            Err(ErasureError::Reason(_))
        ));
    }
}

//! Erasing a data subject's personal information: the erasure is recorded (once, whichever
//! server gets there first), then the subject's key is destroyed, after which everything
//! sealed under it reads as erased. Retention erases enterprises' personal information by
//! itself, a set number of days after their last case finished.

use std::collections::HashMap;

use chrono::Duration;
use cqrs_es::AggregateError;
use domain::personal_data::{DataSubject, EraseSubject, ErasureBasis, ErasureError};
use domain::Actor;
use projections::personal::retention;

use super::clock::log_timestamp;
use super::{Ledger, LedgerError};

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The destroyed key, and the erasure's aggregate id in the log.
    pub key_id: String,
    /// Whether this call recorded the erasure (false: another server or an earlier try had).
    pub recorded: bool,
}

impl Ledger {
    /// Erases `subject`'s personal information on `actor`'s request, for `reason`: auditors
    /// only.
    pub async fn erase_on_request(
        &self,
        actor: &Actor,
        subject: &DataSubject,
        reason: String,
    ) -> Result<Erased, LedgerError> {
        if !matches!(actor, Actor::Auditor { .. }) {
            return Err(LedgerError::not_permitted(
                "auditors-only",
                "personal data is erased on an auditor's order",
            ));
        }
        self.erase(subject, ErasureBasis::Request { reason }, Some(actor))
            .await
    }

    /// Erases `subject`'s personal information for `basis`, as `by` (None: the ledger
    /// itself, for retention).
    pub async fn erase(
        &self,
        subject: &DataSubject,
        basis: ErasureBasis,
        by: Option<&Actor>,
    ) -> Result<Erased, LedgerError> {
        let key_id = self
            .personal_keys()
            .live_key_id(subject)
            .await?
            .ok_or_else(|| LedgerError::NoSuchSubject(subject.to_string()))?;
        let now = self.clock().now();
        let command = EraseSubject {
            kind: subject.kind(),
            credit_code: subject.credit_code().cloned(),
            basis,
            today: now.with_timezone(&self.time_zone()).date_naive(),
        };
        let (role, name) = by.map_or(("system", "retention"), |a| (a.role(), a.subject()));
        let metadata = HashMap::from([
            ("actor_subject".to_owned(), name.to_owned()),
            ("actor_role".to_owned(), role.to_owned()),
            ("command".to_owned(), "erase_personal_data".to_owned()),
            ("request_id".to_owned(), format!("erase-{key_id}")),
            ("requested_at".to_owned(), log_timestamp(now)),
        ]);
        let sender = by.and_then(DataSubject::of_actor);
        let recorded = self
            .erasures()
            .execute(&key_id, command, metadata, sender.as_ref())
            .await;
        let recorded = match recorded {
            Ok(receipt) => receipt.is_some(),
            // Recorded by another server meanwhile: carried out below all the same.
            Err(AggregateError::AggregateConflict)
            | Err(AggregateError::UserError(ErasureError::AlreadyErased(_))) => false,
            Err(AggregateError::UserError(refusal)) => {
                return Err(LedgerError::ErasureRefused(refusal))
            }
            Err(other) => return Err(LedgerError::EventStore(Box::new(other))),
        };
        self.personal_keys()
            .destroy(&key_id, &log_timestamp(self.clock().now()))
            .await?;
        Ok(Erased { key_id, recorded })
    }

    /// Carries out what is due: the erasures recorded but not carried out, then those the
    /// retention period calls for (`retention_days` after an enterprise's last case
    /// finished; None: none). Returns how many erasures this call recorded.
    pub async fn erase_what_is_due(
        &self,
        retention_days: Option<u32>,
    ) -> Result<usize, LedgerError> {
        let at = log_timestamp(self.clock().now());
        for key_id in retention::erased_but_live(self.db())
            .await
            .map_err(projections::case_queries::QueryError::from)?
        {
            self.personal_keys().destroy(&key_id, &at).await?;
        }
        self.personal_keys().forget_destroyed_keys().await?;
        let Some(days) = retention_days else {
            return Ok(0);
        };
        let closed_by = self.clock().now() - Duration::days(i64::from(days));
        let due = retention::past_retention(self.db(), &log_timestamp(closed_by))
            .await
            .map_err(projections::case_queries::QueryError::from)?;
        let mut erased = 0;
        for (_, credit_code) in due {
            let basis = ErasureBasis::Retention {
                closed_by: closed_by.with_timezone(&self.time_zone()).date_naive(),
                retention_days: days,
            };
            match self
                .erase(&DataSubject::Enterprise(credit_code), basis, None)
                .await
            {
                Ok(done) if done.recorded => erased += 1,
                // Recorded by another server meanwhile; the key is destroyed all the same.
                Ok(_) => {}
                // Erased by another server since the query: nothing left to do.
                Err(LedgerError::NoSuchSubject(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(erased)
    }
}

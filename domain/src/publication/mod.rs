//! The daily publication: once a day (in the publication time zone) has ended, its public
//! notices are published, once. Each day is its own aggregate (id `day-YYYY-MM-DD`), so two
//! publishers racing for the same day cannot both succeed.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// The aggregate id of a day's publication.
pub fn publication_id(day: NaiveDate) -> String {
    format!("day-{day}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishDay {
    pub day: NaiveDate,
    /// Ids of the notices published, in position order.
    pub notices: Vec<String>,
    /// SHA-256 (hex) of the day's listing, as defined by the listings projection.
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublicationEvent {
    DayPublished {
        day: NaiveDate,
        notices: Vec<String>,
        count: u32,
        digest: String,
    },
}

impl DomainEvent for PublicationEvent {
    fn event_type(&self) -> String {
        "DayPublished".to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicationError {
    #[error("{0} has already been published; a published day never changes")]
    AlreadyPublished(NaiveDate),
    #[error("the listing digest must be 64 hex digits")]
    BadDigest,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyPublication {
    published: Option<NaiveDate>,
}

impl Aggregate for DailyPublication {
    const TYPE: &'static str = "DailyPublication";
    type Command = PublishDay;
    type Event = PublicationEvent;
    type Error = PublicationError;
    type Services = ();

    async fn handle(
        &mut self,
        command: PublishDay,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), PublicationError> {
        if let Some(day) = self.published {
            return Err(PublicationError::AlreadyPublished(day));
        }
        if command.digest.len() != 64 || !command.digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PublicationError::BadDigest);
        }
        let event = PublicationEvent::DayPublished {
            day: command.day,
            count: command.notices.len() as u32,
            notices: command.notices,
            digest: command.digest,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: PublicationEvent) {
        match event {
            PublicationEvent::DayPublished { day, .. } => self.published = Some(day),
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;

    fn day() -> NaiveDate {
        "2026-11-02".parse().unwrap()
    }

    fn publish() -> PublishDay {
        PublishDay {
            day: day(),
            notices: vec!["n1".into(), "n2".into()],
            digest: "ab".repeat(32),
        }
    }

    fn published() -> PublicationEvent {
        PublicationEvent::DayPublished {
            day: day(),
            notices: vec!["n1".into(), "n2".into()],
            count: 2,
            digest: "ab".repeat(32),
        }
    }

    #[tokio::test]
    async fn a_day_is_published_with_its_notices_and_count() {
        TestFramework::<DailyPublication>::with(())
            .given_no_previous_events()
            .when_async(publish())
            .await
            .then_expect_events(vec![published()]);
    }

    #[tokio::test]
    async fn a_published_day_is_never_published_again() {
        TestFramework::<DailyPublication>::with(())
            .given(vec![published()])
            .when_async(publish())
            .await
            .then_expect_error(PublicationError::AlreadyPublished(day()));
    }

    #[tokio::test]
    async fn a_malformed_digest_is_refused() {
        let mut command = publish();
        command.digest = "xyz".into();
        TestFramework::<DailyPublication>::with(())
            .given_no_previous_events()
            .when_async(command)
            .await
            .then_expect_error(PublicationError::BadDigest);
    }
}

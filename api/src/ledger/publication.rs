//! Daily publication: a day in the publication time zone is published once it has ended (the
//! clock has passed its end, or the log holds an event recorded at or after it), exactly once,
//! in order, including days missed while no server ran. The publication is an event in the log.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use cqrs_es::AggregateError;
use domain::publication::{publication_id, PublicationError, PublishDay};
use projections::listing_queries::{self, listing_digest};
use projections::notices::day_of;

use crate::ledger::clock::log_timestamp;
use crate::ledger::{Ledger, LedgerError};

impl Ledger {
    /// Publishes every ended day not yet published; returns the days this call published
    /// (a day another process published first is skipped, not repeated).
    pub async fn publish_due_days(&self) -> Result<Vec<NaiveDate>, LedgerError> {
        self.catch_up().await?;
        let db = self.db();
        let Some((first, last)) = listing_queries::log_time_span(db).await? else {
            return Ok(Vec::new());
        };
        let tz = self.time_zone();
        let (Some(first_day), Some(last_event_day)) = (day_of(&first, tz), day_of(&last, tz))
        else {
            return Err(LedgerError::Inconsistent(
                "the log holds a recorded_at that is not a time",
            ));
        };
        let Some(latest_ended) = self
            .today()
            .max(last_event_day)
            .checked_sub_days(Days::new(1))
        else {
            return Ok(Vec::new());
        };
        let mut day = match listing_queries::published_days(db, 1).await?.first() {
            Some(last_published) => {
                // In case the process that published it stopped before checkpointing it.
                self.checkpoint_publication(last_published.day).await?;
                last_published.day + Days::new(1)
            }
            None => first_day,
        };
        let mut published = Vec::new();
        while day <= latest_ended {
            // Notices of this day, and any of an earlier day that committed after that day's
            // listing was drawn up: they are never lost, only listed a day late.
            let notices = listing_queries::unpublished_notices_until(db, day).await?;
            let command = PublishDay {
                day,
                notices: notices.iter().map(|n| n.id.clone()).collect(),
                digest: listing_digest(&notices),
            };
            let now = log_timestamp(self.clock().now());
            let metadata = HashMap::from([
                ("actor_subject".to_owned(), "publisher".to_owned()),
                ("actor_role".to_owned(), "system".to_owned()),
                ("command".to_owned(), "publish_day".to_owned()),
                ("request_id".to_owned(), format!("publish-{day}")),
                ("requested_at".to_owned(), now),
            ]);
            match self
                .publications()
                .execute(&publication_id(day), command, metadata, None)
                .await
            {
                Ok(_) => {
                    tracing::info!(%day, count = notices.len(), "published");
                    published.push(day);
                }
                Err(AggregateError::AggregateConflict)
                | Err(AggregateError::UserError(PublicationError::AlreadyPublished(_))) => {
                    tracing::debug!(%day, "already published by another process");
                }
                Err(other) => return Err(LedgerError::EventStore(Box::new(other))),
            }
            self.catch_up().await?;
            self.publication_projected();
            self.checkpoint_publication(day).await?;
            day = day + Days::new(1);
        }
        Ok(published)
    }

    /// Every publication is checkpointed at its own position, so that the day's listing can
    /// name its checkpoint before it exists, and never change.
    async fn checkpoint_publication(&self, day: NaiveDate) -> Result<(), LedgerError> {
        if let Some(publication) = listing_queries::published_day(self.db(), day).await? {
            self.checkpoint_at(publication.position).await?;
        }
        Ok(())
    }
}

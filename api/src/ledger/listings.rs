//! The public listings as published: the days, each day's notices, one permit's notices.
//! Read by the feeds; nothing here is private.

use chrono::NaiveDate;
use projections::listing_queries::{self, PublishedDay};
use projections::PublicNotice;

use super::{Ledger, LedgerError};

impl Ledger {
    /// The latest `limit` published days, newest first.
    pub async fn published_days(&self, limit: i64) -> Result<Vec<PublishedDay>, LedgerError> {
        Ok(listing_queries::published_days(&self.db, limit).await?)
    }

    /// The publication of `day`, if it is published.
    pub async fn published_day(&self, day: NaiveDate) -> Result<Option<PublishedDay>, LedgerError> {
        Ok(listing_queries::published_day(&self.db, day).await?)
    }

    /// The first day ever published.
    pub async fn first_published_day(&self) -> Result<Option<NaiveDate>, LedgerError> {
        Ok(listing_queries::first_published_day(&self.db).await?)
    }

    /// The notices the publication of `day` listed.
    pub async fn notices_published_on(
        &self,
        day: NaiveDate,
    ) -> Result<Vec<PublicNotice>, LedgerError> {
        Ok(listing_queries::notices_published_on(&self.db, day).await?)
    }

    /// Every published notice about the permit `number`, in order.
    pub async fn notices_for_permit(&self, number: &str) -> Result<Vec<PublicNotice>, LedgerError> {
        Ok(listing_queries::notices_for_permit(&self.db, number).await?)
    }

    /// The log position of the latest publication (0 before the first).
    pub async fn latest_publication_position(&self) -> Result<i64, LedgerError> {
        Ok(listing_queries::latest_publication_position(&self.db).await?)
    }
}

//! RFC 5005 archive links of a day's listing. Every day after the first is published (empty
//! days too), so a day's neighbours are the calendar days beside it and the links never change
//! once the listing is published.

use chrono::{Days, NaiveDate};

use crate::site::Site;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLinks {
    pub this: String,
    pub current: String,
    pub prev_archive: Option<String>,
    pub next_archive: String,
}

impl ArchiveLinks {
    /// Links of `day`'s listing in format `extension` (`rss` or `json`); the chain starts at
    /// `first_day`, and `current` is the subscription feed of that format.
    pub fn of(site: &Site, day: NaiveDate, first_day: NaiveDate, extension: &str) -> Self {
        Self {
            this: site.listing_url(day, extension),
            current: site.url(&format!("/feeds/permits.{extension}")),
            prev_archive: (day > first_day)
                .then(|| day.checked_sub_days(Days::new(1)))
                .flatten()
                .map(|d| site.listing_url(d, extension)),
            next_archive: site.listing_url(day + Days::new(1), extension),
        }
    }
}

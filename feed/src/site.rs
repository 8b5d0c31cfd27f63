//! Where the public finds things: absolute URLs built from the configured base URL.

use chrono::NaiveDate;

/// The public face of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Base URL without a trailing slash, e.g. `https://permits.example.gov.cn`.
    pub base_url: String,
    /// The publishing authority, shown as feed title.
    pub publisher: String,
}

impl Site {
    pub fn new(base_url: &str, publisher: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            publisher: publisher.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn listing_url(&self, day: NaiveDate, extension: &str) -> String {
        self.url(&format!("/listings/{day}.{extension}"))
    }

    /// The signed checkpoint of the log's first `size` events.
    pub fn checkpoint_url(&self, size: i64) -> String {
        self.url(&format!("/transparency/checkpoint/{size}"))
    }

    pub fn permit_url(&self, permit_number: &str) -> String {
        self.url(&format!("/permits/{permit_number}"))
    }
}

//! What the demo loaded, for its report and its test.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// What the demo loaded.
pub struct DemoReport {
    pub cases: usize,
    pub events: i64,
    pub published_days: usize,
    pub days: u32,
    pub last_day: NaiveDate,
    /// The store, its password redacted.
    pub store: String,
    pub cases_by_status: BTreeMap<&'static str, usize>,
    /// Enterprises whose personal information the demo's short retention period erased.
    pub erased_enterprises: usize,
    /// Clock suspensions made (and of those resumed, how many stood still over a public
    /// holiday), and extensions.
    pub suspensions: usize,
    pub suspensions_over_holidays: usize,
    pub extensions: usize,
    /// Cases filed on a draft after online guidance.
    pub guided: usize,
    /// Permits amended by declaration, renewed, cancelled and expired.
    pub amendments: usize,
    pub renewals: usize,
    pub cancellations: usize,
    pub expiries: usize,
    /// Checks after issuance, and the false commitments they found.
    pub checks: usize,
    pub false_commitments: usize,
    /// Enterprises on the blacklist at the end, filings by a listed one, listings removed.
    pub blacklisted: usize,
    pub listed_filings: usize,
    pub blacklist_removals: usize,
    /// Inspection plans made, drawn, and results recorded.
    pub inspection_plans: usize,
    pub inspection_plans_drawn: usize,
    pub inspection_results: usize,
}

//! The counters kept per business day, bureau and item: one column each in
//! `supervision_daily`, summed over any range by the efficiency query.

use std::ops::AddAssign;

/// The counters, in column order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub filed: i64,
    /// Filed with the city bureau where the applicant is registered.
    pub filed_home_city: i64,
    /// Handled by the provincial bureau directly.
    pub filed_province: i64,
    pub accepted: i64,
    /// Issued or denied after acceptance.
    pub decided: i64,
    pub issued: i64,
    pub denied: i64,
    pub within_committed: i64,
    pub within_statutory: i64,
    /// Working days the decided cases used (suspensions excluded).
    pub used_working_days: i64,
    /// Their statutory and committed limits as at acceptance (before any extension).
    pub statutory_limit_days: i64,
    pub committed_limit_days: i64,
    /// Working days the decided cases spent at each post before the decision.
    pub acceptor_days: i64,
    pub reviewer_days: i64,
    pub approver_days: i64,
    pub dispatched: i64,
    /// Working days from issuance to dispatch, of the certificates dispatched.
    pub dispatcher_days: i64,
    /// Dispatched within the limit after the decision (art. 44).
    pub dispatched_in_time: i64,
    pub suspensions: i64,
    pub suspended_working_days: i64,
    pub extensions: i64,
}

/// Every column of `supervision_daily`: its key (day, bureau, item), then the counters.
pub const TABLE_COLUMNS: [&str; 24] = [
    "day",
    "bureau",
    "item_code",
    "filed",
    "filed_home_city",
    "filed_province",
    "accepted",
    "decided",
    "issued",
    "denied",
    "within_committed",
    "within_statutory",
    "used_working_days",
    "statutory_limit_days",
    "committed_limit_days",
    "acceptor_days",
    "reviewer_days",
    "approver_days",
    "dispatched",
    "dispatcher_days",
    "dispatched_in_time",
    "suspensions",
    "suspended_working_days",
    "extensions",
];

/// The counter columns, in the order of [`DayFigures::values`].
pub const COLUMNS: &[&str] = TABLE_COLUMNS.split_at(3).1;

impl DayFigures {
    pub fn values(&self) -> [i64; 21] {
        [
            self.filed,
            self.filed_home_city,
            self.filed_province,
            self.accepted,
            self.decided,
            self.issued,
            self.denied,
            self.within_committed,
            self.within_statutory,
            self.used_working_days,
            self.statutory_limit_days,
            self.committed_limit_days,
            self.acceptor_days,
            self.reviewer_days,
            self.approver_days,
            self.dispatched,
            self.dispatcher_days,
            self.dispatched_in_time,
            self.suspensions,
            self.suspended_working_days,
            self.extensions,
        ]
    }

    pub fn from_values(v: [i64; 21]) -> Self {
        Self {
            filed: v[0],
            filed_home_city: v[1],
            filed_province: v[2],
            accepted: v[3],
            decided: v[4],
            issued: v[5],
            denied: v[6],
            within_committed: v[7],
            within_statutory: v[8],
            used_working_days: v[9],
            statutory_limit_days: v[10],
            committed_limit_days: v[11],
            acceptor_days: v[12],
            reviewer_days: v[13],
            approver_days: v[14],
            dispatched: v[15],
            dispatcher_days: v[16],
            dispatched_in_time: v[17],
            suspensions: v[18],
            suspended_working_days: v[19],
            extensions: v[20],
        }
    }
}

impl AddAssign for DayFigures {
    fn add_assign(&mut self, other: DayFigures) {
        let mut sum = self.values();
        for (total, add) in sum.iter_mut().zip(other.values()) {
            *total += add;
        }
        *self = DayFigures::from_values(sum);
    }
}

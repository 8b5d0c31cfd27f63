//! Expiry: the day after a permit's last day of validity, the ledger records that it expired
//! (or, where a renewal was requested and not decided in time, that the law renewed it) as a
//! command of its own, sent by no one but its clock (actor `system`). Several servers on one
//! database may send it for the same permit at once: the case's version lets one append, and
//! the others find the permit expired already. Each permit ends once.

use domain::{Actor, CaseAction, CaseError};
use projections::case_queries;

use super::commands::Submission;
use super::{Ledger, LedgerError};

/// The most permits one pass expires; the next pass takes the rest.
const PERMITS_PER_PASS: i64 = 500;

impl Ledger {
    /// Records the end of validity of every permit in force whose last day is before the
    /// ledger's business date; returns how many this call recorded.
    pub async fn expire_due_permits(&self) -> Result<usize, LedgerError> {
        let today = self.today();
        let due = case_queries::in_force_until_before(self.db(), today, PERMITS_PER_PASS).await?;
        let mut recorded = 0;
        for case_id in due {
            let trace = format!("expire-{case_id}-{today}");
            let submission = Submission {
                case_id,
                actor: Actor::System,
                action: CaseAction::ExpirePermit {},
                expected_version: None,
                trace: trace.into(),
            };
            match self.submit(submission).await {
                Ok(_) => recorded += 1,
                // Another server recorded it first, or is recording it now.
                Err(LedgerError::Conflict)
                | Err(LedgerError::Refused(
                    CaseError::WrongState { .. } | CaseError::PermitStillValid(_),
                )) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(recorded)
    }
}

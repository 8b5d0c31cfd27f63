//! `permit-ledger erase`: erases one data subject's personal information, as ordered by an
//! auditor, for a stated reason.

use domain::personal_data::DataSubject;
use domain::Actor;

use crate::ledger::{Erased, Ledger};

pub async fn erase(
    ledger: &Ledger,
    subject: &DataSubject,
    reason: String,
    by: String,
) -> anyhow::Result<Erased> {
    let auditor = Actor::Auditor { subject: by };
    Ok(ledger.erase_on_request(&auditor, subject, reason).await?)
}

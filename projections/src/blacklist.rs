//! The public list of seriously untrustworthy entities (严重失信主体名单), folded from the
//! enterprises' credit records on read. Their events are few and public by nature (enterprise
//! name, credit code, permit, reason, legal basis, bureau, dates: no personal data), so the
//! list is read straight from the log, where nothing can drift from what was decided.

use chrono::NaiveDate;
use domain::catalogue::Catalogue;
use domain::credit_record::{credit_record_id, listing_in_force, CreditEvent};
use domain::values::{BureauCode, CaseId, CreditCode, PermitNumber};
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::log::{self, LogError, LoggedEvent};

/// The aggregate type of the credit records in the log.
const CREDIT_RECORD: &str = "CreditRecord";

/// One listing: who, for which revoked permit, why, on what legal basis, by which bureau,
/// for how long, and its removal if credit repair ended it early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BlacklistEntry {
    #[schema(value_type = String)]
    pub credit_code: CreditCode,
    pub enterprise_name: String,
    /// The permit revoked for the false commitment.
    #[schema(value_type = String)]
    pub permit_number: PermitNumber,
    /// The bureau that found the false commitment.
    #[schema(value_type = String)]
    pub bureau: BureauCode,
    pub bureau_name: String,
    pub reason: String,
    pub basis: String,
    #[serde(with = "domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub listed_on: NaiveDate,
    /// The last day on the list, unless removed before.
    #[serde(with = "domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub listed_until: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal: Option<Removal>,
    /// The log position of the listing.
    pub position: i64,
    pub recorded_at: String,
}

/// A listing ended before its term by credit repair, decided by the provincial bureau.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Removal {
    pub reason: String,
    #[serde(with = "domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub removed_on: NaiveDate,
    pub position: i64,
    pub recorded_at: String,
}

impl BlacklistEntry {
    /// Whether the enterprise is on the list for this entry on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.listed_on <= day && listing_in_force(self.listed_until, self.removal.is_some(), day)
    }
}

/// What changed on the list, for its feed: a listing, or a removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Listed,
    Removed,
}

/// One change of the list: its kind, where and when the log recorded it, and the entry as it
/// stands now.
#[derive(Debug, Clone, Copy)]
pub struct BlacklistChange<'a> {
    pub kind: ChangeKind,
    pub position: i64,
    pub recorded_at: &'a str,
    pub entry: &'a BlacklistEntry,
}

/// Every listing the credit records hold, oldest first, each with the case it was for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blacklist {
    entries: Vec<BlacklistEntry>,
    cases: Vec<CaseId>,
}

impl Blacklist {
    /// The list the credit records' `events` make, in position order.
    pub fn fold(events: &[LoggedEvent], catalogue: &Catalogue) -> Result<Self, LogError> {
        let mut entries: Vec<BlacklistEntry> = Vec::new();
        let mut cases: Vec<CaseId> = Vec::new();
        for event in events.iter().filter(|e| e.aggregate_type == CREDIT_RECORD) {
            match event.decode::<CreditEvent>()? {
                CreditEvent::EnterpriseListed {
                    credit_code,
                    enterprise_name,
                    case_id,
                    permit_number,
                    bureau,
                    reason,
                    basis,
                    listed_on,
                    listed_until,
                } => {
                    cases.push(case_id);
                    entries.push(BlacklistEntry {
                        credit_code,
                        enterprise_name,
                        permit_number,
                        bureau_name: catalogue
                            .bureau_name(&bureau)
                            .unwrap_or_default()
                            .to_owned(),
                        bureau,
                        reason,
                        basis,
                        listed_on,
                        listed_until,
                        removal: None,
                        position: event.position,
                        recorded_at: event.recorded_at.clone(),
                    })
                }
                CreditEvent::RemovedFromBlacklist {
                    case_id,
                    reason,
                    removed_on,
                } => {
                    // The listing of that case (the public entry names its permit instead).
                    let removed = entries
                        .iter_mut()
                        .zip(&cases)
                        .find(|(_, case)| **case == case_id);
                    if let Some((entry, _)) = removed {
                        entry.removal = Some(Removal {
                            reason,
                            removed_on,
                            position: event.position,
                            recorded_at: event.recorded_at.clone(),
                        });
                    }
                }
            }
        }
        Ok(Self { entries, cases })
    }

    /// The entries in force on `day`, newest listing first.
    pub fn in_force_on(&self, day: NaiveDate) -> Vec<&BlacklistEntry> {
        self.entries
            .iter()
            .rev()
            .filter(|entry| entry.in_force_on(day))
            .collect()
    }

    /// The enterprise's listing in force on `day`, if it is listed.
    pub fn listing_of(&self, credit_code: &CreditCode, day: NaiveDate) -> Option<&BlacklistEntry> {
        self.entries
            .iter()
            .rev()
            .find(|entry| &entry.credit_code == credit_code && entry.in_force_on(day))
    }

    /// Every listing and removal, newest first.
    pub fn changes(&self) -> Vec<BlacklistChange<'_>> {
        let mut changes: Vec<BlacklistChange<'_>> = self
            .entries
            .iter()
            .flat_map(|entry| {
                let listed = BlacklistChange {
                    kind: ChangeKind::Listed,
                    position: entry.position,
                    recorded_at: &entry.recorded_at,
                    entry,
                };
                let removed = entry.removal.as_ref().map(|removal| BlacklistChange {
                    kind: ChangeKind::Removed,
                    position: removal.position,
                    recorded_at: &removal.recorded_at,
                    entry,
                });
                std::iter::once(listed).chain(removed)
            })
            .collect();
        changes.sort_by_key(|change| std::cmp::Reverse(change.position));
        changes
    }
}

/// The whole list, as the log holds it now.
pub async fn read(db: &Db, catalogue: &Catalogue) -> Result<Blacklist, LogError> {
    Blacklist::fold(
        &log::read_aggregate_type(db, CREDIT_RECORD).await?,
        catalogue,
    )
}

/// The listings of these enterprises, as the log holds them now.
pub async fn of_enterprises<'a>(
    db: &Db,
    catalogue: &Catalogue,
    credit_codes: impl IntoIterator<Item = &'a CreditCode>,
) -> Result<Blacklist, LogError> {
    let mut ids: Vec<String> = credit_codes.into_iter().map(credit_record_id).collect();
    ids.sort();
    ids.dedup();
    Blacklist::fold(
        &log::read_aggregates(db, CREDIT_RECORD, &ids).await?,
        catalogue,
    )
}

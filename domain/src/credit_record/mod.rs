//! An enterprise's credit record (严重失信主体名单): its listings on the list of seriously
//! untrustworthy entities, each for a false commitment found on one case, for a term (three
//! years by default, data), and their removal by credit repair, decided by an approver of the
//! provincial bureau. One aggregate per enterprise (id `credit-<credit code>`), so that its
//! listings and removals are decided on everything it holds. Pure, like every aggregate.

use chrono::{Months, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, Post};
use crate::permit_case::RefusalKind;
use crate::text::{TextKind, TextRefusal};
use crate::values::{BureauCode, BureauLevel, CaseId, CreditCode, PermitNumber};

pub use false_commitment::listing_called_for;

/// The credit rules shipped with the project (`domain/data/credit.json`).
pub const BUNDLED_CREDIT_RULES: &str = include_str!("../../data/credit.json");

/// How long a listing lasts unless removed early, and the legal basis a listing for a false
/// commitment cites.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditRules {
    pub listing_years: u32,
    pub false_commitment_basis: String,
}

impl CreditRules {
    pub fn bundled() -> Self {
        serde_json::from_str(BUNDLED_CREDIT_RULES).expect("the bundled credit rules are valid")
    }
}

/// Whether a listing lasting until `listed_until`, `removed` or not, keeps its enterprise on
/// the list on `day` (a listing whose term has ended is off it without any event).
pub fn listing_in_force(listed_until: NaiveDate, removed: bool, day: NaiveDate) -> bool {
    !removed && day <= listed_until
}

/// The aggregate id of an enterprise's credit record.
pub fn credit_record_id(credit_code: &CreditCode) -> String {
    format!("credit-{credit_code}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCommand {
    pub actor: Actor,
    pub today: NaiveDate,
    pub action: CreditAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditAction {
    /// Lists the enterprise for the false commitment found on `case_id` by `bureau`.
    List {
        credit_code: CreditCode,
        enterprise_name: String,
        case_id: CaseId,
        /// The permit revoked for the false commitment.
        permit_number: PermitNumber,
        bureau: BureauCode,
        reason: String,
        basis: String,
    },
    /// Removes the current listing (credit repair).
    Remove { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreditEvent {
    EnterpriseListed {
        credit_code: CreditCode,
        enterprise_name: String,
        case_id: CaseId,
        permit_number: PermitNumber,
        bureau: BureauCode,
        reason: String,
        basis: String,
        #[serde(with = "crate::iso_date")]
        listed_on: NaiveDate,
        #[serde(with = "crate::iso_date")]
        listed_until: NaiveDate,
    },
    /// The current listing ends before its term, by credit repair (a listing whose term has
    /// ended is off the list without an event).
    RemovedFromBlacklist {
        /// The case of the listing removed.
        case_id: CaseId,
        reason: String,
        #[serde(with = "crate::iso_date")]
        removed_on: NaiveDate,
    },
}

impl DomainEvent for CreditEvent {
    fn event_type(&self) -> String {
        match self {
            CreditEvent::EnterpriseListed { .. } => "EnterpriseListed",
            CreditEvent::RemovedFromBlacklist { .. } => "RemovedFromBlacklist",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    #[error("the enterprise is listed for the false commitment of case {0} already")]
    AlreadyListedForCase(CaseId),
    #[error("only an officer of a bureau lists an enterprise")]
    OfficersOnly,
    #[error("only an approver of the provincial bureau removes an enterprise from the list")]
    ProvincialApproverOnly,
    #[error("the enterprise is not on the list")]
    NotListed,
    #[error("{field} must not be empty")]
    Required { field: &'static str },
    #[error("{field} {refusal}")]
    InvalidText {
        field: &'static str,
        refusal: TextRefusal,
    },
}

impl CreditError {
    /// How the refusal reaches the sender.
    pub fn kind(&self) -> RefusalKind {
        match self {
            CreditError::AlreadyListedForCase(_) => RefusalKind::Conflict,
            CreditError::OfficersOnly | CreditError::ProvincialApproverOnly => {
                RefusalKind::Forbidden
            }
            CreditError::NotListed | CreditError::Required { .. } => RefusalKind::Rule,
            CreditError::InvalidText { .. } => RefusalKind::Malformed,
        }
    }

    /// A stable, kebab-case name of the rule, for problem+json `type` and for clients.
    pub fn rule(&self) -> &'static str {
        match self {
            CreditError::AlreadyListedForCase(_) => "already-listed-for-case",
            CreditError::OfficersOnly => "officer-only",
            CreditError::ProvincialApproverOnly => "provincial-approver-only",
            CreditError::NotListed => "not-listed",
            CreditError::Required { .. } => "required-field",
            CreditError::InvalidText { refusal, .. } => refusal.rule(),
        }
    }
}

/// One listing as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Listing {
    case_id: CaseId,
    #[serde(with = "crate::iso_date")]
    listed_until: NaiveDate,
    #[serde(default, with = "crate::iso_date::option")]
    removed_on: Option<NaiveDate>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    listings: Vec<Listing>,
}

impl CreditRecord {
    /// Whether the enterprise is on the list on `day`: a listing not removed, whose term has
    /// not ended.
    pub fn is_listed_on(&self, day: NaiveDate) -> bool {
        self.current(day).is_some()
    }

    fn current(&self, day: NaiveDate) -> Option<&Listing> {
        self.listings
            .iter()
            .rev()
            .find(|l| listing_in_force(l.listed_until, l.removed_on.is_some(), day))
    }

    pub fn decide(
        &self,
        command: CreditCommand,
        rules: &CreditRules,
    ) -> Result<CreditEvent, CreditError> {
        let CreditCommand {
            actor,
            today,
            action,
        } = command;
        let text = |kind: TextKind, value: &str, field| {
            kind.admit(value).map_err(|refusal| match refusal {
                TextRefusal::Empty => CreditError::Required { field },
                refusal => CreditError::InvalidText { field, refusal },
            })
        };
        match action {
            CreditAction::List {
                credit_code,
                enterprise_name,
                case_id,
                permit_number,
                bureau,
                reason,
                basis,
            } => {
                if !matches!(actor, Actor::Officer { .. }) {
                    return Err(CreditError::OfficersOnly);
                }
                if self.listings.iter().any(|l| l.case_id == case_id) {
                    return Err(CreditError::AlreadyListedForCase(case_id));
                }
                let listed_until = today
                    .checked_add_months(Months::new(12 * rules.listing_years))
                    .and_then(|d| d.pred_opt())
                    .expect("a listing ends within chrono's range");
                Ok(CreditEvent::EnterpriseListed {
                    credit_code,
                    enterprise_name,
                    case_id,
                    permit_number,
                    bureau,
                    reason: text(TextKind::Reason, &reason, "reason")?,
                    basis: text(TextKind::Reason, &basis, "basis")?,
                    listed_on: today,
                    listed_until,
                })
            }
            CreditAction::Remove { reason } => {
                let provincial_approver = matches!(
                    &actor,
                    Actor::Officer { bureau, post: Post::Approver, .. }
                        if bureau.level() == BureauLevel::Province
                );
                if !provincial_approver {
                    return Err(CreditError::ProvincialApproverOnly);
                }
                let Some(listing) = self.current(today) else {
                    return Err(CreditError::NotListed);
                };
                Ok(CreditEvent::RemovedFromBlacklist {
                    case_id: listing.case_id.clone(),
                    reason: text(TextKind::Reason, &reason, "reason")?,
                    removed_on: today,
                })
            }
        }
    }
}

impl Aggregate for CreditRecord {
    const TYPE: &'static str = "CreditRecord";
    type Command = CreditCommand;
    type Event = CreditEvent;
    type Error = CreditError;
    type Services = CreditRules;

    async fn handle(
        &mut self,
        command: CreditCommand,
        rules: &CreditRules,
        sink: &EventSink<Self>,
    ) -> Result<(), CreditError> {
        let event = self.decide(command, rules)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: CreditEvent) {
        match event {
            CreditEvent::EnterpriseListed {
                case_id,
                listed_until,
                ..
            } => self.listings.push(Listing {
                case_id,
                listed_until,
                removed_on: None,
            }),
            CreditEvent::RemovedFromBlacklist {
                case_id,
                removed_on,
                ..
            } => {
                if let Some(listing) = self.listings.iter_mut().find(|l| l.case_id == case_id) {
                    listing.removed_on = Some(removed_on);
                }
            }
        }
    }
}

mod false_commitment;
#[cfg(test)]
mod tests;

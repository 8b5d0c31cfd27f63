//! What became of a case's permit after issuance, as the case view shows it: the declared
//! changes (pending and approved), the renewal under way and those granted, the cancellation
//! or the expiry. Pure, like the rest of the view.

use chrono::NaiveDate;
use domain::calendar::Deadline;
use domain::permit_case::{AmendableField, CancellationGround, CheckResult};
use domain::{CaseEvent, CaseStatus};
use serde::{Deserialize, Serialize};

use crate::case_view::CaseView;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PermitLife {
    /// A declared change awaiting the approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_amendment: Option<PendingAmendment>,
    /// The approved changes, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<Amendment>,
    /// A renewal requested and not yet decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_renewal: Option<PendingRenewal>,
    /// The renewals granted, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renewals: Vec<Renewal>,
    /// Declarations and renewal requests the approver refused, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<Refusal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    #[serde(
        default,
        with = "domain::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expired_on: Option<NaiveDate>,
    /// Issued on a commitment: the day the next check after issuance is due by.
    #[serde(
        default,
        with = "domain::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_due: Option<NaiveDate>,
    /// The checks after issuance, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
}

impl PermitLife {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PendingAmendment {
    pub field: AmendableField,
    pub new_value: String,
    pub declaration: String,
    #[serde(with = "domain::iso_date")]
    pub requested_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Amendment {
    pub field: AmendableField,
    pub old_value: Option<String>,
    pub new_value: String,
    #[serde(with = "domain::iso_date")]
    pub amended_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PendingRenewal {
    #[serde(with = "domain::iso_date")]
    pub requested_on: NaiveDate,
    #[serde(default, with = "domain::iso_date::option")]
    pub accepted_on: Option<NaiveDate>,
    /// The day the bureau committed to decide by, once accepted.
    pub committed_deadline: Option<Deadline>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Renewal {
    #[serde(with = "domain::iso_date")]
    pub renewed_on: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_from: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_until: NaiveDate,
    /// Not decided before the validity ended: renewed by law.
    pub deemed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Check {
    pub round: u32,
    pub result: CheckResult,
    pub findings: String,
    #[serde(default, with = "domain::iso_date::option")]
    pub rectify_by: Option<NaiveDate>,
    #[serde(with = "domain::iso_date")]
    pub checked_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Refusal {
    /// `amendment` or `renewal`.
    pub of: String,
    pub reason: String,
    #[serde(with = "domain::iso_date")]
    pub refused_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cancellation {
    pub ground: CancellationGround,
    pub reason: String,
    #[serde(with = "domain::iso_date")]
    pub cancelled_on: NaiveDate,
}

impl CaseView {
    /// Folds an event of the permit's life after issuance; the status it leaves the case in.
    pub(crate) fn apply_permit_life(&mut self, event: CaseEvent) -> CaseStatus {
        let life = &mut self.permit_life;
        match event {
            CaseEvent::PostIssuanceCheckRecorded {
                round,
                result,
                findings,
                rectify_by,
                checked_on,
            } => {
                life.check_due = rectify_by;
                life.checks.push(Check {
                    round,
                    result,
                    findings,
                    rectify_by,
                    checked_on,
                });
            }
            CaseEvent::AmendmentRequested {
                field,
                new_value,
                declaration,
                requested_on,
            } => {
                life.pending_amendment = Some(PendingAmendment {
                    field,
                    new_value,
                    declaration,
                    requested_on,
                });
            }
            CaseEvent::PermitAmended {
                field,
                old_value,
                new_value,
                amended_on,
            } => {
                match field {
                    AmendableField::EnterpriseName => self.enterprise_name.clone_from(&new_value),
                    AmendableField::Address => self.address = Some(new_value.clone()),
                }
                life.pending_amendment = None;
                life.amendments.push(Amendment {
                    field,
                    old_value,
                    new_value,
                    amended_on,
                });
            }
            CaseEvent::AmendmentRefused { reason, refused_on } => {
                life.pending_amendment = None;
                life.refusals.push(Refusal {
                    of: "amendment".into(),
                    reason,
                    refused_on,
                });
            }
            CaseEvent::RenewalRequested { requested_on } => {
                life.pending_renewal = Some(PendingRenewal {
                    requested_on,
                    accepted_on: None,
                    committed_deadline: None,
                });
            }
            CaseEvent::RenewalAccepted {
                accepted_on,
                committed_deadline,
            } => {
                if let Some(renewal) = life.pending_renewal.as_mut() {
                    renewal.accepted_on = Some(accepted_on);
                    renewal.committed_deadline = Some(committed_deadline);
                }
            }
            CaseEvent::PermitRenewed {
                renewed_on,
                valid_from,
                valid_until,
                deemed,
            } => {
                life.pending_renewal = None;
                life.renewals.push(Renewal {
                    renewed_on,
                    valid_from,
                    valid_until,
                    deemed,
                });
                if let Some(permit) = self.permit.as_mut() {
                    permit.valid_from = valid_from;
                    permit.valid_until = valid_until;
                }
            }
            CaseEvent::RenewalRefused { reason, refused_on } => {
                life.pending_renewal = None;
                life.refusals.push(Refusal {
                    of: "renewal".into(),
                    reason,
                    refused_on,
                });
            }
            CaseEvent::PermitCancelled {
                ground,
                reason,
                cancelled_on,
            } => {
                life.pending_amendment = None;
                life.pending_renewal = None;
                self.closing_reason = Some(reason.clone());
                life.cancellation = Some(Cancellation {
                    ground,
                    reason,
                    cancelled_on,
                });
                return CaseStatus::Cancelled;
            }
            CaseEvent::PermitExpired { expired_on, .. } => {
                life.pending_amendment = None;
                life.pending_renewal = None;
                life.expired_on = Some(expired_on);
                return CaseStatus::Expired;
            }
            _ => {}
        }
        self.status
    }

    /// The last day of validity of the permit, while it is in force (issued, not revoked,
    /// cancelled or expired).
    pub fn permit_in_force_until(&self) -> Option<NaiveDate> {
        self.permit
            .as_ref()
            .filter(|_| self.status.has_permit_in_force())
            .map(|permit| permit.valid_until)
    }

    /// The day the next check after issuance is due by, while the permit is in force.
    pub fn check_due(&self) -> Option<NaiveDate> {
        self.permit_life
            .check_due
            .filter(|_| self.status.has_permit_in_force())
    }

    /// `amendment` while a declared change of the permit in force awaits the approver.
    pub fn pending_amendment(&self) -> Option<&'static str> {
        (self.status.has_permit_in_force() && self.permit_life.pending_amendment.is_some())
            .then_some("amendment")
    }

    /// Where a renewal of the permit in force stands: `renewal` (awaiting the acceptor) or
    /// `renewal_decision` (the approver). A permit may await an amendment's decision as well.
    pub fn pending_renewal(&self) -> Option<&'static str> {
        let renewal = self
            .permit_life
            .pending_renewal
            .as_ref()
            .filter(|_| self.status.has_permit_in_force())?;
        Some(match renewal.accepted_on {
            None => "renewal",
            Some(_) => "renewal_decision",
        })
    }
}

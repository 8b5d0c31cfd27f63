//! A permit's life after issuance: amended by the enterprise's declaration (no change
//! certificate), renewed in the window before expiry (decided before the validity ends, or
//! renewed by law: Administrative Licensing Law art. 50), cancelled, or expired.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{text, validity_end, CaseError, CaseEvent, CaseFile};
use crate::actor::Actor;
use crate::calendar::Deadline;
use crate::services::CaseServices;
use crate::text::TextKind;
use crate::values::PermitNumber;

/// What an enterprise may change on its permit by declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmendableField {
    EnterpriseName,
    Address,
}

impl AmendableField {
    pub fn as_str(self) -> &'static str {
        match self {
            AmendableField::EnterpriseName => "enterprise_name",
            AmendableField::Address => "address",
        }
    }
}

/// Why a permit was cancelled: the enterprise asked (it stops the activity), or the bureau
/// cancelled it because the enterprise was deregistered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancellationGround {
    EnterpriseRequest,
    EnterpriseDeregistered,
}

impl CancellationGround {
    /// The ground a cancellation sent by `actor` stands on.
    pub fn of(actor: &Actor) -> Self {
        match actor {
            Actor::Applicant { .. } => CancellationGround::EnterpriseRequest,
            _ => CancellationGround::EnterpriseDeregistered,
        }
    }
}

/// The permit a case issued, as its rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PermitTerm {
    #[serde(default)]
    pub permit_number: Option<PermitNumber>,
    #[serde(with = "crate::iso_date")]
    pub valid_until: NaiveDate,
    /// A declared change awaiting the approver.
    pub pending_amendment: Option<(AmendableField, String)>,
    /// A renewal requested and not yet decided; with the day it was accepted, once it is.
    #[serde(default, with = "crate::iso_date::option")]
    pub renewal_requested: Option<NaiveDate>,
    pub renewal_accepted: bool,
    /// The day the next check after issuance is due by (a permit issued on a commitment).
    #[serde(default, with = "crate::iso_date::option")]
    pub check_due: Option<NaiveDate>,
    /// Checks after issuance recorded.
    #[serde(default)]
    pub checks: u32,
}

impl PermitTerm {
    pub(super) fn apply(&mut self, event: &CaseEvent) {
        match event {
            CaseEvent::AmendmentRequested {
                field, new_value, ..
            } => self.pending_amendment = Some((*field, new_value.clone())),
            CaseEvent::PermitAmended { .. } | CaseEvent::AmendmentRefused { .. } => {
                self.pending_amendment = None
            }
            CaseEvent::RenewalRequested { requested_on } => {
                self.renewal_requested = Some(*requested_on);
            }
            CaseEvent::RenewalAccepted { .. } => self.renewal_accepted = true,
            CaseEvent::PermitRenewed { valid_until, .. } => {
                self.valid_until = *valid_until;
                self.renewal_requested = None;
                self.renewal_accepted = false;
            }
            CaseEvent::RenewalRefused { .. } => {
                self.renewal_requested = None;
                self.renewal_accepted = false;
            }
            CaseEvent::PostIssuanceCheckRecorded {
                round, rectify_by, ..
            } => {
                self.checks = *round;
                self.check_due = *rectify_by;
            }
            _ => {}
        }
    }

    /// The first day a renewal may be requested on.
    fn renewal_window_opens(&self, services: &CaseServices) -> NaiveDate {
        let months = services.catalogue.permit_life().renewal_window_months;
        self.valid_until
            .checked_sub_months(Months::new(months))
            .and_then(|d| d.succ_opt())
            .expect("the renewal window is within chrono's range")
    }
}

impl CaseFile {
    /// The permit, if the case issued one that is in force on `today`: issued, not revoked,
    /// cancelled or expired, and within its validity.
    pub(super) fn permit_in_force(
        &self,
        action: &'static str,
        today: NaiveDate,
    ) -> Result<&PermitTerm, CaseError> {
        let permit = self.permit_not_ended(action)?;
        if today > permit.valid_until {
            return Err(CaseError::PermitNoLongerValid(permit.valid_until));
        }
        Ok(permit)
    }

    /// The value a declaration would change, as the case holds it.
    fn amendable(&self, field: AmendableField) -> Option<&String> {
        match field {
            AmendableField::EnterpriseName => Some(&self.enterprise_name),
            AmendableField::Address => self.address.as_ref(),
        }
    }

    /// The permit, if the case issued one that has not ended (revoked, cancelled, expired),
    /// whatever its validity says.
    fn permit_not_ended(&self, action: &'static str) -> Result<&PermitTerm, CaseError> {
        self.permit
            .as_ref()
            .filter(|_| self.status.has_permit_in_force())
            .ok_or(CaseError::WrongState {
                action,
                status: self.status.as_str(),
            })
    }

    pub(super) fn request_amendment(
        &self,
        field: super::AmendableField,
        new_value: &str,
        declaration: &str,
        today: NaiveDate,
    ) -> Result<CaseEvent, CaseError> {
        let permit = self.permit_in_force("request_amendment", today)?;
        if permit.pending_amendment.is_some() {
            return Err(CaseError::AmendmentPending);
        }
        let new_value = text(TextKind::Name, new_value, "new_value")?;
        if self.amendable(field) == Some(&new_value) {
            return Err(CaseError::AmendmentChangesNothing(field.as_str()));
        }
        Ok(CaseEvent::AmendmentRequested {
            field,
            new_value,
            declaration: text(TextKind::Statement, declaration, "declaration")?,
            requested_on: today,
        })
    }

    pub(super) fn decide_amendment(
        &self,
        refusal: Option<&str>,
        today: NaiveDate,
    ) -> Result<CaseEvent, CaseError> {
        let action = if refusal.is_some() {
            "refuse_amendment"
        } else {
            "approve_amendment"
        };
        let permit = self.permit_in_force(action, today)?;
        let (field, new_value) = permit
            .pending_amendment
            .clone()
            .ok_or(CaseError::NothingPending("amendment"))?;
        if let Some(reason) = refusal {
            return Ok(CaseEvent::AmendmentRefused {
                reason: text(TextKind::Reason, reason, "reason")?,
                refused_on: today,
            });
        }
        Ok(CaseEvent::PermitAmended {
            field,
            old_value: self.amendable(field).cloned(),
            new_value,
            amended_on: today,
        })
    }

    pub(super) fn request_renewal(
        &self,
        today: NaiveDate,
        services: &CaseServices,
    ) -> Result<CaseEvent, CaseError> {
        let permit = self.permit_in_force("request_renewal", today)?;
        if permit.renewal_requested.is_some() {
            return Err(CaseError::RenewalPending);
        }
        let opens = permit.renewal_window_opens(services);
        if today < opens {
            return Err(CaseError::OutsideRenewalWindow {
                opens,
                closes: permit.valid_until,
            });
        }
        Ok(CaseEvent::RenewalRequested {
            requested_on: today,
        })
    }

    pub(super) fn accept_renewal(
        &self,
        today: NaiveDate,
        services: &CaseServices,
    ) -> Result<CaseEvent, CaseError> {
        let permit = self.permit_in_force("accept_renewal", today)?;
        if permit.renewal_requested.is_none() || permit.renewal_accepted {
            return Err(CaseError::NothingPending("renewal request to accept"));
        }
        let limit = services
            .catalogue
            .permit_life()
            .renewal_committed_limit_days;
        let committed_deadline: Deadline = services.calendar.add_working_days(today, limit);
        Ok(CaseEvent::RenewalAccepted {
            accepted_on: today,
            committed_deadline,
        })
    }

    pub(super) fn decide_renewal(
        &self,
        refusal: Option<&str>,
        today: NaiveDate,
        services: &CaseServices,
    ) -> Result<CaseEvent, CaseError> {
        let action = if refusal.is_some() {
            "refuse_renewal"
        } else {
            "approve_renewal"
        };
        let permit = self.permit_in_force(action, today)?;
        if !permit.renewal_accepted {
            return Err(CaseError::NothingPending("accepted renewal"));
        }
        if let Some(reason) = refusal {
            return Ok(CaseEvent::RenewalRefused {
                reason: text(TextKind::Reason, reason, "reason")?,
                refused_on: today,
            });
        }
        Ok(self.renewed(permit, today, false, services))
    }

    fn renewed(
        &self,
        permit: &PermitTerm,
        today: NaiveDate,
        deemed: bool,
        services: &CaseServices,
    ) -> CaseEvent {
        let valid_from = permit
            .valid_until
            .succ_opt()
            .expect("validity ends within chrono's range");
        let years = services
            .catalogue
            .item(&self.item_code)
            .map_or(1, |item| item.validity_years);
        CaseEvent::PermitRenewed {
            renewed_on: today,
            valid_from,
            valid_until: validity_end(valid_from, years),
            deemed,
        }
    }

    pub(super) fn cancel(
        &self,
        reason: &str,
        ground: CancellationGround,
        today: NaiveDate,
    ) -> Result<CaseEvent, CaseError> {
        self.permit_in_force("cancel_permit", today)?;
        Ok(CaseEvent::PermitCancelled {
            ground,
            reason: text(TextKind::Reason, reason, "reason")?,
            cancelled_on: today,
        })
    }

    /// The permit's end of validity, recorded once `today` is past it: it expires, unless
    /// a renewal was requested and not decided in time, in which case the law renews it.
    pub(super) fn expire(
        &self,
        today: NaiveDate,
        services: &CaseServices,
    ) -> Result<CaseEvent, CaseError> {
        let permit = self.permit_not_ended("expire_permit")?;
        if today <= permit.valid_until {
            return Err(CaseError::PermitStillValid(permit.valid_until));
        }
        if permit.renewal_requested.is_some() {
            return Ok(self.renewed(permit, today, true, services));
        }
        Ok(CaseEvent::PermitExpired {
            valid_until: permit.valid_until,
            expired_on: today,
        })
    }
}

//! From one status to the next: what each action makes of a case in a given state.

use chrono::NaiveDate;

use super::CancellationGround;
use super::{
    admitted_materials, refuse_phase_out, text, validity_end, CaseAction, CaseError, CaseEvent,
    CaseFile, CaseStatus,
};
use crate::actor::Actor;
use crate::services::CaseServices;
use crate::text::TextKind;

impl CaseFile {
    /// Refuses a decision by the officer who reviewed the case: review and decision are two
    /// people's (separation of duties is by person, not only by post).
    pub(super) fn separate_duties(
        &self,
        action: &CaseAction,
        officer: Option<&str>,
    ) -> Result<(), CaseError> {
        let deciding = matches!(action, CaseAction::Approve {} | CaseAction::Deny { .. });
        match (&self.reviewer, officer) {
            (Some(reviewer), Some(officer)) if deciding && reviewer == officer => {
                Err(CaseError::ReviewerMayNotDecide)
            }
            _ => Ok(()),
        }
    }

    pub(super) fn transition(
        &self,
        action: CaseAction,
        actor: &Actor,
        today: NaiveDate,
        services: &CaseServices,
        officer_ref: Option<String>,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        use CaseAction as A;
        use CaseStatus as S;
        let action_name = action.name();
        if matches!(action, A::Approve {} | A::Deny { .. }) {
            self.refuse_while_suspended(action_name)?;
        }
        let event = match (self.status, action) {
            (
                S::Filed,
                A::RequestCorrection {
                    corrections,
                    reason,
                },
            ) => {
                if corrections.iter().all(|c| c.trim().is_empty()) {
                    return Err(CaseError::Required {
                        field: "corrections",
                    });
                }
                let corrections = corrections
                    .iter()
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| text(TextKind::Reason, c, "corrections"))
                    .collect::<Result<Vec<_>, _>>()?;
                CaseEvent::CorrectionRequested {
                    round: self.correction_rounds + 1,
                    corrections,
                    reason: text(TextKind::Reason, &reason, "reason")?,
                    requested_on: today,
                }
            }
            (S::CorrectionRequested, A::ResubmitMaterials { materials }) => {
                if materials.is_empty() {
                    return Err(CaseError::Required { field: "materials" });
                }
                CaseEvent::MaterialsResubmitted {
                    round: self.correction_rounds,
                    materials: admitted_materials(materials)?,
                    resubmitted_on: today,
                }
            }
            (S::Filed, A::Accept {}) => {
                let item = services
                    .catalogue
                    .item(&self.item_code)
                    .ok_or_else(|| CaseError::UnknownItem(self.item_code.to_string()))?;
                refuse_phase_out(
                    services,
                    &self.item_code,
                    &self.product,
                    self.process.as_deref(),
                )?;
                let calendar = &services.calendar;
                CaseEvent::ApplicationAccepted {
                    accepted_on: today,
                    statutory_deadline: calendar.add_working_days(today, item.statutory_limit_days),
                    committed_deadline: calendar.add_working_days(today, item.committed_limit_days),
                }
            }
            (S::Filed, A::RefuseToAccept { reason }) => CaseEvent::ApplicationNotAccepted {
                reason: text(TextKind::Reason, &reason, "reason")?,
                decided_on: today,
            },
            (
                S::Accepted,
                A::RecordReview {
                    findings,
                    recommendation,
                },
            ) => CaseEvent::ReviewRecorded {
                findings: text(TextKind::Findings, &findings, "findings")?,
                recommendation,
                reviewed_on: today,
                reviewer: officer_ref,
            },
            (S::Reviewed, A::Approve {}) => CaseEvent::ApplicationApproved {
                approved_on: today,
                on_commitment: false,
            },
            (S::Accepted, A::Approve {}) if self.on_commitment => CaseEvent::ApplicationApproved {
                approved_on: today,
                on_commitment: true,
            },
            (S::Accepted, A::Approve {}) => return Err(CaseError::ReviewRequired),
            (S::Accepted | S::Reviewed, A::Deny { reason }) => CaseEvent::ApplicationDenied {
                reason: text(TextKind::Reason, &reason, "reason")?,
                decided_on: today,
            },
            (
                S::Approved,
                A::IssuePermit {
                    permit_number,
                    scope,
                },
            ) => {
                let item = services
                    .catalogue
                    .item(&self.item_code)
                    .ok_or_else(|| CaseError::UnknownItem(self.item_code.to_string()))?;
                CaseEvent::PermitIssued {
                    permit_number,
                    scope: text(TextKind::Scope, &scope, "scope")?,
                    valid_from: today,
                    valid_until: validity_end(today, item.validity_years),
                    issued_on: today,
                    working_days_used: self.working_days_used(today, &services.calendar),
                    check_due: item
                        .check_within_days
                        .filter(|_| self.approved_on_commitment)
                        .map(|days| services.calendar.add_working_days(today, days)),
                }
            }
            (
                S::Issued,
                A::DispatchCertificate {
                    courier,
                    tracking_number,
                },
            ) => CaseEvent::CertificateDispatched {
                courier: text(TextKind::Courier, &courier, "courier")?,
                tracking_number: text(
                    TextKind::TrackingNumber,
                    &tracking_number,
                    "tracking_number",
                )?,
                dispatched_on: today,
            },
            (S::Dispatched, A::ConfirmDelivery {}) => CaseEvent::CertificateDelivered {
                delivered_on: today,
            },
            (status, A::Withdraw { reason }) if status.is_open() => {
                CaseEvent::ApplicationWithdrawn {
                    reason: text(TextKind::Reason, &reason, "reason")?,
                    withdrawn_on: today,
                }
            }
            (
                _,
                A::RevokePermit {
                    reason,
                    false_commitment,
                },
            ) => {
                self.permit_in_force("revoke_permit", today)?;
                if false_commitment && !self.approved_on_commitment {
                    return Err(CaseError::NotIssuedOnCommitment);
                }
                CaseEvent::PermitRevoked {
                    reason: text(TextKind::Reason, &reason, "reason")?,
                    false_commitment,
                    revoked_on: today,
                }
            }
            (
                S::Accepted | S::Reviewed,
                A::SuspendClock {
                    kind,
                    reason,
                    notice,
                },
            ) => self.suspend(kind, &reason, &notice, today)?,
            (S::Accepted | S::Reviewed, A::ResumeClock {}) => {
                self.resume(today, &services.calendar)?
            }
            (S::Accepted | S::Reviewed, A::ExtendTimeLimit { reason }) => {
                self.extend(&reason, today, services)?
            }
            (
                _,
                A::RequestAmendment {
                    field,
                    new_value,
                    declaration,
                },
            ) => self.request_amendment(field, &new_value, &declaration, today)?,
            (_, A::ApproveAmendment {}) => self.decide_amendment(None, today)?,
            (_, A::RefuseAmendment { reason }) => self.decide_amendment(Some(&reason), today)?,
            (_, A::RequestRenewal {}) => self.request_renewal(today, services)?,
            (_, A::AcceptRenewal {}) => self.accept_renewal(today, services)?,
            (_, A::ApproveRenewal {}) => self.decide_renewal(None, today, services)?,
            (_, A::RefuseRenewal { reason }) => {
                self.decide_renewal(Some(&reason), today, services)?
            }
            (_, A::CancelPermit { reason }) => {
                self.cancel(&reason, CancellationGround::of(actor), today)?
            }
            (_, A::ExpirePermit {}) => self.expire(today, services)?,
            // One decision, two events when the commitment was false (the revocation).
            (
                _,
                A::RecordPostIssuanceCheck {
                    result,
                    findings,
                    rectify_by,
                },
            ) => return self.record_check(result, &findings, rectify_by, today),
            (_, A::CommentMaterials { comments, reply }) => self.comment(comments, reply, today)?,
            (
                _,
                A::ReviseDraft {
                    materials,
                    questions,
                },
            ) => self.revise(materials, questions, today)?,
            (status, _) => {
                return Err(CaseError::WrongState {
                    action: action_name,
                    status: status.as_str(),
                })
            }
        };
        Ok(vec![event])
    }
}

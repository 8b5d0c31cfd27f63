//! How each event after a case's beginning changes its view.

use domain::{CaseEvent, CaseStatus};

use super::{CaseView, Dispatch, PermitView, Review, Revocation};

impl CaseView {
    pub(super) fn apply(&mut self, event: CaseEvent) {
        self.status = match event {
            CaseEvent::ApplicationFiled { .. } | CaseEvent::GuidanceRequested { .. } => self.status,
            guidance @ (CaseEvent::MaterialsCommented { .. } | CaseEvent::DraftRevised { .. }) => {
                self.apply_guidance(guidance)
            }
            CaseEvent::CorrectionRequested {
                round, corrections, ..
            } => {
                self.correction_rounds = round;
                self.open_corrections = corrections;
                CaseStatus::CorrectionRequested
            }
            CaseEvent::MaterialsResubmitted { materials, .. } => {
                self.replace_materials(materials);
                self.open_corrections.clear();
                CaseStatus::Filed
            }
            CaseEvent::ApplicationAccepted {
                accepted_on,
                statutory_deadline,
                committed_deadline,
            } => {
                self.accepted_on = Some(accepted_on);
                self.statutory_deadline = Some(statutory_deadline);
                self.committed_deadline = Some(committed_deadline);
                CaseStatus::Accepted
            }
            CaseEvent::ApplicationNotAccepted { reason, decided_on } => {
                self.closing_reason = Some(reason);
                self.decided_on = Some(decided_on);
                CaseStatus::NotAccepted
            }
            CaseEvent::ReviewRecorded {
                findings,
                recommendation,
                reviewed_on,
                ..
            } => {
                self.review = Some(Review {
                    findings,
                    recommendation,
                    reviewed_on,
                });
                CaseStatus::Reviewed
            }
            CaseEvent::ApplicationApproved {
                approved_on,
                on_commitment,
            } => {
                self.decided_on = Some(approved_on);
                self.on_commitment = Some(on_commitment);
                CaseStatus::Approved
            }
            CaseEvent::ApplicationDenied { reason, decided_on } => {
                self.closing_reason = Some(reason);
                self.decided_on = Some(decided_on);
                CaseStatus::Denied
            }
            CaseEvent::PermitIssued {
                permit_number,
                scope,
                valid_from,
                valid_until,
                issued_on,
                working_days_used,
                check_due,
            } => {
                self.permit_life.check_due = check_due.map(|due| due.date);
                self.permit = Some(PermitView {
                    permit_number,
                    scope,
                    valid_from,
                    valid_until,
                    issued_on,
                    working_days_used,
                });
                CaseStatus::Issued
            }
            CaseEvent::CertificateDispatched {
                courier,
                tracking_number,
                dispatched_on,
            } => {
                self.dispatch = Some(Dispatch {
                    courier,
                    tracking_number,
                    dispatched_on,
                });
                CaseStatus::Dispatched
            }
            CaseEvent::CertificateDelivered { delivered_on } => {
                self.delivered_on = Some(delivered_on);
                CaseStatus::Delivered
            }
            CaseEvent::ApplicationWithdrawn { reason, .. } => {
                self.closing_reason = Some(reason);
                CaseStatus::Withdrawn
            }
            CaseEvent::PermitRevoked {
                reason,
                false_commitment,
                revoked_on,
            } => {
                self.closing_reason = Some(reason.clone());
                self.revocation = Some(Revocation {
                    reason,
                    false_commitment,
                    revoked_on,
                });
                CaseStatus::Revoked
            }
            CaseEvent::ClockSuspended { .. } => self.status,
            CaseEvent::ClockResumed {
                statutory_deadline,
                committed_deadline,
                ..
            } => {
                self.statutory_deadline = Some(statutory_deadline);
                self.committed_deadline = Some(committed_deadline);
                self.status
            }
            CaseEvent::TimeLimitExtended {
                statutory_deadline, ..
            } => {
                self.statutory_deadline = Some(statutory_deadline);
                self.status
            }
            life @ (CaseEvent::PostIssuanceCheckRecorded { .. }
            | CaseEvent::AmendmentRequested { .. }
            | CaseEvent::PermitAmended { .. }
            | CaseEvent::AmendmentRefused { .. }
            | CaseEvent::RenewalRequested { .. }
            | CaseEvent::RenewalAccepted { .. }
            | CaseEvent::PermitRenewed { .. }
            | CaseEvent::RenewalRefused { .. }
            | CaseEvent::PermitCancelled { .. }
            | CaseEvent::PermitExpired { .. }) => self.apply_permit_life(life),
        };
    }

    /// The materials sent again, each in place of the one of its name (or added).
    pub(crate) fn replace_materials(&mut self, materials: Vec<domain::permit_case::Material>) {
        for material in materials {
            match self.materials.iter_mut().find(|m| m.name == material.name) {
                Some(existing) => *existing = material,
                None => self.materials.push(material),
            }
        }
    }
}

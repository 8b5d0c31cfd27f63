//! How each event changes a case as the command side sees it.

use super::permit_life::{AmendableField, PermitTerm};
use super::{CaseEvent, CaseFile, CaseStatus, PermitCase};

impl PermitCase {
    /// What `event` makes of the case: its version one more, its file as the event leaves
    /// it.
    pub(super) fn fold(&mut self, event: CaseEvent) {
        self.version += 1;
        if let CaseEvent::ApplicationFiled {
            item_code,
            credit_code,
            enterprise_name,
            address,
            bureau,
            product,
            process,
            commitment,
            ..
        } = event
        {
            self.file = Some(CaseFile {
                enterprise_name,
                address,
                product,
                process,
                on_commitment: commitment.is_some(),
                ..CaseFile::begun(CaseStatus::Filed, bureau, credit_code, item_code)
            });
            return;
        }
        if let CaseEvent::GuidanceRequested {
            item_code,
            credit_code,
            enterprise_name,
            address,
            bureau,
            product,
            process,
            materials,
            ..
        } = event
        {
            self.file = Some(CaseFile {
                enterprise_name,
                address,
                product,
                process,
                draft_materials: materials.into_iter().map(|m| m.name).collect(),
                ..CaseFile::begun(CaseStatus::InGuidance, bureau, credit_code, item_code)
            });
            return;
        }
        let Some(file) = self.file.as_mut() else {
            return;
        };
        if let Some(permit) = file.permit.as_mut() {
            permit.apply(&event);
        }
        file.status = match event {
            CaseEvent::ApplicationFiled { .. } | CaseEvent::GuidanceRequested { .. } => {
                unreachable!("handled above")
            }
            CaseEvent::MaterialsCommented { round, .. } => {
                file.guidance_rounds = round;
                file.status
            }
            CaseEvent::DraftRevised { materials, .. } => {
                for material in materials {
                    if !file.draft_materials.contains(&material.name) {
                        file.draft_materials.push(material.name);
                    }
                }
                file.status
            }
            CaseEvent::CorrectionRequested { round, .. } => {
                file.correction_rounds = round;
                CaseStatus::CorrectionRequested
            }
            CaseEvent::MaterialsResubmitted { .. } => CaseStatus::Filed,
            CaseEvent::ApplicationAccepted {
                accepted_on,
                statutory_deadline,
                committed_deadline,
            } => {
                file.accepted_on = Some(accepted_on);
                file.statutory_deadline = Some(statutory_deadline);
                file.committed_deadline = Some(committed_deadline);
                CaseStatus::Accepted
            }
            CaseEvent::ApplicationNotAccepted { .. } => CaseStatus::NotAccepted,
            CaseEvent::ReviewRecorded { reviewer, .. } => {
                file.reviewer = reviewer;
                CaseStatus::Reviewed
            }
            CaseEvent::ApplicationApproved { on_commitment, .. } => {
                file.approved_on_commitment = on_commitment;
                CaseStatus::Approved
            }
            CaseEvent::ApplicationDenied { .. } => CaseStatus::Denied,
            CaseEvent::PermitIssued {
                valid_until,
                check_due,
                permit_number,
                ..
            } => {
                file.permit = Some(PermitTerm {
                    permit_number: Some(permit_number),
                    valid_until,
                    pending_amendment: None,
                    renewal_requested: None,
                    renewal_accepted: false,
                    check_due: check_due.map(|due| due.date),
                    checks: 0,
                });
                CaseStatus::Issued
            }
            CaseEvent::CertificateDispatched { .. } => CaseStatus::Dispatched,
            CaseEvent::CertificateDelivered { .. } => CaseStatus::Delivered,
            CaseEvent::ApplicationWithdrawn { .. } => CaseStatus::Withdrawn,
            CaseEvent::PermitRevoked { .. } => CaseStatus::Revoked,
            CaseEvent::ClockSuspended { suspended_on, .. } => {
                file.suspended_since = Some(suspended_on);
                file.status
            }
            CaseEvent::ClockResumed {
                suspended_working_days,
                statutory_deadline,
                committed_deadline,
                ..
            } => {
                file.suspended_since = None;
                file.suspended_working_days += suspended_working_days;
                file.statutory_deadline = Some(statutory_deadline);
                file.committed_deadline = Some(committed_deadline);
                file.status
            }
            CaseEvent::TimeLimitExtended {
                statutory_deadline, ..
            } => {
                file.extended = true;
                file.statutory_deadline = Some(statutory_deadline);
                file.status
            }
            CaseEvent::PermitAmended {
                field, new_value, ..
            } => {
                match field {
                    AmendableField::EnterpriseName => file.enterprise_name = new_value,
                    AmendableField::Address => file.address = Some(new_value),
                }
                file.status
            }
            CaseEvent::PermitCancelled { .. } => CaseStatus::Cancelled,
            CaseEvent::PermitExpired { .. } => CaseStatus::Expired,
            CaseEvent::AmendmentRequested { .. }
            | CaseEvent::AmendmentRefused { .. }
            | CaseEvent::RenewalRequested { .. }
            | CaseEvent::RenewalAccepted { .. }
            | CaseEvent::PermitRenewed { .. }
            | CaseEvent::RenewalRefused { .. }
            | CaseEvent::PostIssuanceCheckRecorded { .. } => file.status,
        };
    }
}

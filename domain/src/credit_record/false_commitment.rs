//! When a case's decision lists its enterprise: a permit revoked for a false commitment (by a
//! post-issuance check, or by an approver's revocation on that ground) puts the enterprise on
//! the list, in the same commit as the revocation.

use super::{CreditAction, CreditRules};
use crate::permit_case::{CaseEvent, PermitCase};
use crate::values::CaseId;

/// The listing that `events`, just decided on case `case_id` and applied to `case`, call for:
/// one for a revocation for a false commitment, citing the revocation's reason and the
/// rules' legal basis; None for any other decision.
pub fn listing_called_for(
    case_id: &CaseId,
    case: &PermitCase,
    events: &[CaseEvent],
    rules: &CreditRules,
) -> Option<CreditAction> {
    let reason = events.iter().find_map(|event| match event {
        CaseEvent::PermitRevoked {
            reason,
            false_commitment: true,
            ..
        } => Some(reason),
        _ => None,
    })?;
    Some(CreditAction::List {
        credit_code: case.credit_code()?.clone(),
        enterprise_name: case.enterprise_name()?.to_owned(),
        case_id: case_id.clone(),
        permit_number: case.permit_number()?.clone(),
        bureau: case.bureau()?.clone(),
        reason: reason.clone(),
        basis: rules.false_commitment_basis.clone(),
    })
}

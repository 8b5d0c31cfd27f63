//! Who may send which action to a case: the applicant its own, an officer of the case's
//! bureau at the action's post.

use super::{CaseAction, CaseError, CaseFile, Sender};
use crate::actor::{Actor, Post};

pub(super) fn authorize(
    actor: &Actor,
    file: &CaseFile,
    action: &CaseAction,
) -> Result<(), CaseError> {
    let name = action.name();
    let sender = match action {
        CaseAction::FileApplication(_) => unreachable!("filing is decided before authorization"),
        CaseAction::ResubmitMaterials { .. } | CaseAction::Withdraw { .. } => Sender::Applicant,
        CaseAction::RequestCorrection { .. }
        | CaseAction::Accept {}
        | CaseAction::RefuseToAccept { .. } => Sender::Officer(Post::Acceptor),
        CaseAction::RecordReview { .. } => Sender::Officer(Post::Reviewer),
        CaseAction::Approve {}
        | CaseAction::Deny { .. }
        | CaseAction::IssuePermit { .. }
        | CaseAction::RevokePermit { .. } => Sender::Officer(Post::Approver),
        CaseAction::DispatchCertificate { .. } => Sender::Officer(Post::Dispatcher),
        CaseAction::ConfirmDelivery {} => Sender::ApplicantOrOfficer(Post::Dispatcher),
    };
    match (actor, sender) {
        (Actor::Auditor { .. }, _) => Err(CaseError::ReadOnlyRole),
        (
            Actor::Applicant { credit_code, .. },
            Sender::Applicant | Sender::ApplicantOrOfficer(_),
        ) => {
            if credit_code == &file.credit_code {
                Ok(())
            } else {
                Err(CaseError::NotYourCase)
            }
        }
        (Actor::Applicant { .. }, Sender::Officer(_)) => {
            Err(CaseError::OfficerOnly { action: name })
        }
        (Actor::Officer { .. }, Sender::Applicant) => {
            Err(CaseError::ApplicantOnly { action: name })
        }
        (
            Actor::Officer { bureau, post, .. },
            Sender::Officer(required) | Sender::ApplicantOrOfficer(required),
        ) => {
            if bureau != &file.bureau {
                Err(CaseError::OutsideBureau {
                    case_bureau: file.bureau.clone(),
                    officer_bureau: bureau.clone(),
                })
            } else if *post != required {
                Err(CaseError::WrongPost {
                    action: name,
                    required: required.as_str(),
                    actual: post.as_str(),
                })
            } else {
                Ok(())
            }
        }
    }
}

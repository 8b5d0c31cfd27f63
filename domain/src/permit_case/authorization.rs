//! Who may send which action to a case: the applicant its own, an officer of the case's
//! bureau at the action's post. A case its sender may not even read does not exist for that
//! sender: the refusal is the one an unknown case gets, and says nothing of the case (its
//! bureau, its version), which is why it comes before every other check.

use super::{CaseAction, CaseError, CaseFile, Sender};
use crate::actor::{Actor, Post};

pub(super) fn authorize(
    actor: &Actor,
    file: &CaseFile,
    action: &CaseAction,
) -> Result<(), CaseError> {
    if !actor.may_read_case(&file.bureau, &file.credit_code) {
        return Err(CaseError::CaseNotFound);
    }
    let name = action.name();
    let sender = match action {
        CaseAction::FileApplication(_) | CaseAction::RequestGuidance(_) => {
            unreachable!("filing and drafting are decided before authorization")
        }
        CaseAction::CommentMaterials { .. } => Sender::Officer(Post::Guide),
        CaseAction::ReviseDraft { .. } => Sender::Applicant,
        CaseAction::ResubmitMaterials { .. }
        | CaseAction::Withdraw { .. }
        | CaseAction::RequestAmendment { .. }
        | CaseAction::RequestRenewal {} => Sender::Applicant,
        CaseAction::RequestCorrection { .. }
        | CaseAction::Accept {}
        | CaseAction::RefuseToAccept { .. }
        | CaseAction::AcceptRenewal {} => Sender::Officer(Post::Acceptor),
        CaseAction::RecordReview { .. } => Sender::Officer(Post::Reviewer),
        CaseAction::Approve {}
        | CaseAction::Deny { .. }
        | CaseAction::IssuePermit { .. }
        | CaseAction::RevokePermit { .. }
        | CaseAction::ApproveAmendment {}
        | CaseAction::RefuseAmendment { .. }
        | CaseAction::ApproveRenewal {}
        | CaseAction::RefuseRenewal { .. } => Sender::Officer(Post::Approver),
        CaseAction::CancelPermit { .. } => Sender::ApplicantOrOfficer(Post::Approver),
        CaseAction::ExpirePermit {} => Sender::System,
        CaseAction::ExtendTimeLimit { .. } => Sender::Officer(Post::Approver),
        CaseAction::SuspendClock { .. } | CaseAction::ResumeClock {} => {
            Sender::OfficerAtEither(Post::Reviewer, Post::Approver, "reviewer or approver")
        }
        CaseAction::DispatchCertificate { .. } => Sender::Officer(Post::Dispatcher),
        CaseAction::RecordPostIssuanceCheck { .. } => Sender::Officer(Post::Inspector),
        CaseAction::ConfirmDelivery {} => Sender::ApplicantOrOfficer(Post::Dispatcher),
    };
    match (actor, sender) {
        (Actor::System, Sender::System) => Ok(()),
        (_, Sender::System) => Err(CaseError::SystemOnly { action: name }),
        (Actor::System, Sender::Applicant) => Err(CaseError::ApplicantOnly { action: name }),
        (Actor::System, _) => Err(CaseError::OfficerOnly { action: name }),
        (Actor::Auditor { .. }, _) => Err(CaseError::ReadOnlyRole),
        // Its own case: the only one an applicant may read.
        (Actor::Applicant { .. }, Sender::Applicant | Sender::ApplicantOrOfficer(_)) => Ok(()),
        (Actor::Applicant { .. }, Sender::Officer(_) | Sender::OfficerAtEither(..)) => {
            Err(CaseError::OfficerOnly { action: name })
        }
        (Actor::Officer { .. }, Sender::Applicant) => {
            Err(CaseError::ApplicantOnly { action: name })
        }
        (Actor::Officer { bureau, post, .. }, sender) => {
            let (allowed, required) = match sender {
                Sender::Officer(required) | Sender::ApplicantOrOfficer(required) => {
                    (*post == required, required.as_str())
                }
                Sender::OfficerAtEither(first, second, named) => {
                    (*post == first || *post == second, named)
                }
                Sender::Applicant | Sender::System => unreachable!("refused above"),
            };
            if bureau != &file.bureau {
                Err(CaseError::OutsideBureau {
                    case_bureau: file.bureau.clone(),
                    officer_bureau: bureau.clone(),
                })
            } else if !allowed {
                Err(CaseError::WrongPost {
                    action: name,
                    required,
                    actual: post.as_str(),
                })
            } else {
                Ok(())
            }
        }
    }
}

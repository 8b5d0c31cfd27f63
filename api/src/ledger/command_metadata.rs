//! The metadata every event of a case command is stored with.

use std::collections::HashMap;

use domain::text::TextKind;
use domain::{Actor, CaseAction};

use super::commands::RequestTrace;
use super::idempotency::CLAIM_METADATA;

/// Who did it, when, under which request, and why: stored with every event of the command.
pub(super) fn metadata(
    actor: &Actor,
    action: &CaseAction,
    trace: &RequestTrace,
    requested_at: &str,
) -> HashMap<String, String> {
    let mut metadata = of_command(actor, action.name(), trace, requested_at);
    let reason = match action {
        CaseAction::RequestCorrection { reason, .. }
        | CaseAction::RefuseToAccept { reason }
        | CaseAction::Deny { reason }
        | CaseAction::Withdraw { reason }
        | CaseAction::RevokePermit { reason, .. }
        | CaseAction::SuspendClock { reason, .. }
        | CaseAction::ExtendTimeLimit { reason }
        | CaseAction::RefuseAmendment { reason }
        | CaseAction::RefuseRenewal { reason }
        | CaseAction::CancelPermit { reason } => Some(reason),
        _ => None,
    };
    // As the event keeps it; a reason the rules refuse refuses the command, which then
    // stores nothing.
    if let Some(reason) = reason {
        with_reason(&mut metadata, reason);
    }
    metadata
}

/// Who sent `command`, when, under which request: the metadata of a command to any
/// aggregate.
pub(super) fn of_command(
    actor: &Actor,
    command: &str,
    trace: &RequestTrace,
    requested_at: &str,
) -> HashMap<String, String> {
    let mut metadata = HashMap::from([
        ("actor_subject".to_owned(), actor.subject().to_owned()),
        ("actor_role".to_owned(), actor.role().to_owned()),
        ("command".to_owned(), command.to_owned()),
        ("request_id".to_owned(), trace.request_id.clone()),
        ("requested_at".to_owned(), requested_at.to_owned()),
    ]);
    if let Some(claim) = &trace.idempotency_claim {
        metadata.insert(CLAIM_METADATA.to_owned(), claim.clone());
    }
    match actor {
        Actor::Officer { bureau, post, .. } => {
            metadata.insert("actor_bureau".into(), bureau.to_string());
            metadata.insert("actor_post".into(), post.as_str().into());
        }
        Actor::Applicant { credit_code, .. } => {
            metadata.insert("actor_credit_code".into(), credit_code.to_string());
        }
        Actor::Auditor { .. } | Actor::System => {}
    }
    metadata
}

/// Records why, as the event keeps it; a reason the rules refuse refuses the command, which
/// then stores nothing.
pub(super) fn with_reason(metadata: &mut HashMap<String, String>, reason: &str) {
    let kept = TextKind::Reason
        .admit(reason)
        .unwrap_or_else(|_| reason.trim().to_owned());
    metadata.insert("reason".into(), kept);
}

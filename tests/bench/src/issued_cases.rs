//! Cases taken through the ledger to an issued permit and on to delivery, as measurements
//! need them.

use domain::values::CaseId;
use domain::{Actor, CaseAction, Post};
use permit_ledger::ledger::{Ledger, Submission};
use serde_json::{json, Value};
use test_support::fixtures::{applicant, application, officer};

async fn send(
    ledger: &Ledger,
    case_id: &CaseId,
    actor: Actor,
    action: Value,
) -> anyhow::Result<()> {
    ledger
        .submit(Submission {
            case_id: case_id.clone(),
            actor,
            action: serde_json::from_value::<CaseAction>(action)?,
            expected_version: None,
            trace: "bench".into(),
        })
        .await?;
    Ok(())
}

/// Files a case for client `client` and takes it to an issued permit, through the ledger.
pub async fn issued_case(ledger: &Ledger, client: usize) -> anyhow::Result<CaseId> {
    let application = serde_json::from_value(application(&format!("济南基准测试企业{client}")))?;
    let case_id = ledger
        .file(applicant(client), application, "bench".into())
        .await?
        .case_id;
    send(
        ledger,
        &case_id,
        officer(Post::Acceptor),
        json!({"type": "accept"}),
    )
    .await?;
    let review = json!({"type": "record_review", "findings": "符合", "recommendation": "approve"});
    send(ledger, &case_id, officer(Post::Reviewer), review).await?;
    send(
        ledger,
        &case_id,
        officer(Post::Approver),
        json!({"type": "approve"}),
    )
    .await?;
    ledger
        .issue_permit(
            case_id.clone(),
            officer(Post::Approver),
            "复合肥料".into(),
            None,
            "bench".into(),
        )
        .await?;
    Ok(case_id)
}

/// Takes an issued case on to delivery.
pub async fn deliver(ledger: &Ledger, case_id: &CaseId, client: usize) -> anyhow::Result<()> {
    let dispatch = json!({"type": "dispatch_certificate", "courier": "EMS", "tracking_number": "1151234567890"});
    send(ledger, case_id, officer(Post::Dispatcher), dispatch).await?;
    send(
        ledger,
        case_id,
        applicant(client),
        json!({"type": "confirm_delivery"}),
    )
    .await
}

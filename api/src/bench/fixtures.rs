//! What every measurement files: enterprises, applications, officers, a case issued through
//! the ledger.

use domain::values::{CaseId, CreditCode};
use domain::{Actor, CaseAction, Post};
use serde_json::{json, Value};

use crate::ledger::{Ledger, Submission};

/// The enterprise of bench client `client` (registered in Jinan).
pub fn enterprise(client: usize) -> CreditCode {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!(
        "91370102MA3B{}{}XYQ",
        ALPHABET[client % 31] as char,
        ALPHABET[(client / 31) % 31] as char,
    );
    CreditCode::with_check_character(&body).expect("a valid credit code body")
}

pub fn applicant(client: usize) -> Actor {
    Actor::Applicant {
        subject: format!("bench enterprise {client}"),
        credit_code: enterprise(client),
    }
}

/// An officer of the Jinan bureau at `post`.
pub fn officer(post: Post) -> Actor {
    Actor::Officer {
        subject: format!("bench-{}", post.as_str()),
        bureau: "370100".parse().expect("a bureau"),
        post,
    }
}

/// A complete XK-003 application.
pub fn application(enterprise_name: &str) -> Value {
    let catalogue = domain::catalogue::Catalogue::bundled();
    let item = catalogue
        .item(&domain::values::ItemCode::parse("XK-003").expect("an item code"))
        .expect("XK-003 is in the catalogue");
    let materials: Vec<Value> = item
        .materials
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"name": name, "digest": format!("{i:0>64}")}))
        .collect();
    json!({
        "item_code": "XK-003",
        "enterprise_name": enterprise_name,
        "product": "复合肥料",
        "materials": materials,
        "contact": {"person": "王经理", "phone": "13800000000"}
    })
}

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
            request_id: "bench".into(),
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

//! Online guidance over HTTP: a draft commented on by the city bureau's guide and revised,
//! then filed on the same case and accepted without a correction round; who sees drafts;
//! filings that name a draft they may not use, refused without a write.

use domain::Post;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    application, assert_problem, credit, jinan_enterprise, on_both_stores, spawn_app, Store,
    TestApp,
};

on_both_stores!(
    a_guided_filing_reaches_acceptance_without_a_correction_round,
    drafts_are_seen_by_their_enterprise_and_their_bureau_only,
    a_filing_may_name_only_its_own_draft,
);

/// The XK-003 application as a draft: its test report still missing, and a question.
fn draft() -> Value {
    let mut draft = application("XK-003");
    let materials = draft["materials"].as_array_mut().unwrap();
    materials.retain(|m| m["name"] != "产品检验报告 product test report");
    draft["questions"] = json!(["检验报告是否需要加盖骑缝章？"]);
    draft
}

async fn request(app: &TestApp, token: &str, body: &Value, key: &str) -> Response {
    app.client
        .post(app.url("/api/v1/guidance"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A Jinan enterprise's draft; returns its case id.
async fn drafted(app: &TestApp) -> String {
    let applicant = app.applicant_token(&jinan_enterprise());
    let response = request(app, &applicant, &draft(), "draft-1").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let case: Value = response.json().await.unwrap();
    assert_eq!(case["status"], "in_guidance");
    assert_eq!(
        location,
        format!("/api/v1/cases/{}", case["case_id"].as_str().unwrap())
    );
    case["case_id"].as_str().unwrap().to_owned()
}

fn guide(app: &TestApp, bureau: &str) -> String {
    app.officer_token(bureau, Post::Guide)
}

async fn a_guided_filing_reaches_acceptance_without_a_correction_round(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let draft_id = drafted(&app).await;
    // A retry of the draft under its key is the same draft.
    let again = request(&app, &applicant, &draft(), "draft-1").await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["case_id"], draft_id.as_str());
    app.ok_command(
        &guide(&app, "370100"),
        &draft_id,
        json!({"type": "comment_materials", "comments": [{"material": "申请书 application form",
            "comment": "申请书缺少法定代表人签字"}], "reply": "检验报告需要加盖骑缝章，请补充上传"}),
    )
    .await;
    app.ok_command(
        &applicant,
        &draft_id,
        json!({"type": "revise_draft", "materials": [
            {"name": "申请书 application form", "digest": "a".repeat(64)},
            {"name": "产品检验报告 product test report", "digest": "b".repeat(64)}]}),
    )
    .await;
    let commented = app
        .ok_command(
            &guide(&app, "370100"),
            &draft_id,
            json!({"type": "comment_materials", "comments": [], "reply": "材料齐全，可以提交申请"}),
        )
        .await;
    assert_eq!(commented["guidance"]["rounds"].as_array().unwrap().len(), 2);
    // Filed on the draft: the same case, its guidance kept.
    let mut filing = application("XK-003");
    filing["guidance_id"] = json!(draft_id);
    let filed = app.file(&applicant, &filing).await;
    assert_eq!(filed.status(), StatusCode::CREATED);
    let filed: Value = filed.json().await.unwrap();
    assert_eq!(filed["case_id"], draft_id.as_str());
    assert_eq!(filed["status"], "filed");
    assert_eq!(filed["guidance"]["revisions"], 1);
    let accepted = app
        .ok_command(
            &app.officer_token("370100", Post::Acceptor),
            &draft_id,
            json!({"type": "accept"}),
        )
        .await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["correction_rounds"], 0);
    // Guidance time is counted against no limit: the clock starts at the filing.
    let stretches = accepted["timeline"]["stretches"].as_array().unwrap();
    assert_eq!(stretches[0]["holder"], "acceptor", "{stretches:?}");
    let history: Value = app
        .client
        .get(app.url(&format!("/api/v1/cases/{draft_id}/history")))
        .bearer_auth(app.auditor_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "GuidanceRequested",
            "MaterialsCommented",
            "DraftRevised",
            "MaterialsCommented",
            "ApplicationFiled",
            "ApplicationAccepted"
        ]
    );
    // Filed once: a second filing on the draft is refused.
    let twice = app.file(&applicant, &filing).await;
    assert_problem(twice, StatusCode::CONFLICT, "already-filed").await;
}

async fn drafts_are_seen_by_their_enterprise_and_their_bureau_only(store: Store) {
    let app = spawn_app(store).await;
    let draft_id = drafted(&app).await;
    let other = app.applicant_token(&credit("91370102MA3C4F5J8"));
    let read = app.get_case(&other, &draft_id).await;
    assert_problem(read, StatusCode::NOT_FOUND, "case-not-found").await;
    let comment = json!({"type": "comment_materials", "comments": [],
        "reply": "请补充材料"});
    let elsewhere = app
        .command(&guide(&app, "370200"), &draft_id, comment.clone())
        .await;
    assert_problem(elsewhere, StatusCode::NOT_FOUND, "case-not-found").await;
    let not_a_guide = app
        .command(
            &app.officer_token("370100", Post::Acceptor),
            &draft_id,
            comment,
        )
        .await;
    assert_problem(not_a_guide, StatusCode::FORBIDDEN, "post-not-allowed").await;
    let list = |bureau: &'static str| {
        let token = guide(&app, bureau);
        let client = app.client.clone();
        let url = app.url("/api/v1/cases?status=in_guidance");
        async move {
            let listed: Value = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            listed["cases"].as_array().unwrap().len()
        }
    };
    assert_eq!(list("370100").await, 1, "the Jinan guide's worklist");
    assert_eq!(list("370200").await, 0, "Qingdao's guides see none of it");
}

async fn a_filing_may_name_only_its_own_draft(store: Store) {
    let app = spawn_app(store).await;
    let draft_id = drafted(&app).await;
    let head = app.log_head().await;
    let mut filing = application("XK-003");
    filing["guidance_id"] = json!(draft_id);
    let other = app.applicant_token(&credit("91370102MA3C4F5J8"));
    let refused = app.file(&other, &filing).await;
    assert_problem(refused, StatusCode::NOT_FOUND, "guidance-not-found").await;
    filing["guidance_id"] = json!("0190f2a4-6c1e-7000-8000-000000000001");
    let unknown = app
        .file(&app.applicant_token(&jinan_enterprise()), &filing)
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "guidance-not-found").await;
    let mut other_item = application("XK-001");
    other_item["guidance_id"] = json!(draft_id);
    let mismatch = app
        .file(&app.applicant_token(&jinan_enterprise()), &other_item)
        .await;
    assert_problem(
        mismatch,
        StatusCode::UNPROCESSABLE_ENTITY,
        "guidance-for-another-item",
    )
    .await;
    assert_eq!(app.log_head().await, head, "refusals write nothing");
}

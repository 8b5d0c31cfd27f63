//! Every error status: problem+json naming the rule, and nothing written.

use domain::Post;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    another_jinan_enterprise, application, assert_problem, jinan_enterprise, on_both_stores,
    qingdao_enterprise, spawn_app, Store,
};

on_both_stores!(
    a_malformed_body_is_400,
    a_missing_or_forged_token_is_401,
    another_companys_case_does_not_exist_for_an_applicant,
    another_citys_case_does_not_exist_for_its_officers,
    an_auditor_writes_nothing,
    an_unknown_case_is_404,
    a_domain_rule_refusal_is_422_naming_the_rule,
    a_stale_if_match_is_409_and_writes_nothing,
    an_oversized_body_is_413,
    a_client_cannot_choose_the_permit_number,
);

async fn a_malformed_body_is_400(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let response = app
        .client
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, "malformed-body").await;
    let mut bad_digest = application("XK-003");
    bad_digest["materials"][0]["digest"] = json!("not-a-digest");
    let body = assert_problem(
        app.file(&token, &bad_digest).await,
        StatusCode::BAD_REQUEST,
        "malformed-body",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("SHA-256"),
        "{body}"
    );
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let head = app.log_head().await;
    let acceptor = app.officer_token("370100", Post::Acceptor);
    let unknown_type = app
        .command(&acceptor, &case_id, json!({"type": "approve_everything"}))
        .await;
    assert_problem(unknown_type, StatusCode::BAD_REQUEST, "malformed-body").await;
    let unknown_field = app
        .command(&acceptor, &case_id, json!({"type": "accept", "note": "x"}))
        .await;
    assert_problem(unknown_field, StatusCode::BAD_REQUEST, "malformed-body").await;
    let bad_id = app
        .command(&acceptor, "not-a-case", json!({"type": "accept"}))
        .await;
    assert_problem(bad_id, StatusCode::BAD_REQUEST, "invalid-case-id").await;
    assert_eq!(app.log_head().await, head);
}

async fn a_missing_or_forged_token_is_401(store: Store) {
    let app = spawn_app(store).await;
    let response = app
        .client
        .post(app.url("/api/v1/cases"))
        .json(&application("XK-003"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, StatusCode::UNAUTHORIZED, "token-required").await;
    let forged = permit_ledger::http::tokens::TokenKeys::from_secret(&[9; 32]).issue(
        &domain::Actor::Auditor {
            subject: "mallory".into(),
        },
        chrono::Utc::now(),
        chrono::Duration::hours(1),
    );
    let response = app
        .client
        .get(app.url("/api/v1/cases"))
        .bearer_auth(forged)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "token-invalid").await;
    assert_eq!(app.log_head().await, 0);
}

/// A case its sender may not read answers as an unknown id does: 404 `case-not-found`, the
/// same body, nothing of the case (its bureau, its version) in it.
async fn another_companys_case_does_not_exist_for_an_applicant(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let other = app.applicant_token(&another_jinan_enterprise());
    let unknown = "0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8e";
    let read = assert_problem(
        app.get_case(&other, &case_id).await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    let read_unknown = assert_problem(
        app.get_case(&other, unknown).await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    assert_eq!(
        read["detail"].as_str().unwrap().replace(&case_id, unknown),
        read_unknown["detail"]
    );
    let withdraw = app
        .command(&other, &case_id, json!({"type": "withdraw", "reason": "x"}))
        .await;
    assert_problem(withdraw, StatusCode::NOT_FOUND, "case-not-found").await;
    assert_eq!(app.log_head().await, 1);
}

async fn another_citys_case_does_not_exist_for_its_officers(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let qingdao = app.officer_token("370200", Post::Acceptor);
    let refused = assert_problem(
        app.command(&qingdao, &case_id, json!({"type": "accept"}))
            .await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    assert!(!refused.to_string().contains("370100"), "{refused}");
    assert_problem(
        app.get_case(&qingdao, &case_id).await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    let wrong_post = app
        .command(
            &app.officer_token("370100", Post::Dispatcher),
            &case_id,
            json!({"type": "accept"}),
        )
        .await;
    assert_problem(wrong_post, StatusCode::FORBIDDEN, "post-not-allowed").await;
    // A Qingdao enterprise's case goes to Qingdao, where the Jinan officer is the outsider.
    let qingdao_case = app.file_case(&qingdao_enterprise(), "XK-003").await;
    let jinan = app.officer_token("370100", Post::Acceptor);
    assert_problem(
        app.command(&jinan, &qingdao_case, json!({"type": "accept"}))
            .await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    assert_eq!(app.log_head().await, 2);
}

async fn an_auditor_writes_nothing(store: Store) {
    let app = spawn_app(store).await;
    let auditor = app.auditor_token();
    assert_problem(
        app.file(&auditor, &application("XK-003")).await,
        StatusCode::FORBIDDEN,
        "auditors-read-only",
    )
    .await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    assert_problem(
        app.command(&auditor, &case_id, json!({"type": "accept"}))
            .await,
        StatusCode::FORBIDDEN,
        "auditors-read-only",
    )
    .await;
    assert_eq!(
        app.get_case(&auditor, &case_id).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.log_head().await, 1);
}

async fn an_unknown_case_is_404(store: Store) {
    let app = spawn_app(store).await;
    let unknown = "01930000-0000-7000-8000-000000000000";
    let officer = app.officer_token("370100", Post::Acceptor);
    assert_problem(
        app.get_case(&officer, unknown).await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    assert_problem(
        app.command(&officer, unknown, json!({"type": "accept"}))
            .await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    let nowhere = app
        .client
        .get(app.url("/api/v2/nothing"))
        .send()
        .await
        .unwrap();
    assert_problem(nowhere, StatusCode::NOT_FOUND, "no-such-resource").await;
    assert_eq!(app.log_head().await, 0);
}

async fn a_domain_rule_refusal_is_422_naming_the_rule(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let mut phased_out = application("XK-003");
    phased_out["product"] = json!("含汞体温计");
    assert_problem(
        app.file(&token, &phased_out).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "phase-out-catalogue",
    )
    .await;
    let mut incomplete = application("XK-003");
    incomplete["materials"].as_array_mut().unwrap().pop();
    assert_problem(
        app.file(&token, &incomplete).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "materials-incomplete",
    )
    .await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let approve = app
        .command(
            &app.officer_token("370100", Post::Approver),
            &case_id,
            json!({"type": "approve"}),
        )
        .await;
    assert_problem(
        approve,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not-allowed-in-state",
    )
    .await;
    assert_eq!(app.log_head().await, 1);
}

async fn a_stale_if_match_is_409_and_writes_nothing(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let acceptor = app.officer_token("370100", Post::Acceptor);
    let stale = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_id}/commands")))
        .bearer_auth(&acceptor)
        .header("if-match", "\"0\"")
        .json(&json!({"type": "accept"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::CONFLICT, "version-mismatch").await;
    assert_eq!(app.log_head().await, 1);
    let current = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_id}/commands")))
        .bearer_auth(&acceptor)
        .header("if-match", "\"1\"")
        .json(&json!({"type": "accept"}))
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), StatusCode::OK);
    assert_eq!(current.headers()["etag"], "\"2\"");
}

async fn an_oversized_body_is_413(store: Store) {
    let app = spawn_app(store).await;
    let mut huge = application("XK-003");
    huge["product"] = json!("肥".repeat(40_000));
    let response = app
        .file(&app.applicant_token(&jinan_enterprise()), &huge)
        .await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large").await;
    assert_eq!(app.log_head().await, 0);
}

async fn a_client_cannot_choose_the_permit_number(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let response = app
        .command(
            &app.officer_token("370100", Post::Approver),
            &case_id,
            json!({"type": "issue_permit", "scope": "x", "permit_number": "XK-003-370100-2026-99999"}),
        )
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "permit-number-allocated").await;
    assert_eq!(app.log_head().await, 1);
}

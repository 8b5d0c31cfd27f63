//! Worklists per bureau and status, narrowed to what each role may see.

use domain::Post;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    another_jinan_enterprise, assert_problem, jinan_enterprise, on_both_stores, qingdao_enterprise,
    spawn_app, Store, TestApp,
};

on_both_stores!(
    officers_list_their_own_citys_cases_by_status,
    applicants_list_only_their_own_cases
);

pub(crate) async fn list(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/cases{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn ids(response: reqwest::Response) -> Vec<String> {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn officers_list_their_own_citys_cases_by_status(store: Store) {
    let app = spawn_app(store).await;
    let jinan_filed = app.file_case(&jinan_enterprise(), "XK-003").await;
    let jinan_accepted = app.file_case(&jinan_enterprise(), "TS-001").await;
    app.ok_command(
        &app.officer_token("370100", Post::Acceptor),
        &jinan_accepted,
        json!({"type": "accept"}),
    )
    .await;
    let qingdao_filed = app.file_case(&qingdao_enterprise(), "XK-003").await;

    let jinan = app.officer_token("370100", Post::Acceptor);
    assert_eq!(
        ids(list(&app, &jinan, "?status=filed").await).await,
        vec![jinan_filed.clone()]
    );
    assert_eq!(
        ids(list(&app, &jinan, "?status=accepted").await).await,
        vec![jinan_accepted.clone()]
    );
    assert_eq!(ids(list(&app, &jinan, "").await).await.len(), 2);
    let qingdao = app.officer_token("370200", Post::Acceptor);
    assert_eq!(
        ids(list(&app, &qingdao, "").await).await,
        vec![qingdao_filed.clone()]
    );
    let province = app.officer_token("370000", Post::Reviewer);
    assert_eq!(
        ids(list(&app, &province, "?status=filed").await)
            .await
            .len(),
        2
    );
    assert_eq!(
        ids(list(&app, &province, "?bureau=370200").await).await,
        vec![qingdao_filed]
    );
    assert_problem(
        list(&app, &jinan, "?bureau=370200").await,
        StatusCode::FORBIDDEN,
        "own-area-only",
    )
    .await;
    assert_problem(
        list(&app, &jinan, "?status=lost").await,
        StatusCode::BAD_REQUEST,
        "invalid-parameter",
    )
    .await;
    assert_problem(
        list(&app, &jinan, "?colour=red").await,
        StatusCode::BAD_REQUEST,
        "unknown-parameter",
    )
    .await;
    assert_eq!(
        ids(list(&app, &app.auditor_token(), "?item=TS-001").await).await,
        vec![jinan_accepted]
    );
}

async fn applicants_list_only_their_own_cases(store: Store) {
    let app = spawn_app(store).await;
    let own = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.file_case(&another_jinan_enterprise(), "XK-003").await;
    let token = app.applicant_token(&jinan_enterprise());
    assert_eq!(ids(list(&app, &token, "").await).await, vec![own]);
    let query = format!("?credit_code={}", another_jinan_enterprise());
    assert_problem(
        list(&app, &token, &query).await,
        StatusCode::FORBIDDEN,
        "own-cases-only",
    )
    .await;
}

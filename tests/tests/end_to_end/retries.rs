//! A flaky client: writes sent again under their `Idempotency-Key` are done once and
//! answered as the first time, across restarts and servers; a client that goes away does not
//! cut its command off.

use std::time::Duration;

use domain::Post;
use permit_ledger::ledger::clock::log_timestamp;
use permit_ledger::ledger::Clock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use crate::helpers::{
    application, assert_problem, jinan_enterprise, on_both_stores, spawn_app, spawn_with, Store,
    TestApp,
};

on_both_stores!(
    a_filing_sent_again_under_its_key_makes_one_case,
    a_key_sent_again_with_another_request_is_a_422_and_writes_nothing,
    a_retried_command_is_answered_as_the_first_time_refusals_too,
    keys_hold_across_a_restart_and_a_second_server,
    retries_racing_each_other_make_one_case,
    a_claim_cut_off_by_a_crash_is_settled_from_the_log,
    a_client_that_goes_away_does_not_cut_its_command_off,
);

impl TestApp {
    async fn post_keyed(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn filings(&self) -> usize {
        self.all_events()
            .await
            .iter()
            .filter(|e| e.event_type == "ApplicationFiled")
            .count()
    }
}

async fn case_of(response: reqwest::Response, status: StatusCode) -> (Value, bool) {
    let replayed = response.headers().get("idempotent-replayed").is_some();
    assert_eq!(response.status(), status);
    (response.json().await.unwrap(), replayed)
}

async fn a_filing_sent_again_under_its_key_makes_one_case(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let body = application("XK-003");
    let first = app
        .post_keyed("/api/v1/cases", &token, "filing-1", &body)
        .await;
    let location = first.headers()["location"].clone();
    let (first, replayed) = case_of(first, StatusCode::CREATED).await;
    assert!(!replayed);
    let again = app
        .post_keyed("/api/v1/cases", &token, "filing-1", &body)
        .await;
    assert_eq!(again.headers()["location"], location);
    let (again, replayed) = case_of(again, StatusCode::CREATED).await;
    assert!(replayed, "the second answer says it is the first one's");
    assert_eq!(again["case_id"], first["case_id"]);
    assert_eq!(
        again["contact"], first["contact"],
        "opened as the first answer was"
    );
    assert_eq!(app.filings().await, 1);
    // The quoted (structured-field) form names the same key.
    let quoted = app
        .post_keyed("/api/v1/cases", &token, "\"filing-1\"", &body)
        .await;
    assert_eq!(
        case_of(quoted, StatusCode::CREATED).await.0["case_id"],
        first["case_id"]
    );
    // Without a key, the same body is another filing, as it always was.
    let unkeyed = app.file(&token, &body).await;
    assert_eq!(unkeyed.status(), StatusCode::CREATED);
    assert_eq!(app.filings().await, 2);
    // Another sender's key of the same name is its own.
    let other = app.applicant_token(&crate::helpers::another_jinan_enterprise());
    let theirs = app
        .post_keyed("/api/v1/cases", &other, "filing-1", &body)
        .await;
    let (theirs, replayed) = case_of(theirs, StatusCode::CREATED).await;
    assert!(!replayed);
    assert_ne!(theirs["case_id"], first["case_id"]);
    let refused = app
        .post_keyed("/api/v1/cases", &token, "a key", &body)
        .await;
    assert_problem(refused, StatusCode::BAD_REQUEST, "invalid-idempotency-key").await;
}

async fn a_key_sent_again_with_another_request_is_a_422_and_writes_nothing(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let filed = app
        .post_keyed("/api/v1/cases", &token, "k", &application("XK-003"))
        .await;
    let (case, _) = case_of(filed, StatusCode::CREATED).await;
    let head = app.log_head().await;
    let mut other = application("XK-003");
    other["product"] = json!("另一种产品");
    let refused = app.post_keyed("/api/v1/cases", &token, "k", &other).await;
    assert_problem(
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    )
    .await;
    // The same key on another path is another request too.
    let path = format!(
        "/api/v1/cases/{}/commands",
        case["case_id"].as_str().unwrap()
    );
    let refused = app
        .post_keyed(
            &path,
            &token,
            "k",
            &json!({"type": "withdraw", "reason": "不再需要"}),
        )
        .await;
    assert_problem(
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    )
    .await;
    assert_eq!(app.log_head().await, head, "nothing written");
}

async fn a_retried_command_is_answered_as_the_first_time_refusals_too(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let path = format!("/api/v1/cases/{case_id}/commands");
    let acceptor = app.officer_token("370100", Post::Acceptor);
    let accept = json!({"type": "accept"});
    let first = app.post_keyed(&path, &acceptor, "accept-1", &accept).await;
    let (first, _) = case_of(first, StatusCode::OK).await;
    let again = app.post_keyed(&path, &acceptor, "accept-1", &accept).await;
    let (again, replayed) = case_of(again, StatusCode::OK).await;
    assert!(replayed);
    assert_eq!(again["status"], "accepted");
    assert_eq!(again["version"], first["version"], "accepted once");
    // Without its key the retry is a second command, which the case refuses.
    let unkeyed = app.command(&acceptor, &case_id, accept.clone()).await;
    assert_eq!(unkeyed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A refusal is the request's answer too, and stays it.
    let reviewer = app.officer_token("370100", Post::Reviewer);
    let approve = json!({"type": "approve"});
    let refused = app
        .post_keyed(&path, &reviewer, "approve-1", &approve)
        .await;
    let first_refusal = assert_problem(refused, StatusCode::FORBIDDEN, "post-not-allowed").await;
    let refused = app
        .post_keyed(&path, &reviewer, "approve-1", &approve)
        .await;
    assert_eq!(refused.headers()["idempotent-replayed"], "true");
    let again = assert_problem(refused, StatusCode::FORBIDDEN, "post-not-allowed").await;
    assert_eq!(again["detail"], first_refusal["detail"]);
    assert_ne!(again["request_id"], first_refusal["request_id"]);
}

async fn keys_hold_across_a_restart_and_a_second_server(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let body = application("XK-003");
    let (first, _) = case_of(
        app.post_keyed("/api/v1/cases", &token, "durable", &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let elsewhere = app.second_server(
        store,
        "second-server",
        &["checkpoint-key", "master-key", "token-secret"],
    );
    let second = spawn_with(elsewhere.clone(), None).await;
    let (there, replayed) = case_of(
        second
            .post_keyed("/api/v1/cases", &token, "durable", &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(replayed);
    assert_eq!(there["case_id"], first["case_id"]);
    drop(second);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let restarted = spawn_with(elsewhere, None).await;
    let (after, replayed) = case_of(
        restarted
            .post_keyed("/api/v1/cases", &token, "durable", &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(replayed);
    assert_eq!(after["case_id"], first["case_id"]);
    assert_eq!(app.filings().await, 1);
}

async fn retries_racing_each_other_make_one_case(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let body = application("XK-003");
    let sends = (0..8).map(|_| app.post_keyed("/api/v1/cases", &token, "raced", &body));
    let mut case_ids = Vec::new();
    for response in futures::future::join_all(sends).await {
        match response.status() {
            StatusCode::CREATED => {
                let case: Value = response.json().await.unwrap();
                case_ids.push(case["case_id"].clone());
            }
            StatusCode::CONFLICT => {
                assert_eq!(response.headers()["retry-after"], "1");
                assert_problem(response, StatusCode::CONFLICT, "request-in-progress").await;
            }
            other => panic!("{other}: {}", response.text().await.unwrap()),
        }
    }
    assert!(!case_ids.is_empty());
    assert!(case_ids.iter().all(|id| *id == case_ids[0]), "{case_ids:?}");
    assert_eq!(app.filings().await, 1);
}

/// A server that stopped between committing a keyed request and recording its answer leaves
/// the key claimed and unanswered; once the claim's lease is over, a retry finds the events
/// and answers them; a claim with no events behind it is handled again.
async fn a_claim_cut_off_by_a_crash_is_settled_from_the_log(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let body = application("XK-003");
    let (first, _) = case_of(
        app.post_keyed("/api/v1/cases", &token, "cut-off", &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    forget_answers(&app, "cut-off").await;
    let early = app
        .post_keyed("/api/v1/cases", &token, "cut-off", &body)
        .await;
    assert_problem(early, StatusCode::CONFLICT, "request-in-progress").await;
    app.clock.advance(chrono::Duration::seconds(61));
    let (settled, replayed) = case_of(
        app.post_keyed("/api/v1/cases", &token, "cut-off", &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(replayed);
    assert_eq!(settled["case_id"], first["case_id"]);
    assert_eq!(app.filings().await, 1);

    // Claimed, then the server stopped before it wrote anything: the retry files it, under
    // the case id the first try was given.
    let case_id = uuid::Uuid::now_v7().to_string();
    let claimed = log_timestamp(Clock::now(&*app.clock));
    insert_claim(&app, "never-done", &case_id, &claimed).await;
    app.clock.advance(chrono::Duration::seconds(61));
    let (done, replayed) = case_of(
        app.post_keyed("/api/v1/cases", &token, "never-done", &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(!replayed);
    assert_eq!(done["case_id"], case_id.as_str());
    assert_eq!(app.filings().await, 2);
}

/// Makes the key `key` look claimed and never answered.
async fn forget_answers(app: &TestApp, key: &str) {
    projections::on_db!(app.db(), |pool| sqlx::query(
        "UPDATE idempotency_keys SET status = NULL, outcome = NULL WHERE idempotency_key = $1"
    )
    .bind(key)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
}

/// A claim on `key` for a filing as `cut-off`'s was made, with `case_id`, at `claimed_at`.
async fn insert_claim(app: &TestApp, key: &str, case_id: &str, claimed_at: &str) {
    projections::on_db!(app.db(), |pool| sqlx::query(
        "INSERT INTO idempotency_keys (scope, idempotency_key, request_digest, claim_id, \
         case_id, success_status, claimed_at) SELECT scope, $1, request_digest, 'lost', $2, \
         201, $3 FROM idempotency_keys WHERE idempotency_key = 'cut-off'"
    )
    .bind(key)
    .bind(case_id)
    .bind(claimed_at)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
}

/// Clients that send an issuance and hang up at once: each issuance is still made.
async fn a_client_that_goes_away_does_not_cut_its_command_off(store: Store) {
    let app = spawn_app(store).await;
    let mut cases = Vec::new();
    for _ in 0..12 {
        let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
        app.through_approval(&case_id).await;
        cases.push(case_id);
    }
    let approver = app.officer_token("370100", Post::Approver);
    let address = app.address.trim_start_matches("http://").to_owned();
    for case_id in &cases {
        let body = r#"{"type": "issue_permit", "scope": "复合肥料"}"#;
        let request = format!(
            "POST /api/v1/cases/{case_id}/commands HTTP/1.1\r\nHost: {address}\r\n\
             Authorization: Bearer {approver}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        socket.write_all(request.as_bytes()).await.unwrap();
        socket.shutdown().await.unwrap();
        drop(socket);
    }
    let auditor = app.auditor_token();
    for case_id in &cases {
        let mut status = Value::Null;
        for _ in 0..100 {
            let case: Value = app.get_case(&auditor, case_id).await.json().await.unwrap();
            status = case["status"].clone();
            if status == "issued" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(status, "issued", "{case_id}");
    }
}

//! A permit's life after issuance over HTTP: amended by declaration, renewed in its window,
//! cancelled, expired by the ledger itself (once, with two servers on one store), each one
//! public notice of its kind; feeds filtered by kind and read by a real reader; refusals that
//! write nothing.

use domain::Post;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    another_jinan_enterprise, application, assert_problem, credit, jinan_enterprise,
    on_both_stores, read_feeds, spawn_app, spawn_with, Store, TestApp,
};

on_both_stores!(
    an_amendment_goes_from_declaration_to_one_public_notice,
    a_renewal_outside_its_window_is_refused_and_writes_nothing,
    a_permit_awaiting_an_amendment_and_a_renewal_is_in_both_worklists,
    an_ended_permit_refuses_what_only_a_permit_in_force_accepts,
    an_expiry_at_midnight_in_shanghai_is_recorded_once_by_two_servers,
    feeds_carry_every_kind_and_filter_by_kind,
);

/// Sets the ledger's clock to 10:00 in Shanghai on `day`.
fn on(app: &TestApp, day: &str) {
    app.set_time(&format!("{day}T02:00:00Z"));
}

fn approver(app: &TestApp) -> String {
    app.officer_token("370100", Post::Approver)
}

/// Files a GF-002 application (valid a year) for `credit_code` and takes it to issuance;
/// returns the case id and permit number.
async fn issued(app: &TestApp, credit_code: &domain::values::CreditCode) -> (String, String) {
    let response = app
        .file(&app.applicant_token(credit_code), &application("GF-002"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case: Value = response.json().await.unwrap();
    let case_id = case["case_id"].as_str().unwrap().to_owned();
    let issued = app.through_issuance(&case_id).await;
    let number = issued["permit"]["permit_number"]
        .as_str()
        .unwrap()
        .to_owned();
    (case_id, number)
}

fn rename(new_name: &str) -> Value {
    json!({"type": "request_amendment", "field": "enterprise_name", "new_value": new_name,
        "declaration": "本企业名称已依法变更，与营业执照一致"})
}

/// The kinds of the notices `path` (a listing or `/permits/...` JSON) holds, in order.
async fn kinds(app: &TestApp, path: &str) -> Vec<String> {
    let document: Value = serde_json::from_str(&app.public_text(path).await).unwrap();
    let notices = document
        .pointer("/_permit_ledger/notices")
        .or_else(|| document.get("notices"))
        .unwrap();
    notices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_amendment_goes_from_declaration_to_one_public_notice(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let (case_id, number) = issued(&app, &jinan_enterprise()).await;
    let requested = app
        .ok_command(&applicant, &case_id, rename("山东恒力新材料有限公司"))
        .await;
    assert_eq!(
        requested["permit_life"]["pending_amendment"]["new_value"],
        "山东恒力新材料有限公司"
    );
    let listed = app
        .get_public("/api/v1/cases?pending=amendment")
        .await
        .status();
    assert_eq!(listed, StatusCode::UNAUTHORIZED, "worklists need a token");
    let worklist: Value = app
        .client
        .get(app.url("/api/v1/cases?pending=amendment"))
        .bearer_auth(approver(&app))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(worklist["cases"][0]["case_id"], case_id.as_str());
    let amended = app
        .ok_command(
            &approver(&app),
            &case_id,
            json!({"type": "approve_amendment"}),
        )
        .await;
    assert_eq!(amended["enterprise_name"], "山东恒力新材料有限公司");
    assert_eq!(amended["status"], "issued", "the permit stays in force");
    on(&app, "2026-11-03");
    app.publish().await;
    assert_eq!(
        kinds(&app, "/listings/2026-11-02.json").await,
        ["issued", "amended"]
    );
    let record: Value =
        serde_json::from_str(&app.public_text(&format!("/permits/{number}")).await).unwrap();
    assert_eq!(record["current"]["state"], "in_force");
    assert_eq!(
        record["current"]["enterprise_name"],
        "山东恒力新材料有限公司"
    );
    let amendment = &record["notices"][1]["amendment"];
    assert_eq!(amendment["field"], "enterprise_name");
    assert_eq!(amendment["old_value"], "济南恒力化工有限公司");
    assert_eq!(amendment["new_value"], "山东恒力新材料有限公司");
    // A permit's document has validators like every other.
    let etag = app
        .get_public(&format!("/permits/{number}"))
        .await
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let again = app
        .get_with(&format!("/permits/{number}"), "If-None-Match", &etag)
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

/// The case ids Jinan's approver lists with `?pending=`.
async fn pending(app: &TestApp, what: &str) -> Vec<String> {
    let listed: Value = app
        .client
        .get(app.url(&format!("/api/v1/cases?pending={what}")))
        .bearer_auth(approver(app))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_permit_awaiting_an_amendment_and_a_renewal_is_in_both_worklists(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let (case_id, _) = issued(&app, &jinan_enterprise()).await;
    on(&app, "2027-06-01");
    app.ok_command(&applicant, &case_id, json!({"type": "request_renewal"}))
        .await;
    app.ok_command(&applicant, &case_id, rename("山东恒力新材料有限公司"))
        .await;
    assert_eq!(pending(&app, "renewal").await, [case_id.as_str()]);
    assert_eq!(pending(&app, "amendment").await, [case_id.as_str()]);
    app.ok_command(
        &app.officer_token("370100", Post::Acceptor),
        &case_id,
        json!({"type": "accept_renewal"}),
    )
    .await;
    assert!(pending(&app, "renewal").await.is_empty());
    assert_eq!(pending(&app, "renewal_decision").await, [case_id.as_str()]);
    assert_eq!(pending(&app, "amendment").await, [case_id.as_str()]);
}

async fn a_renewal_outside_its_window_is_refused_and_writes_nothing(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let (case_id, _) = issued(&app, &jinan_enterprise()).await;
    let head = app.log_head().await;
    let refused = app
        .command(&applicant, &case_id, json!({"type": "request_renewal"}))
        .await;
    let problem = assert_problem(
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside-renewal-window",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("2027-05-02"),
        "{problem}"
    );
    assert_eq!(app.log_head().await, head, "a refusal writes nothing");
    // In the window: requested, accepted with its own committed limit, approved.
    on(&app, "2027-06-01");
    app.ok_command(&applicant, &case_id, json!({"type": "request_renewal"}))
        .await;
    let accepted = app
        .ok_command(
            &app.officer_token("370100", Post::Acceptor),
            &case_id,
            json!({"type": "accept_renewal"}),
        )
        .await;
    assert_eq!(
        accepted["permit_life"]["pending_renewal"]["committed_deadline"]["working_days"],
        5
    );
    let renewed = app
        .ok_command(
            &approver(&app),
            &case_id,
            json!({"type": "approve_renewal"}),
        )
        .await;
    assert_eq!(renewed["permit"]["valid_from"], "2027-11-02");
    assert_eq!(renewed["permit"]["valid_until"], "2028-11-01");
    let head = app.log_head().await;
    let twice = app
        .command(
            &approver(&app),
            &case_id,
            json!({"type": "approve_renewal"}),
        )
        .await;
    assert_problem(twice, StatusCode::UNPROCESSABLE_ENTITY, "nothing-pending").await;
    assert_eq!(app.log_head().await, head);
}

async fn an_ended_permit_refuses_what_only_a_permit_in_force_accepts(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let (case_id, _) = issued(&app, &jinan_enterprise()).await;
    let cancelled = app
        .ok_command(
            &applicant,
            &case_id,
            json!({"type": "cancel_permit", "reason": "企业停产"}),
        )
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["permit_life"]["cancellation"]["ground"],
        "enterprise_request"
    );
    let head = app.log_head().await;
    on(&app, "2027-06-01");
    for (token, body) in [
        (applicant.clone(), rename("新名称有限公司")),
        (applicant.clone(), json!({"type": "request_renewal"})),
        (
            approver(&app),
            json!({"type": "revoke_permit", "reason": "x"}),
        ),
        (
            approver(&app),
            json!({"type": "cancel_permit", "reason": "x"}),
        ),
    ] {
        let refused = app.command(&token, &case_id, body).await;
        assert_problem(
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-allowed-in-state",
        )
        .await;
    }
    // Only the ledger records an expiry; nobody can send one.
    let forged = app
        .command(&approver(&app), &case_id, json!({"type": "expire_permit"}))
        .await;
    assert_problem(forged, StatusCode::FORBIDDEN, "system-only").await;
    assert_eq!(app.log_head().await, head, "refusals write nothing");
}

async fn an_expiry_at_midnight_in_shanghai_is_recorded_once_by_two_servers(store: Store) {
    let app = spawn_app(store).await;
    let (case_id, number) = issued(&app, &jinan_enterprise()).await;
    let elsewhere = app.second_server(store, "second-server", &["checkpoint-key", "master-key"]);
    let second = spawn_with(elsewhere, None).await;
    // 23:59:59 on the last day of validity, in Shanghai: still valid.
    let last_second = "2027-11-01T15:59:59Z";
    app.set_time(last_second);
    second.set_time(last_second);
    assert_eq!(app.ledger.expire_due_permits().await.unwrap(), 0);
    // Midnight: both servers (and their background tasks) record the expiry at once.
    let midnight = "2027-11-01T16:00:00Z";
    app.set_time(midnight);
    second.set_time(midnight);
    let (one, other) = tokio::join!(
        app.ledger.expire_due_permits(),
        second.ledger.expire_due_permits()
    );
    assert!(one.unwrap() + other.unwrap() <= 1);
    app.ledger.catch_up().await.unwrap();
    let expiries: Vec<_> = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "PermitExpired")
        .collect();
    assert_eq!(expiries.len(), 1, "one expiry in the log");
    assert_eq!(expiries[0].aggregate_id, case_id);
    assert_eq!(expiries[0].metadata_map().unwrap()["actor_role"], "system");
    let case: Value = app
        .get_case(&app.auditor_token(), &case_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "expired");
    assert_eq!(case["permit_life"]["expired_on"], "2027-11-02");
    app.set_time("2027-11-03T01:00:00Z");
    second.set_time("2027-11-03T01:00:00Z");
    app.publish().await;
    second.publish().await;
    assert_eq!(kinds(&app, "/listings/2027-11-02.json").await, ["expired"]);
    let record: Value =
        serde_json::from_str(&app.public_text(&format!("/permits/{number}")).await).unwrap();
    assert_eq!(record["current"]["state"], "expired");
    assert_eq!(record["current"]["ended_on"], "2027-11-02");
}

async fn feeds_carry_every_kind_and_filter_by_kind(store: Store) {
    let app = spawn_app(store).await;
    let applicant_of = |code: &domain::values::CreditCode| app.applicant_token(code);
    // Issued in November 2026, valid to 2027-11-01: one to renew, one to let expire.
    let renewing = credit("91370102MA3C4F5J8");
    let (to_renew, _) = issued(&app, &renewing).await;
    let (_, to_expire) = issued(&app, &another_jinan_enterprise()).await;
    // The week before that expiry: three more permits, amended, cancelled and revoked.
    on(&app, "2027-10-28");
    let (to_amend, _) = issued(&app, &jinan_enterprise()).await;
    app.ok_command(
        &applicant_of(&jinan_enterprise()),
        &to_amend,
        json!({"type": "request_amendment", "field": "address",
            "new_value": "济南市历下区经十路1号", "declaration": "住所已变更"}),
    )
    .await;
    app.ok_command(
        &approver(&app),
        &to_amend,
        json!({"type": "approve_amendment"}),
    )
    .await;
    let cancelling = credit("91370102MA3C4F5K6");
    let (to_cancel, _) = issued(&app, &cancelling).await;
    app.ok_command(
        &approver(&app),
        &to_cancel,
        json!({"type": "cancel_permit", "reason": "企业已注销登记"}),
    )
    .await;
    let revoking = credit("91370102MA3C4F5L4");
    let (to_revoke, _) = issued(&app, &revoking).await;
    app.ok_command(
        &approver(&app),
        &to_revoke,
        json!({"type": "revoke_permit", "reason": "生产条件不再符合"}),
    )
    .await;
    on(&app, "2027-10-29");
    app.ok_command(
        &applicant_of(&renewing),
        &to_renew,
        json!({"type": "request_renewal"}),
    )
    .await;
    app.ok_command(
        &app.officer_token("370100", Post::Acceptor),
        &to_renew,
        json!({"type": "accept_renewal"}),
    )
    .await;
    app.ok_command(
        &approver(&app),
        &to_renew,
        json!({"type": "approve_renewal"}),
    )
    .await;
    on(&app, "2027-11-02");
    app.ledger.expire_due_permits().await.unwrap();
    on(&app, "2027-11-03");
    app.publish().await;
    let kinds = [
        "issued",
        "amended",
        "renewed",
        "cancelled",
        "expired",
        "revoked",
    ];
    let mut paths: Vec<String> = kinds
        .iter()
        .map(|k| format!("/feeds/permits.json?kind={k}"))
        .collect();
    paths.push("/feeds/permits.rss".to_owned());
    paths.push("/feeds/permits.rss?kind=renewed".to_owned());
    let urls: Vec<String> = paths.iter().map(|p| app.url(p)).collect();
    let read = read_feeds(&urls);
    for feed in &read {
        assert_eq!(feed["bozo"], 0, "{feed}");
    }
    let entries = |i: usize| read[i]["entries"].as_array().unwrap().len();
    // Three permits issued in the week; one notice of every other kind.
    let expected = [3, 1, 1, 1, 1, 1];
    for (i, kind) in kinds.iter().enumerate() {
        assert_eq!(entries(i), expected[i], "{kind}");
    }
    assert_eq!(entries(6), 8, "the unfiltered feed holds them all");
    let renewed_title = read[7]["entries"][0]["title"].as_str().unwrap();
    assert!(
        renewed_title.starts_with("延续许可 Permit renewed"),
        "{renewed_title}"
    );
    assert!(
        !app.public_text(&format!("/permits/{to_expire}"))
            .await
            .is_empty(),
        "the expired permit has its record"
    );
    let unknown = app.get_public("/feeds/permits.rss?kind=suspended").await;
    assert_problem(unknown, StatusCode::BAD_REQUEST, "unknown-notice-kind").await;
}

//! The list of seriously untrustworthy entities over HTTP: a false commitment found by a check
//! lists the enterprise in the same commit as the revocation, publicly (JSON and both feeds,
//! read by a real reader); a listed enterprise files without a commitment only, for a full
//! review, and officers see its listing; a provincial approver removes it, once.

use domain::Post;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    application, assert_problem, jinan_enterprise, on_both_stores, read_feeds, spawn_app, Store,
    TestApp,
};

on_both_stores!(
    a_false_commitment_lists_the_enterprise_publicly_in_the_same_commit,
    a_listed_enterprise_files_without_a_commitment_for_a_full_review,
    a_provincial_approver_removes_a_listing_once_and_the_removal_is_published,
    an_approvers_revocation_for_a_false_commitment_lists_too,
);

const NAME: &str = "济南恒力化工有限公司";

/// A permit issued on a commitment, found false by the inspector: the revoked case.
async fn listed_by_a_check(app: &TestApp) -> Value {
    let issued = app
        .issued_case_on_commitment(&jinan_enterprise(), NAME)
        .await;
    let case_id = issued["case_id"].as_str().unwrap();
    let check = json!({"type": "record_post_issuance_check", "result": "false_commitment",
        "findings": "SENTINEL-CHECK-FINDINGS 现场无生产设备"});
    app.ok_command(
        &app.officer_token("370100", Post::Inspector),
        case_id,
        check,
    )
    .await
}

async fn blacklist(app: &TestApp) -> Value {
    serde_json::from_str(&app.public_text("/blacklist.json").await).unwrap()
}

fn with_commitment(mut body: Value) -> Value {
    body["commitment"] =
        json!({"signed_by": "李明 法定代表人", "statement": "本企业承诺符合许可条件"});
    body
}

async fn remove(app: &TestApp, token: &str, reason: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/credit-records/{}/commands",
            jinan_enterprise()
        )))
        .bearer_auth(token)
        .json(&json!({"type": "remove_from_blacklist", "reason": reason}))
        .send()
        .await
        .unwrap()
}

async fn a_false_commitment_lists_the_enterprise_publicly_in_the_same_commit(store: Store) {
    let app = spawn_app(store).await;
    let revoked = listed_by_a_check(&app).await;
    let case_id = revoked["case_id"].as_str().unwrap();
    let permit_number = revoked["permit"]["permit_number"].as_str().unwrap();
    // One decision: the check, the revocation and the listing commit together, in order.
    let events = app.all_events().await;
    let last: Vec<_> = events[events.len() - 3..].to_vec();
    assert_eq!(
        last.iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        [
            "PostIssuanceCheckRecorded",
            "PermitRevoked",
            "EnterpriseListed"
        ]
    );
    assert_eq!(last[0].aggregate_id, case_id);
    assert_eq!(last[2].aggregate_type, "CreditRecord");
    assert_eq!(
        last[2].aggregate_id,
        format!("credit-{}", jinan_enterprise())
    );
    assert_eq!(last[2].position, last[0].position + 2);
    assert_eq!(last[2].recorded_at, last[0].recorded_at);

    let list = blacklist(&app).await;
    assert_eq!(list["as_of"], "2026-11-02");
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{list}");
    let entry = &entries[0];
    assert_eq!(entry["credit_code"], jinan_enterprise().to_string());
    assert_eq!(entry["enterprise_name"], NAME);
    assert_eq!(entry["permit_number"], permit_number);
    assert_eq!(entry["bureau"], "370100");
    assert_eq!(entry["bureau_name"], "济南市市场监督管理局");
    assert_eq!(entry["listed_on"], "2026-11-02");
    assert_eq!(entry["listed_until"], "2029-11-01", "three years, by data");
    assert!(entry["basis"].as_str().unwrap().contains("行政许可法"));
    assert!(entry["reason"].as_str().unwrap().contains("告知承诺"));
    let text = app.public_text("/blacklist.json").await;
    assert!(!text.contains("SENTINEL"), "the findings stay private");
    assert!(!text.contains("李明"), "the signer is personal");

    // Validators like every public document.
    let first = app.get_public("/blacklist.json").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(first.headers().contains_key("last-modified"));
    let again = app
        .get_with("/blacklist.json", "If-None-Match", &etag)
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let urls = [
        app.url("/feeds/blacklist.rss"),
        app.url("/feeds/blacklist.json"),
    ];
    for feed in read_feeds(&urls) {
        assert_eq!(feed["bozo"], 0, "{feed}");
        assert_eq!(feed["json_problems"], json!([]), "{feed}");
        let entries = feed["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{feed}");
        let title = entries[0]["title"].as_str().unwrap();
        assert!(
            title.contains("列入名单 Listed") && title.contains(NAME),
            "{title}"
        );
    }
    for url in ["/feeds/blacklist.rss", "/feeds/blacklist.json"] {
        let feed = app.get_public(url).await;
        let etag = feed.headers()["etag"].to_str().unwrap().to_owned();
        let body = feed.text().await.unwrap();
        assert!(
            !body.contains("SENTINEL") && !body.contains("李明"),
            "{body}"
        );
        let again = app.get_with(url, "If-None-Match", &etag).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{url}");
    }
}

async fn a_listed_enterprise_files_without_a_commitment_for_a_full_review(store: Store) {
    let app = spawn_app(store).await;
    listed_by_a_check(&app).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let head = app.log_head().await;
    let refused = app
        .file(&applicant, &with_commitment(application("XK-003")))
        .await;
    assert_problem(
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "blacklisted-no-commitment",
    )
    .await;
    assert_eq!(app.log_head().await, head, "a refusal writes nothing");

    let filed = app.file(&applicant, &application("XK-003")).await;
    assert_eq!(filed.status(), StatusCode::CREATED);
    let filed: Value = filed.json().await.unwrap();
    assert_eq!(filed["applicant_listed"], true, "marked for a full review");
    let case_id = filed["case_id"].as_str().unwrap();
    let acceptor = app.officer_token("370100", Post::Acceptor);
    let read = app
        .get_json(&acceptor, &format!("/api/v1/cases/{case_id}"))
        .await;
    assert_eq!(read["listing"]["listed_until"], "2029-11-01", "{read}");
    let worklist = app.get_json(&acceptor, "/api/v1/cases?status=filed").await;
    let listed = worklist["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == case_id)
        .unwrap();
    assert_eq!(listed["listing"]["listed_on"], "2026-11-02");
}

async fn a_provincial_approver_removes_a_listing_once_and_the_removal_is_published(store: Store) {
    let app = spawn_app(store).await;
    listed_by_a_check(&app).await;
    let head = app.log_head().await;
    let city = remove(&app, &app.officer_token("370100", Post::Approver), "修复").await;
    assert_problem(city, StatusCode::FORBIDDEN, "provincial-approver-only").await;
    let province = app.officer_token("370000", Post::Approver);
    let no_reason = remove(&app, &province, " ").await;
    assert_problem(
        no_reason,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required-field",
    )
    .await;
    assert_eq!(app.log_head().await, head, "refusals write nothing");

    app.set_time("2027-06-01T02:00:00Z");
    let keyed = |key: &str| {
        app.client
            .post(app.url(&format!(
                "/api/v1/credit-records/{}/commands",
                jinan_enterprise()
            )))
            .bearer_auth(&province)
            .header("Idempotency-Key", key.to_owned())
            .json(&json!({"type": "remove_from_blacklist", "reason": "已完成信用修复"}))
            .send()
    };
    let removed = keyed("removal-1").await.unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    let removed: Value = removed.json().await.unwrap();
    assert_eq!(removed["removal"]["removed_on"], "2027-06-01");
    assert_eq!(removed["removal"]["reason"], "已完成信用修复");
    let retried = keyed("removal-1").await.unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.headers()["idempotent-replayed"], "true");
    assert_eq!(retried.json::<Value>().await.unwrap(), removed);
    let removals = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "RemovedFromBlacklist")
        .count();
    assert_eq!(removals, 1, "a retried removal is recognised");

    assert_eq!(blacklist(&app).await["entries"], json!([]));
    let again = remove(&app, &province, "再次移出").await;
    assert_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "not-listed").await;
    for feed in read_feeds(&[
        app.url("/feeds/blacklist.rss"),
        app.url("/feeds/blacklist.json"),
    ]) {
        assert_eq!(feed["bozo"], 0, "{feed}");
        let titles: Vec<&str> = feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles.len(), 2, "{feed}");
        assert!(titles[0].starts_with("移出名单 Removed"), "{titles:?}");
        assert!(titles[1].starts_with("列入名单 Listed"), "{titles:?}");
    }
    // Off the list, the commitment route is open again.
    let filed = app
        .file(
            &app.applicant_token(&jinan_enterprise()),
            &with_commitment(application("XK-003")),
        )
        .await;
    assert_eq!(filed.status(), StatusCode::CREATED);
}

async fn an_approvers_revocation_for_a_false_commitment_lists_too(store: Store) {
    let app = spawn_app(store).await;
    let issued = app
        .issued_case_on_commitment(&jinan_enterprise(), NAME)
        .await;
    let revocation =
        json!({"type": "revoke_permit", "reason": "承诺内容不实", "false_commitment": true});
    app.ok_command(
        &app.officer_token("370100", Post::Approver),
        issued["case_id"].as_str().unwrap(),
        revocation,
    )
    .await;
    let entries = blacklist(&app).await["entries"].clone();
    assert_eq!(entries[0]["reason"], "承诺内容不实", "{entries}");
}

//! Checks after issuance over HTTP: due within the item's limit for a permit issued on a
//! commitment, listed for inspectors when due and overdue, rectified then conforming; a false
//! commitment found by a check revokes the permit in one commit, published as blacklisted.

use domain::Post;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, jinan_enterprise, on_both_stores, spawn_app, Store, TestApp};

on_both_stores!(
    a_check_is_due_listed_rectified_and_closed,
    a_false_commitment_found_by_a_check_revokes_the_permit_at_once,
);

fn inspector(app: &TestApp) -> String {
    app.officer_token("370100", Post::Inspector)
}

/// The case ids an inspector of Jinan lists with `?check=`.
async fn listed(app: &TestApp, check: &str) -> Vec<String> {
    let listed: Value = app
        .client
        .get(app.url(&format!("/api/v1/cases?check={check}")))
        .bearer_auth(inspector(app))
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

/// The open checks in the Jinan bureau's figures.
async fn open_checks(app: &TestApp) -> Value {
    let figures: Value = app
        .client
        .get(app.url("/api/v1/supervision/efficiency?from=2026-11-01&to=2026-12-31"))
        .bearer_auth(app.officer_token("370100", Post::Approver))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    figures["total"]["open_checks"].clone()
}

fn check(result: &str, rectify_by: Option<&str>) -> Value {
    let mut body = json!({"type": "record_post_issuance_check", "result": result,
        "findings": "现场核查：原料仓库与承诺一致"});
    if let Some(by) = rectify_by {
        body["rectify_by"] = json!(by);
    }
    body
}

async fn a_check_is_due_listed_rectified_and_closed(store: Store) {
    let app = spawn_app(store).await;
    let issued = app
        .issued_case_on_commitment(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    let case_id = issued["case_id"].as_str().unwrap().to_owned();
    // Issued on Monday 2 November 2026: 20 working days later.
    assert_eq!(issued["permit_life"]["check_due"], "2026-11-30");
    assert_eq!(listed(&app, "due").await, [case_id.as_str()]);
    assert!(listed(&app, "overdue").await.is_empty());
    assert_eq!(open_checks(&app).await, json!({"due": 1, "overdue": 0}));
    app.set_time("2026-12-01T02:00:00Z");
    assert_eq!(listed(&app, "overdue").await, [case_id.as_str()]);
    assert_eq!(open_checks(&app).await, json!({"due": 1, "overdue": 1}));
    let head = app.log_head().await;
    for (body, rule) in [
        (check("rectify", None), "required-field"),
        (check("rectify", Some("2026-11-20")), "rectify-by-passed"),
        (
            check("conforms", Some("2026-12-20")),
            "rectify-by-without-rectify",
        ),
    ] {
        let refused = app.command(&inspector(&app), &case_id, body).await;
        assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, rule).await;
    }
    let not_an_inspector = app
        .command(
            &app.officer_token("370100", Post::Approver),
            &case_id,
            check("conforms", None),
        )
        .await;
    assert_problem(not_an_inspector, StatusCode::FORBIDDEN, "post-not-allowed").await;
    assert_eq!(app.log_head().await, head, "refusals write nothing");
    let rectify = app
        .ok_command(
            &inspector(&app),
            &case_id,
            check("rectify", Some("2026-12-20")),
        )
        .await;
    assert_eq!(rectify["permit_life"]["check_due"], "2026-12-20");
    assert_eq!(
        rectify["status"], "issued",
        "a rectification keeps the permit"
    );
    let closed = app
        .ok_command(&inspector(&app), &case_id, check("conforms", None))
        .await;
    assert_eq!(closed["permit_life"]["checks"].as_array().unwrap().len(), 2);
    assert!(closed["permit_life"].get("check_due").is_none());
    assert!(listed(&app, "due").await.is_empty());
    assert_eq!(open_checks(&app).await, json!({"due": 0, "overdue": 0}));
    let again = app
        .command(&inspector(&app), &case_id, check("conforms", None))
        .await;
    assert_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "no-check-due").await;
}

async fn a_false_commitment_found_by_a_check_revokes_the_permit_at_once(store: Store) {
    let app = spawn_app(store).await;
    let issued = app
        .issued_case_on_commitment(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    let case_id = issued["case_id"].as_str().unwrap().to_owned();
    let mut body = check("false_commitment", None);
    body["findings"] = json!("SENTINEL-CHECK-FINDINGS");
    let revoked = app.ok_command(&inspector(&app), &case_id, body).await;
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["false_commitment"], true);
    assert_eq!(
        revoked["permit_life"]["checks"][0]["findings"], "SENTINEL-CHECK-FINDINGS",
        "an officer reads the findings"
    );
    // One decision: the check and the revocation are one commit, in order.
    let events: Vec<_> = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.aggregate_id == case_id)
        .collect();
    let (check, revocation) = (&events[events.len() - 2], &events[events.len() - 1]);
    assert_eq!(check.event_type, "PostIssuanceCheckRecorded");
    assert_eq!(revocation.event_type, "PermitRevoked");
    assert_eq!(revocation.position, check.position + 1);
    assert_eq!(revocation.recorded_at, check.recorded_at);
    assert!(
        !check.payload.contains("SENTINEL"),
        "the findings are sealed in the store"
    );
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let listing = app.public_text("/listings/2026-11-02.json").await;
    let listing: Value = serde_json::from_str(&listing).unwrap();
    let notices = listing["_permit_ledger"]["notices"].as_array().unwrap();
    let last = notices.last().unwrap();
    assert_eq!(last["kind"], "revoked");
    assert_eq!(last["blacklisted"], true);
    assert!(
        !listing.to_string().contains("SENTINEL"),
        "the findings stay private"
    );
}

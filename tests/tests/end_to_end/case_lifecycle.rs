//! A case from filing to delivery over HTTP, as the README's walk-through does it.

use std::collections::BTreeSet;

use domain::Post;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, jinan_enterprise, on_both_stores, spawn_app, Store, TestApp};

on_both_stores!(
    a_case_goes_from_online_filing_to_delivery,
    every_event_records_who_did_it_when_and_why,
    a_signed_commitment_is_approved_without_a_review,
    permit_numbers_count_per_bureau_and_are_never_reused,
    permits_issued_at_once_get_distinct_numbers_and_a_case_only_one,
    a_bureau_out_of_serials_is_told_so_and_nothing_is_written,
);

async fn a_case_goes_from_online_filing_to_delivery(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let acceptor = app.officer_token("370100", Post::Acceptor);
    let reviewer = app.officer_token("370100", Post::Reviewer);
    let approver = app.officer_token("370100", Post::Approver);
    let dispatcher = app.officer_token("370100", Post::Dispatcher);

    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let case = app
        .ok_command(
            &acceptor,
            &case_id,
            json!({"type": "request_correction", "corrections": ["检验报告已过期"], "reason": "材料不齐全"}),
        )
        .await;
    assert_eq!(case["status"], "correction_requested");
    let digest = "f".repeat(64);
    app.ok_command(
        &applicant,
        &case_id,
        json!({"type": "resubmit_materials", "materials": [{"name": "产品检验报告 product test report", "digest": digest}]}),
    )
    .await;
    let case = app
        .ok_command(&acceptor, &case_id, json!({"type": "accept"}))
        .await;
    // Accepted Monday 2 Nov 2026: 10 working days end Monday 16 Nov, 20 end Monday 30 Nov.
    assert_eq!(case["committed_deadline"]["date"], "2026-11-16");
    assert_eq!(case["statutory_deadline"]["date"], "2026-11-30");
    assert_eq!(case["committed_deadline"]["basis"], "holiday_calendar");
    app.ok_command(
        &reviewer,
        &case_id,
        json!({"type": "record_review", "findings": "现场核查符合要求", "recommendation": "approve"}),
    )
    .await;
    app.ok_command(&approver, &case_id, json!({"type": "approve"}))
        .await;
    app.set_time("2026-11-06T02:00:00Z");
    let case = app
        .ok_command(
            &approver,
            &case_id,
            json!({"type": "issue_permit", "scope": "复合肥料（掺混肥料）"}),
        )
        .await;
    assert_eq!(case["permit"]["permit_number"], "XK-003-370100-2026-00001");
    assert_eq!(case["permit"]["valid_from"], "2026-11-06");
    assert_eq!(case["permit"]["valid_until"], "2031-11-05");
    assert_eq!(case["permit"]["working_days_used"], 4);
    app.ok_command(
        &dispatcher,
        &case_id,
        json!({"type": "dispatch_certificate", "courier": "中国邮政EMS", "tracking_number": "1151234567890"}),
    )
    .await;
    app.ok_command(&applicant, &case_id, json!({"type": "confirm_delivery"}))
        .await;

    for token in [
        &applicant,
        &acceptor,
        &app.auditor_token(),
        &app.officer_token("370000", Post::Reviewer),
    ] {
        let response = app.get_case(token, &case_id).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["etag"], "\"9\"");
        let case: serde_json::Value = response.json().await.unwrap();
        assert_eq!(case["status"], "delivered");
        assert_eq!(case["version"], 9);
        assert_eq!(case["enterprise_name"], "济南恒力化工有限公司");
    }
    let events = app.all_events().await;
    let case_events = events.iter().filter(|e| e.aggregate_id == case_id).count();
    assert_eq!(case_events, 9, "one event per accepted command");
}

async fn every_event_records_who_did_it_when_and_why(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_id}/commands")))
        .bearer_auth(app.officer_token("370100", Post::Acceptor))
        .header("x-request-id", "req-refuse-1")
        .json(&json!({"type": "refuse_to_accept", "reason": "不属于本机关职权范围"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "req-refuse-1");
    let events = app.all_events().await;
    assert_eq!(events.len(), 2);
    let filing = events[0].metadata_map().unwrap();
    assert_eq!(filing["actor_role"], "applicant");
    assert_eq!(filing["actor_credit_code"], jinan_enterprise().as_str());
    assert_eq!(filing["requested_at"], "2026-11-02T01:00:00.000000Z");
    let refusal = events[1].metadata_map().unwrap();
    assert_eq!(refusal["actor_role"], "officer");
    // Who it was is personal: sealed in the log, opened for an auditor.
    assert!(
        refusal["actor_subject"].starts_with("sealed:v1:"),
        "{refusal:?}"
    );
    assert!(!events[1].metadata.contains("acceptor@370100"));
    let history: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/cases/{case_id}/history")))
        .bearer_auth(app.auditor_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history["events"][1]["actor"]["subject"], "acceptor@370100");
    assert_eq!(refusal["actor_bureau"], "370100");
    assert_eq!(refusal["actor_post"], "acceptor");
    assert_eq!(refusal["request_id"], "req-refuse-1");
    assert_eq!(refusal["reason"], "不属于本机关职权范围");
    assert_eq!(events[1].event_type, "ApplicationNotAccepted");
    assert_eq!(events[1].recorded_at, "2026-11-02T01:00:00.000000Z");
}

async fn a_signed_commitment_is_approved_without_a_review(store: Store) {
    let app = spawn_app(store).await;
    let mut body = crate::helpers::application("XK-001");
    body["commitment"] =
        json!({"signed_by": "李明 法定代表人", "statement": "本企业承诺符合许可条件"});
    let response = app
        .file(&app.applicant_token(&jinan_enterprise()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case_id = response.json::<serde_json::Value>().await.unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok_command(
        &app.officer_token("370100", Post::Acceptor),
        &case_id,
        json!({"type": "accept"}),
    )
    .await;
    let case = app
        .ok_command(
            &app.officer_token("370100", Post::Approver),
            &case_id,
            json!({"type": "approve"}),
        )
        .await;
    assert_eq!(case["status"], "approved");
    assert_eq!(case["on_commitment"], true);
}

async fn permit_numbers_count_per_bureau_and_are_never_reused(store: Store) {
    let app = spawn_app(store).await;
    let first = app.file_case(&jinan_enterprise(), "XK-003").await;
    let second = app.file_case(&jinan_enterprise(), "XK-003").await;
    let issued_first = app.through_issuance(&first).await;
    // A refused issuance (the case is already issued) must not use up a serial.
    let again = app.issue(&first).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let issued_second = app.through_issuance(&second).await;
    assert_eq!(
        issued_first["permit"]["permit_number"],
        "XK-003-370100-2026-00001"
    );
    assert_eq!(
        issued_second["permit"]["permit_number"],
        "XK-003-370100-2026-00002"
    );
}

/// Files `count` cases and brings each to approval.
async fn approved_cases(app: &TestApp, count: usize) -> Vec<String> {
    let mut cases = Vec::new();
    for _ in 0..count {
        let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
        app.through_approval(&case_id).await;
        cases.push(case_id);
    }
    cases
}

async fn permits_issued_at_once_get_distinct_numbers_and_a_case_only_one(store: Store) {
    let app = spawn_app(store).await;
    let cases = approved_cases(&app, 6).await;
    // Every case issued twice at once, by two officers' clients.
    let issuances = cases.iter().chain(&cases).map(|case_id| app.issue(case_id));
    let mut issued = Vec::new();
    for response in join_all(issuances).await {
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        match status {
            StatusCode::OK => issued.push((
                body["case_id"].as_str().unwrap().to_owned(),
                body["permit"]["permit_number"].as_str().unwrap().to_owned(),
            )),
            // The second of a pair finds the case issued, or changed under it.
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => {}
            other => panic!("issuing answered {other}: {body}"),
        }
    }
    let cases_issued: BTreeSet<&str> = issued.iter().map(|(case, _)| case.as_str()).collect();
    assert_eq!(issued.len(), 6, "one issuance per case: {issued:?}");
    assert_eq!(cases_issued.len(), 6);
    let numbers: BTreeSet<&str> = issued.iter().map(|(_, number)| number.as_str()).collect();
    assert_eq!(numbers.len(), 6, "no number issued twice: {issued:?}");
    let log_issuances = app
        .all_events()
        .await
        .iter()
        .filter(|e| e.event_type == "PermitIssued")
        .count();
    assert_eq!(log_issuances, 6);
}

async fn a_bureau_out_of_serials_is_told_so_and_nothing_is_written(store: Store) {
    let app = spawn_app(store).await;
    let first = app.file_case(&jinan_enterprise(), "XK-003").await;
    let last = app.through_issuance(&first).await;
    assert_eq!(last["permit"]["permit_number"], "XK-003-370100-2026-00001");
    projections::on_db!(app.db(), |pool| sqlx::query(
        "UPDATE permit_serials SET last_serial = 99999 WHERE bureau = '370100'"
    )
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    let case_id = approved_cases(&app, 1).await.remove(0);
    let head = app.log_head().await;
    for _ in 0..2 {
        let response = app.issue(&case_id).await;
        let problem =
            assert_problem(response, StatusCode::CONFLICT, "permit-serials-exhausted").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("370100"),
            "{problem}"
        );
    }
    assert_eq!(app.log_head().await, head);
    let case: Value = app
        .get_case(&app.officer_token("370100", Post::Approver), &case_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "approved");
}

//! Separation of duties by person: one officer holding both a reviewer's and an approver's
//! token cannot review a case and then decide it; the log names nobody by the pseudonym
//! that tells them apart.

use domain::{Actor, Post};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, jinan_enterprise, on_both_stores, spawn_app, Store};

on_both_stores!(one_person_cannot_review_and_then_decide_the_same_case);

async fn one_person_cannot_review_and_then_decide_the_same_case(store: Store) {
    let app = spawn_app(store).await;
    let token = |subject: &str, post| {
        app.keys.issue(
            &Actor::Officer {
                subject: subject.into(),
                bureau: "370100".parse().unwrap(),
                post,
            },
            chrono::Utc::now(),
            chrono::Duration::hours(1),
        )
    };
    let (as_reviewer, as_approver) = (token("王芳", Post::Reviewer), token("王芳", Post::Approver));
    let another_approver = token("李强", Post::Approver);
    // A new case, accepted and reviewed by 王芳.
    let reviewed_by_wang_fang = || async {
        let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
        app.ok_command(
            &app.officer_token("370100", Post::Acceptor),
            &case_id,
            json!({"type": "accept"}),
        )
        .await;
        app.ok_command(
            &as_reviewer,
            &case_id,
            json!({"type": "record_review", "findings": "符合条件", "recommendation": "approve"}),
        )
        .await;
        case_id
    };
    let case_id = reviewed_by_wang_fang().await;
    let head = app.log_head().await;
    for decision in [
        json!({"type": "approve"}),
        json!({"type": "deny", "reason": "不符合"}),
    ] {
        let refused = app.command(&as_approver, &case_id, decision).await;
        assert_problem(refused, StatusCode::FORBIDDEN, "reviewer-may-not-decide").await;
    }
    assert_eq!(app.log_head().await, head, "nothing written");
    let approved = app
        .ok_command(&another_approver, &case_id, json!({"type": "approve"}))
        .await;
    assert_eq!(approved["status"], "approved");
    // The pseudonym is the reviewer's on this case only, and not the reviewer's name.
    let review = app
        .all_events()
        .await
        .into_iter()
        .find(|e| e.event_type == "ReviewRecorded")
        .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&review.payload).unwrap();
    let reviewer = payload["ReviewRecorded"]["reviewer"].as_str().unwrap();
    assert_eq!(reviewer.len(), 32, "{reviewer}");
    assert!(!review.payload.contains("王芳") && !review.metadata.contains("王芳"));
    // On another case the same reviewer has another pseudonym: they do not link cases.
    reviewed_by_wang_fang().await;
    let events = app.all_events().await;
    let pseudonyms: Vec<String> = events
        .iter()
        .filter(|e| e.event_type == "ReviewRecorded")
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.payload).unwrap())
        .map(|p| p["ReviewRecorded"]["reviewer"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pseudonyms.len(), 2);
    assert_ne!(pseudonyms[0], pseudonyms[1]);
}

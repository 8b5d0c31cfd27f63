//! The log itself: positions gap-free and in commit order under concurrent writers, every
//! accepted command in it exactly once, recorded-at never decreasing, nothing rewritten.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use domain::Post;
use futures::future::join_all;
use projections::on_db;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{credit, jinan_enterprise, on_both_stores, spawn_app, Store, TestApp};

on_both_stores!(
    eight_writers_on_many_cases_leave_gap_free_commit_ordered_positions,
    eight_writers_on_one_case_each_accepted_command_is_logged_once,
    recorded_at_never_decreases_even_when_the_clock_steps_back,
    the_log_is_append_only,
);

/// Reads the log over and over while `running`, asserting that whatever is visible is exactly
/// positions 1..=n: a position never becomes visible before every lower one.
async fn watch_for_gaps(app: Arc<TestApp>, running: Arc<AtomicBool>) -> usize {
    let mut reads = 0;
    while running.load(Ordering::SeqCst) {
        let positions: Vec<i64> = app.all_events().await.iter().map(|e| e.position).collect();
        let expected: Vec<i64> = (1..=positions.len() as i64).collect();
        assert_eq!(positions, expected, "a reader saw a gap in the log");
        reads += 1;
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    reads
}

fn assert_gap_free_with_ordered_sequences(events: &[projections::LoggedEvent]) {
    let positions: Vec<i64> = events.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=events.len() as i64).collect::<Vec<_>>());
    let mut last_sequence = std::collections::HashMap::new();
    for event in events {
        let previous = last_sequence
            .insert(event.aggregate_id.clone(), event.sequence)
            .unwrap_or(0);
        assert_eq!(
            event.sequence,
            previous + 1,
            "a case's events out of order at {}",
            event.position
        );
    }
    for pair in events.windows(2) {
        assert!(
            pair[0].recorded_at <= pair[1].recorded_at,
            "recorded_at decreased at {}",
            pair[1].position
        );
    }
}

async fn eight_writers_on_many_cases_leave_gap_free_commit_ordered_positions(store: Store) {
    let app = Arc::new(spawn_app(store).await);
    let running = Arc::new(AtomicBool::new(true));
    let watcher = tokio::spawn(watch_for_gaps(app.clone(), running.clone()));
    let accepted = Arc::new(AtomicUsize::new(0));
    let writers = (0..8).map(|writer| {
        let app = app.clone();
        let accepted = accepted.clone();
        tokio::spawn(async move {
            let enterprise = credit(&format!("91370102MA3C4F5{writer}A"));
            for _ in 0..4 {
                let case_id = app.file_case(&enterprise, "XK-003").await;
                // Issuing a permit also projects a public notice: with 8 writers this once
                // starved the SQLite pool while the projector held the write lock.
                app.through_issuance(&case_id).await;
                accepted.fetch_add(5, Ordering::SeqCst);
            }
        })
    });
    for writer in join_all(writers).await {
        writer.unwrap();
    }
    running.store(false, Ordering::SeqCst);
    let reads = watcher.await.unwrap();
    assert!(reads > 0);
    let events = app.all_events().await;
    assert_eq!(events.len(), accepted.load(Ordering::SeqCst));
    assert_eq!(events.len(), 160);
    assert_gap_free_with_ordered_sequences(&events);
}

async fn eight_writers_on_one_case_each_accepted_command_is_logged_once(store: Store) {
    let app = Arc::new(spawn_app(store).await);
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let running = Arc::new(AtomicBool::new(true));
    let watcher = tokio::spawn(watch_for_gaps(app.clone(), running.clone()));
    let writers = (0..8).map(|_| {
        let app = app.clone();
        let case_id = case_id.clone();
        tokio::spawn(async move {
            let acceptor = app.officer_token("370100", Post::Acceptor);
            let applicant = app.applicant_token(&jinan_enterprise());
            let (mut ok, mut conflicts) = (0, 0);
            for _ in 0..6 {
                let case: Value = app.get_case(&acceptor, &case_id).await.json().await.unwrap();
                let version = case["version"].as_u64().unwrap();
                let (token, body) = match case["status"].as_str().unwrap() {
                    "filed" => (&acceptor, json!({"type": "request_correction", "corrections": ["x"], "reason": "r"})),
                    _ => (&applicant, json!({"type": "resubmit_materials", "materials": [{"name": "x", "digest": "a".repeat(64)}]})),
                };
                let response = app
                    .client
                    .post(app.url(&format!("/api/v1/cases/{case_id}/commands")))
                    .bearer_auth(token)
                    .header("if-match", format!("\"{version}\""))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                match response.status() {
                    StatusCode::OK => ok += 1,
                    StatusCode::CONFLICT => conflicts += 1,
                    other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
                }
            }
            (ok, conflicts)
        })
    });
    let results: Vec<(usize, usize)> = join_all(writers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    running.store(false, Ordering::SeqCst);
    watcher.await.unwrap();
    let ok: usize = results.iter().map(|r| r.0).sum();
    let conflicts: usize = results.iter().map(|r| r.1).sum();
    assert_eq!(ok + conflicts, 48);
    assert!(ok >= 1);
    let events = app.all_events().await;
    assert_eq!(
        events.len(),
        1 + ok,
        "every accepted command logged exactly once"
    );
    assert_gap_free_with_ordered_sequences(&events);
    // The rounds alternate: a correction is always answered before the next one is asked.
    for (i, event) in events.iter().enumerate().skip(1) {
        let expected = if i % 2 == 1 {
            "CorrectionRequested"
        } else {
            "MaterialsResubmitted"
        };
        assert_eq!(event.event_type, expected);
    }
    let case: Value = app
        .get_case(&app.auditor_token(), &case_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["version"].as_u64().unwrap() as usize, events.len());
}

async fn recorded_at_never_decreases_even_when_the_clock_steps_back(store: Store) {
    let app = spawn_app(store).await;
    app.set_time("2026-11-02T03:00:00Z");
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.set_time("2026-11-02T02:00:00Z");
    app.ok_command(
        &app.officer_token("370100", Post::Acceptor),
        &case_id,
        json!({"type": "accept"}),
    )
    .await;
    app.set_time("2026-11-02T04:00:00Z");
    app.ok_command(
        &app.applicant_token(&jinan_enterprise()),
        &case_id,
        json!({"type": "withdraw", "reason": "r"}),
    )
    .await;
    let events = app.all_events().await;
    let times: Vec<&str> = events.iter().map(|e| e.recorded_at.as_str()).collect();
    assert_eq!(
        times,
        [
            "2026-11-02T03:00:00.000000Z",
            "2026-11-02T03:00:00.000000Z",
            "2026-11-02T04:00:00.000000Z"
        ]
    );
    // The clock's own reading stays in the metadata.
    assert_eq!(
        events[1].metadata_map().unwrap()["requested_at"],
        "2026-11-02T02:00:00.000000Z"
    );
}

async fn the_log_is_append_only(store: Store) {
    let app = spawn_app(store).await;
    app.file_case(&jinan_enterprise(), "XK-003").await;
    let update = on_db!(app.db(), |pool| sqlx::query(
        "UPDATE events SET payload = payload WHERE global_position = 1"
    )
    .execute(pool)
    .await
    .map(|_| ()));
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = on_db!(app.db(), |pool| sqlx::query("DELETE FROM events")
        .execute(pool)
        .await
        .map(|_| ()));
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(app.all_events().await.len(), 1);
}

/// Two servers on one PostgreSQL; a case filed and accepted at the first, reviewed at the
/// second (version 3): the first remembers it at version 2.
async fn accepted_here_reviewed_there() -> (TestApp, TestApp, String) {
    let first = crate::helpers::spawn_app(Store::Postgres).await;
    let second = crate::helpers::spawn_with(first.settings.clone(), None).await;
    let case_id = first.file_case(&jinan_enterprise(), "XK-003").await;
    let accepted = first
        .ok_command(
            &first.officer_token("370100", Post::Acceptor),
            &case_id,
            json!({"type": "accept"}),
        )
        .await;
    assert_eq!(accepted["version"], 2, "{accepted}");
    let reviewed = second
        .ok_command(
            &second.officer_token("370100", Post::Reviewer),
            &case_id,
            json!({"type": "record_review", "findings": "现场核查符合", "recommendation": "approve"}),
        )
        .await;
    assert_eq!(reviewed["version"], 3, "{reviewed}");
    (first, second, case_id)
}

/// Two servers on one PostgreSQL take turns on one case. Each writer remembers the cases it
/// last projected; it must fold a command onto the case as the log now stands, never onto a
/// view it remembers from before the other server's command.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_taking_turns_on_a_case_each_build_on_the_others_commands() {
    let (first, _second, case_id) = accepted_here_reviewed_there().await;
    let approved = first
        .ok_command(
            &first.officer_token("370100", Post::Approver),
            &case_id,
            json!({"type": "approve"}),
        )
        .await;
    assert_eq!(approved["version"], 4, "{approved}");
    assert_eq!(approved["review"]["findings"], "现场核查符合", "{approved}");
    let history = projections::log::read_aggregate(first.db(), "PermitCase", &case_id)
        .await
        .unwrap();
    let folded = projections::CaseView::replay(&history).unwrap().unwrap();
    let stored = projections::case_queries::case(first.db(), &case_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, folded, "the stored view is the fold of the log");
}

/// A server decides a command on the case's history as it last saw it, when it remembers one;
/// another server may have moved the case on since. A client that read the case at the other
/// server sends that version (If-Match): the command must be decided on the log as it stands,
/// not refused as stale, and must not be logged twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_version_read_at_another_server_is_honoured() {
    let (first, _second, case_id) = accepted_here_reviewed_there().await;
    let response = first
        .client
        .post(first.url(&format!("/api/v1/cases/{case_id}/commands")))
        .bearer_auth(first.officer_token("370100", Post::Approver))
        .header("if-match", "\"3\"")
        .json(&json!({"type": "approve"}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let approved: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["version"], 4, "{approved}");
    let history = projections::log::read_aggregate(first.db(), "PermitCase", &case_id)
        .await
        .unwrap();
    let types: Vec<&str> = history.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "ApplicationFiled",
            "ApplicationAccepted",
            "ReviewRecorded",
            "ApplicationApproved"
        ]
    );
}

//! Rebuilding projections from position zero gives the rows the live projector wrote.

use domain::Post;
use serde_json::json;

use crate::helpers::{
    jinan_enterprise, on_both_stores, qingdao_enterprise, spawn_app, spawn_with, Store,
};

on_both_stores!(
    rebuilt_projections_equal_the_live_ones,
    a_restarted_server_reads_the_same_cases,
    the_replay_report_finds_every_projection_equal_to_its_rebuild,
    a_replay_compares_before_it_writes_and_writes_only_when_asked,
);

async fn rebuilt_projections_equal_the_live_ones(store: Store) {
    let app = spawn_app(store).await;
    let delivered = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.through_issuance(&delivered).await;
    let withdrawn = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.ok_command(
        &app.applicant_token(&jinan_enterprise()),
        &withdrawn,
        json!({"type": "withdraw", "reason": "r"}),
    )
    .await;
    let corrected = app.file_case(&qingdao_enterprise(), "XK-005").await;
    app.ok_command(
        &app.officer_token("370200", Post::Acceptor),
        &corrected,
        json!({"type": "request_correction", "corrections": ["补充说明"], "reason": "r"}),
    )
    .await;
    app.ledger.catch_up().await.unwrap();
    let live = projections::case_queries::all_rows(app.db()).await.unwrap();
    assert_eq!(live.len(), 3);
    let reached = app.ledger.projector().rebuild().await.unwrap();
    assert_eq!(reached, app.log_head().await);
    let rebuilt = projections::case_queries::all_rows(app.db()).await.unwrap();
    assert_eq!(rebuilt, live);
}

async fn a_restarted_server_reads_the_same_cases(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let before = app.through_issuance(&case_id).await;
    let restarted = spawn_with(app.settings.clone(), None).await;
    let officer = app.officer_token("370100", Post::Reviewer);
    let after: serde_json::Value = restarted
        .get_case(&officer, &case_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, before);
}

async fn the_replay_report_finds_every_projection_equal_to_its_rebuild(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.through_issuance(&case_id).await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let report = permit_ledger::cli::replay::replay(&app.ledger, false)
        .await
        .unwrap();
    let names: Vec<&str> = report.iter().map(|l| l.projection).collect();
    assert_eq!(
        names,
        [
            "case_state",
            "public_notices",
            "published_days",
            "supervision_daily",
            "supervision_used_days",
            "ledger_leaves"
        ]
    );
    for line in &report {
        assert!(line.rows > 0, "{} is empty", line.projection);
        assert_eq!(line.live, line.rebuilt, "{} differs", line.projection);
    }
}

async fn case_status_row(app: &crate::helpers::TestApp, case_id: &str) -> String {
    projections::on_db!(app.db(), |pool| sqlx::query_scalar::<_, String>(
        "SELECT status FROM case_state WHERE case_id = $1"
    )
    .bind(case_id)
    .fetch_one(pool)
    .await
    .unwrap())
}

/// A live projection that went wrong (here, a row changed by hand) is reported as differing
/// from its rebuild and left as it is; `--write` replaces it with the rebuild.
async fn a_replay_compares_before_it_writes_and_writes_only_when_asked(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.through_issuance(&case_id).await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let notices_before = app.public_text("/listings/2026-11-02.json").await;
    projections::on_db!(app.db(), |pool| sqlx::query(
        "UPDATE case_state SET status = 'withdrawn' WHERE case_id = $1"
    )
    .bind(&case_id)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    let replay = |write| permit_ledger::cli::replay::replay(&app.ledger, write);
    let report = replay(false).await.unwrap();
    let differing: Vec<&str> = report
        .iter()
        .filter(|l| l.live != l.rebuilt)
        .map(|l| l.projection)
        .collect();
    assert_eq!(differing, ["case_state"]);
    assert_eq!(
        case_status_row(&app, &case_id).await,
        "withdrawn",
        "left as it was"
    );
    assert_eq!(
        app.public_text("/listings/2026-11-02.json").await,
        notices_before
    );
    replay(true).await.unwrap();
    assert_eq!(case_status_row(&app, &case_id).await, "issued");
    let report = replay(false).await.unwrap();
    assert!(report.iter().all(|l| l.live == l.rebuilt));
    assert_eq!(
        app.public_text("/listings/2026-11-02.json").await,
        notices_before
    );
}

//! Metrics for operators: Prometheus text on a listener of its own, never on the public one.

use domain::Post;
use permit_ledger::settings::Settings;
use reqwest::StatusCode;
use serde_json::json;
use test_support::Scratch;

use crate::helpers::{
    application, jinan_enterprise, on_both_stores, spawn_with, Store, PUBLIC_URL,
};

on_both_stores!(requests_commands_commits_and_the_projector_are_measured_privately);

/// The value of the sample `name{labels}` in `text`, if it is there.
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
}

async fn requests_commands_commits_and_the_projector_are_measured_privately(store: Store) {
    let scratch = Scratch::new(store).await.unwrap();
    let mut settings = Settings::for_store(scratch.data_dir.clone(), scratch.store_url.clone());
    settings.public_url = Some(PUBLIC_URL.to_owned());
    settings.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let app = spawn_with(settings, Some(scratch)).await;
    let token = app.applicant_token(&jinan_enterprise());
    let filed: serde_json::Value = app
        .file(&token, &application("XK-003"))
        .await
        .json()
        .await
        .unwrap();
    let case_id = filed["case_id"].as_str().unwrap();
    let acceptor = app.officer_token("370100", Post::Acceptor);
    app.ok_command(&acceptor, case_id, json!({"type": "accept"}))
        .await;
    let refused = app
        .command(&acceptor, case_id, json!({"type": "accept"}))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get_public("/metrics").await.status(),
        StatusCode::NOT_FOUND,
        "not on the public listener"
    );
    let metrics_url = format!("{}/metrics", app.metrics_address.as_deref().unwrap());
    // The background pass sets the positions once a second.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let response = reqwest::get(&metrics_url).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    for (name, at_least) in [
        (
            r#"permit_ledger_http_requests_total{route="/api/v1/cases",method="POST",status="201"}"#,
            1.0,
        ),
        (
            r#"permit_ledger_http_requests_total{route="/api/v1/cases/{id}/commands",method="POST",status="422"}"#,
            1.0,
        ),
        (
            r#"permit_ledger_commands_total{command="accept",outcome="done"}"#,
            1.0,
        ),
        (
            r#"permit_ledger_commands_total{command="accept",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"permit_ledger_commands_total{command="file_application",outcome="done"}"#,
            1.0,
        ),
        ("permit_ledger_commit_batch_commands_count", 2.0),
        (
            r#"permit_ledger_http_request_duration_seconds_bucket{route="/api/v1/cases",method="POST",le="+Inf"}"#,
            1.0,
        ),
        // Gauges: present (the test process's other servers set them too).
        ("permit_ledger_log_position", 0.0),
        ("permit_ledger_projector_lag_events", 0.0),
    ] {
        let value = sample(&text, name).unwrap_or_else(|| panic!("no {name} in\n{text}"));
        assert!(value >= at_least, "{name} = {value}");
    }
    assert!(!text.contains(case_id), "no case id in a label");
}

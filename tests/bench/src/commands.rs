//! Full case lifecycles over real HTTP, and the raw insert rate of the same database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::{Actor, Post};
use serde_json::{json, Value};

use super::load::timed;
use super::wake_ups::WakeUpWatch;
use super::{Options, Row};
use permit_ledger::ledger::clock::SystemClock;
use permit_ledger::startup::Application;
use test_support::fixtures::{application, officer};
use test_support::Store;

/// Full lifecycles by `clients` clients; with `sealed` false, on the same ledger with its
/// personal fields logged in clear, to measure what sealing them costs.
pub async fn measure(
    options: &Options,
    store: Store,
    clients: usize,
    sealed: bool,
) -> anyhow::Result<Vec<Row>> {
    let scratch = options.scratch(store).await?;
    let mut settings = crate::settings_on(&scratch);
    settings.seal_personal_data = sealed;
    let app = Application::build(&settings, Arc::new(SystemClock)).await?;
    let base = format!("http://{}", app.local_addr());
    let keys = app.keys();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let token = |actor: Actor| keys.issue(&actor, Utc::now(), chrono::Duration::hours(2));
    let officer = |post| token(officer(post));
    let tokens = Arc::new((
        officer(Post::Acceptor),
        officer(Post::Reviewer),
        officer(Post::Approver),
        officer(Post::Dispatcher),
    ));
    let applicants: Arc<Vec<String>> = Arc::new(
        (0..clients)
            .map(|c| token(test_support::fixtures::applicant(c)))
            .collect(),
    );
    let client = reqwest::Client::new();
    let wake_ups = WakeUpWatch::start();
    let timing = timed(clients, options.sizes.lifecycles_per_client, move |c, _| {
        let (client, base, tokens, applicants) = (client.clone(), base.clone(), tokens.clone(), applicants.clone());
        async move {
            let mut latencies = Vec::with_capacity(7);
            let started = Instant::now();
            let filed: Value = client
                .post(format!("{base}/api/v1/cases"))
                .bearer_auth(&applicants[c])
                .json(&application(&format!("济南基准测试企业{c}")))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            latencies.push(started.elapsed());
            let case_id = filed["case_id"].as_str().unwrap_or_default().to_owned();
            let (acceptor, reviewer, approver, dispatcher) = &*tokens;
            let steps = [
                (acceptor, json!({"type": "accept"})),
                (reviewer, json!({"type": "record_review", "findings": "符合", "recommendation": "approve"})),
                (approver, json!({"type": "approve"})),
                (approver, json!({"type": "issue_permit", "scope": "复合肥料"})),
                (dispatcher, json!({"type": "dispatch_certificate", "courier": "EMS", "tracking_number": "1151234567890"})),
                (&applicants[c], json!({"type": "confirm_delivery"})),
            ];
            for (token, body) in steps {
                let started = Instant::now();
                client
                    .post(format!("{base}/api/v1/cases/{case_id}/commands"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await?
                    .error_for_status()?;
                latencies.push(started.elapsed());
            }
            Ok::<Vec<Duration>, anyhow::Error>(latencies)
        }
    })
    .await?;
    let wake_ups = wake_ups.finish().await?;
    let _ = stop.send(());
    let _ = server.await;
    scratch.remove().await;
    if !sealed {
        return Ok(vec![Row {
            section: "commands",
            store: store.name(),
            clients,
            measure: "unsealed ledger over HTTP (personal data in clear)".into(),
            value: timing.per_second,
            unit: "commands/s",
            p50_ms: Some(timing.p50_ms),
            p99_ms: Some(timing.p99_ms),
        }]);
    }
    Ok(vec![
        Row {
            section: "commands",
            store: store.name(),
            clients,
            measure: "ledger over HTTP".into(),
            value: timing.per_second,
            unit: "commands/s",
            p50_ms: Some(timing.p50_ms),
            p99_ms: Some(timing.p99_ms),
        },
        Row {
            section: "commands",
            store: store.name(),
            clients,
            measure: "ledger run: a 1 ms sleep took, at worst".into(),
            value: wake_ups.worst_ms,
            unit: "ms",
            p50_ms: Some(wake_ups.p50_ms),
            p99_ms: Some(wake_ups.p99_ms),
        },
    ])
}

/// Single-row INSERT transactions of an event-shaped row (about 500 bytes of JSON).
pub async fn raw_inserts(
    options: &Options,
    store: Store,
    clients: usize,
) -> anyhow::Result<Vec<Row>> {
    let scratch = options.scratch(store).await?;
    let db = scratch.connect().await?;
    let payload = serde_json::to_string(&json!({
        "ApplicationAccepted": {
            "accepted_on": "2026-11-02",
            "statutory_deadline": {"date": "2026-11-30", "working_days": 20, "basis": "holiday_calendar"},
            "committed_deadline": {"date": "2026-11-16", "working_days": 10, "basis": "holiday_calendar"},
            "note": "x".repeat(300)
        }
    }))?;
    projections::on_db!(&db, |pool| {
        sqlx::query(
            "CREATE TABLE raw_events (aggregate_id text NOT NULL, sequence bigint NOT NULL, \
             payload text NOT NULL, PRIMARY KEY (aggregate_id, sequence))",
        )
        .execute(pool)
        .await?;
    });
    let db = Arc::new(db);
    let payload = Arc::new(payload);
    let timing = timed(clients, options.sizes.raw_inserts_per_client, move |c, i| {
        let (db, payload) = (db.clone(), payload.clone());
        async move {
            let started = Instant::now();
            projections::on_db!(&*db, |pool| {
                sqlx::query("INSERT INTO raw_events (aggregate_id, sequence, payload) VALUES ($1, $2, $3)")
                    .bind(format!("client-{c}"))
                    .bind(i as i64 + 1)
                    .bind(payload.as_str())
                    .execute(pool)
                    .await?;
            });
            Ok::<Vec<Duration>, anyhow::Error>(vec![started.elapsed()])
        }
    })
    .await?;
    scratch.remove().await;
    Ok(vec![Row {
        section: "commands",
        store: store.name(),
        clients,
        measure: "raw insert (1 row/transaction)".into(),
        value: timing.per_second,
        unit: "inserts/s",
        p50_ms: Some(timing.p50_ms),
        p99_ms: Some(timing.p99_ms),
    }])
}

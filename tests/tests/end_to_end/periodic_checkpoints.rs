//! Checkpoints more often than daily: one is signed whenever the log has grown and the
//! interval has passed, each extending the one before, all kept and listed a page at a time.

use std::time::Duration;

use domain::transparency::{verify_consistency, NoteVerifier};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, credit, on_both_stores, spawn_app_with, Store, TestApp};

on_both_stores!(a_growing_log_is_checkpointed_every_interval_and_listed,);

async fn listed(app: &TestApp, query: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/transparency/checkpoints{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Waits until a checkpoint covers the whole log (within a few intervals).
async fn covered(app: &TestApp) -> i64 {
    let head = app.log_head().await;
    for _ in 0..50 {
        if let Some(latest) = app.ledger.checkpoint(None).await.unwrap() {
            if latest.size == head {
                return head;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no checkpoint of {head} events within five seconds");
}

async fn a_growing_log_is_checkpointed_every_interval_and_listed(store: Store) {
    let app = spawn_app_with(store, |settings| {
        settings.checkpoint_interval = Duration::from_millis(200);
    })
    .await;
    let verifier = NoteVerifier::parse_vkey(&app.ledger.signer().verifier().vkey()).unwrap();
    let mut sizes = Vec::new();
    for n in 0..3 {
        app.issued_case(
            &credit(&format!("9137010{n:03}A3C4F5G")),
            &format!("济南第{n}化工有限公司"),
        )
        .await;
        sizes.push(covered(&app).await);
    }
    // The log stands still: no checkpoint more.
    let before = listed(&app, "").await["checkpoints"]
        .as_array()
        .unwrap()
        .len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let all = listed(&app, "").await;
    let checkpoints = all["checkpoints"].as_array().unwrap().clone();
    assert_eq!(
        checkpoints.len(),
        before,
        "a checkpoint of a log that did not grow"
    );
    assert!(all["next_after"].is_null());
    let listed_sizes: Vec<i64> = checkpoints
        .iter()
        .map(|c| c["size"].as_i64().unwrap())
        .collect();
    for size in &sizes {
        assert!(
            listed_sizes.contains(size),
            "{size} not in {listed_sizes:?}"
        );
    }
    // Each is signed, and each extends the one before.
    let mut previous: Option<(u64, [u8; 32])> = None;
    for listed in &checkpoints {
        let size = listed["size"].as_i64().unwrap();
        let note = app
            .public_text(&format!("/transparency/checkpoint/{size}"))
            .await;
        let checkpoint = verifier.open(&note).unwrap();
        assert_eq!(checkpoint.size as i64, size);
        if let Some((old_size, old_root)) = previous {
            let proof = app
                .public_json(&format!(
                    "/transparency/proof/consistency?from={old_size}&to={size}"
                ))
                .await;
            let proof: Vec<[u8; 32]> = proof["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(h.as_str().unwrap())
                        .unwrap()
                        .try_into()
                        .unwrap()
                })
                .collect();
            assert!(verify_consistency(
                old_size,
                checkpoint.size,
                &old_root,
                &checkpoint.root,
                &proof
            ));
        }
        previous = Some((checkpoint.size, checkpoint.root));
    }
    // A page at a time.
    let first = listed(&app, "?limit=1").await;
    assert_eq!(first["checkpoints"].as_array().unwrap().len(), 1);
    let next = first["next_after"].as_i64().unwrap();
    let rest = listed(&app, &format!("?after={next}&limit=1000")).await;
    assert_eq!(
        rest["checkpoints"].as_array().unwrap().len(),
        checkpoints.len() - 1
    );
    let bad = app
        .client
        .get(app.url("/transparency/checkpoints?limit=0"))
        .send()
        .await
        .unwrap();
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid-parameter").await;
}

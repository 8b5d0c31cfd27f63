//! The OpenAPI document: it names every route the server answers and no other, and a
//! schema-driven fuzzer (schemathesis, from `scripts/api-fuzzer.sh`) finds no server error and
//! no answer off the document, on either store.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{jinan_enterprise, on_both_stores, spawn_app, Store};

on_both_stores!(
    every_documented_operation_is_served,
    a_schema_driven_fuzzer_finds_no_server_error_and_no_answer_off_the_document,
);

/// A path of `template` with sample values in its parameters.
fn sample_path(template: &str) -> String {
    template
        .replace("{id}", "01a2374e-f985-737e-8ee3-24b78c204443")
        .replace("{feed}", "permits.json")
        .replace("{day}", "2026-11-02.json")
        .replace("{number}", "XK-003-370100-2026-00001")
        .replace("{size}", "1")
        .replace("{kind}", "inclusion")
}

async fn every_documented_operation_is_served(store: Store) {
    let app = spawn_app(store).await;
    let document: Value = app.get_public("/openapi.json").await.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    let documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    let mut routes = permit_ledger::http::openapi::ROUTES.to_vec();
    routes.sort_unstable();
    let mut sorted = documented.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, routes);
    for (template, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let url = app.url(&sample_path(template));
            let request = match method.as_str() {
                "get" => app.client.get(url),
                "post" => app.client.post(url).json(&serde_json::json!({})),
                other => panic!("{other} {template}"),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            assert_ne!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {template}"
            );
            assert!(
                !body.contains("no-such-resource"),
                "{method} {template} is not served: {body}"
            );
            let declared = operations[method]["responses"].as_object().unwrap();
            assert!(
                declared.contains_key(status.as_str()),
                "{method} {template} answered {status}, which the document does not name"
            );
        }
    }
}

async fn a_schema_driven_fuzzer_finds_no_server_error_and_no_answer_off_the_document(store: Store) {
    let app = spawn_app(store).await;
    // Something to read: an issued permit, published.
    app.issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let fuzzer = std::env::var("PERMIT_LEDGER_API_FUZZER").unwrap_or_else(|_| {
        panic!("PERMIT_LEDGER_API_FUZZER is not set: run scripts/test.sh (scripts/api-fuzzer.sh makes it)")
    });
    let token = app.applicant_token(&jinan_enterprise());
    let output = tokio::process::Command::new(&fuzzer)
        .args(["run", &app.url("/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // One worker: Hypothesis moves the interpreter-wide recursion limit while it draws,
        // and on Python 3.11 a second thread parsing source at that moment fails with
        // "AST constructor recursion depth mismatch", an error of the fuzzer, not the server.
        .args(["--max-examples", "15", "--seed", "2026", "--workers", "1"])
        // Every schema-valid request accepted is more than a schema can promise: the
        // domain's rules (a complete set of materials, a case in the right state) refuse
        // most of what a schema admits.
        .args(["--exclude-checks", "positive_data_acceptance"])
        // Its cache and reports go under target/, not into the source tree.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args(["--report-dir", "schemathesis"])
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {fuzzer}: {e}"));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every operation fuzzed (schemathesis leaves out the document's own).
    let document: Value = app.get_public("/openapi.json").await.json().await.unwrap();
    let operations: usize = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| *path != "/openapi.json")
        .map(|(_, operations)| operations.as_object().unwrap().len())
        .sum();
    assert!(
        report.contains(&format!("Tested: {operations}")),
        "{report}"
    );
}

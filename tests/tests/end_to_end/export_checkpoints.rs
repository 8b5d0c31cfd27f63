//! The checkpoints of an export are checked from what they sign: each must grow, carry the
//! log's signature, and extend the one before by its consistency proof; any line that breaks
//! one of these is a named failure, never a crash.

use domain::Post;
use serde_json::{json, Value};

use crate::helpers::{jinan_enterprise, on_both_stores, spawn_app, Store, TestApp};

on_both_stores!(checkpoint_lines_out_of_order_forged_or_empty_are_named_failures);

/// An export with two checkpoints: the day's publication's, and the whole log's after one
/// more command.
async fn exported_lines(app: &TestApp) -> Vec<Value> {
    let case = app
        .issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let dispatch = json!({"type": "dispatch_certificate", "courier": "EMS", "tracking_number": "1151234567890"});
    app.ok_command(
        &app.officer_token("370100", Post::Dispatcher),
        case["case_id"].as_str().unwrap(),
        dispatch,
    )
    .await;
    let out = app.settings.data_dir.join("export.jsonl");
    permit_ledger::cli::export::export(&app.ledger, &out, false)
        .await
        .unwrap();
    std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Verifies `lines` written to a file; the failure's text, or None if it verified.
fn verify(app: &TestApp, lines: &[Value]) -> Option<String> {
    let path = app
        .settings
        .data_dir
        .join(format!("edited-{}.jsonl", uuid::Uuid::now_v7()));
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    let key = app.ledger.signer().verifier().vkey();
    permit_ledger::cli::verify::verify(&path, Some(&key))
        .err()
        .map(|error| {
            let failure = error
                .downcast_ref::<permit_ledger::cli::verify::Failure>()
                .unwrap_or_else(|| panic!("not a named failure: {error:#}"));
            failure.to_string()
        })
}

async fn checkpoint_lines_out_of_order_forged_or_empty_are_named_failures(store: Store) {
    let app = spawn_app(store).await;
    let lines = exported_lines(&app).await;
    assert_eq!(verify(&app, &lines), None, "the export as written verifies");
    let checkpoints: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i]["kind"] == "checkpoint")
        .collect();
    assert_eq!(checkpoints.len(), 2, "{lines:?}");
    let (first, second) = (checkpoints[0], checkpoints[1]);
    assert!(lines[first].get("consistency").is_none());
    assert!(lines[second]["consistency"].is_array());

    let mut swapped = lines.clone();
    swapped.swap(first, second);
    let failure = verify(&app, &swapped).expect("out of order");
    assert!(failure.contains("only grow"), "{failure}");

    let mut repeated = lines.clone();
    repeated.insert(second, lines[first].clone());
    let failure = verify(&app, &repeated).expect("repeated");
    assert!(failure.contains("only grow"), "{failure}");

    let mut empty = lines.clone();
    empty[first]["size"] = json!(0);
    let failure = verify(&app, &empty).expect("size 0");
    assert!(failure.contains("signs nothing"), "{failure}");

    let mut forged = lines.clone();
    let proof = forged[second]["consistency"].as_array_mut().unwrap();
    assert!(!proof.is_empty());
    proof[0] = json!("00".repeat(32));
    let failure = verify(&app, &forged).expect("a forged proof");
    assert!(failure.contains("not consistent"), "{failure}");

    let mut garbled = lines.clone();
    garbled[second]["consistency"] = json!(["not hex"]);
    let failure = verify(&app, &garbled).expect("a garbled proof");
    assert!(failure.contains("consistency proof"), "{failure}");
}

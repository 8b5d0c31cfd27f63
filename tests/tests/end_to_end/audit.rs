//! Auditors: history and state as of any time, the log, proofs, and tampering caught and
//! located, on both stores.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use domain::transparency::{verify_consistency, verify_inclusion, Checkpoint, Hash, NoteVerifier};
use domain::Post;
use projections::on_db;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    another_jinan_enterprise, assert_problem, jinan_enterprise, on_both_stores, spawn_app, Store,
    TestApp,
};

on_both_stores!(
    history_lists_who_did_what_when_and_why,
    the_state_as_of_each_events_time_equals_the_state_after_it,
    history_and_log_are_refused_to_the_wrong_roles,
    published_checkpoints_and_proofs_verify_against_the_public_key,
    proofs_across_many_blocks_verify_against_the_signed_checkpoints,
    an_untouched_export_verifies_offline,
    a_changed_byte_is_caught_and_located,
    a_deleted_event_is_caught_and_located,
    swapped_events_are_caught_and_located,
    an_inserted_event_is_caught_and_located,
);

/// A case through issuance with the clock a minute further at each step, published the next
/// day (a checkpoint at the publication), then dispatched. Returns the case id.
async fn logged_case(app: &TestApp) -> String {
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let steps = [
        (Post::Acceptor, json!({"type": "accept"})),
        (
            Post::Reviewer,
            json!({"type": "record_review", "findings": "符合", "recommendation": "approve"}),
        ),
        (Post::Approver, json!({"type": "approve"})),
        (
            Post::Approver,
            json!({"type": "issue_permit", "scope": "复合肥料"}),
        ),
    ];
    for (minute, (post, body)) in steps.into_iter().enumerate() {
        app.set_time(&format!("2026-11-02T01:{:02}:00Z", minute + 1));
        app.ok_command(&app.officer_token("370100", post), &case_id, body)
            .await;
    }
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    app.ok_command(
        &app.officer_token("370100", Post::Dispatcher),
        &case_id,
        json!({"type": "dispatch_certificate", "courier": "EMS", "tracking_number": "1151234567890"}),
    )
    .await;
    case_id
}

async fn history(app: &TestApp, token: &str, case_id: &str, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/cases/{case_id}/history{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn history_lists_who_did_what_when_and_why(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    app.set_time("2026-11-02T02:00:00Z");
    app.ok_command(
        &app.officer_token("370100", Post::Acceptor),
        &case_id,
        json!({"type": "refuse_to_accept", "reason": "不属于本机关职权范围"}),
    )
    .await;
    let response = history(&app, &app.auditor_token(), &case_id, "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let events = body["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event_type"], "ApplicationFiled");
    assert_eq!(events[0]["actor"]["role"], "applicant");
    assert_eq!(
        events[0]["actor"]["credit_code"],
        jinan_enterprise().as_str()
    );
    assert_eq!(
        events[0]["payload"]["ApplicationFiled"]["enterprise_name"],
        "济南恒力化工有限公司"
    );
    let refusal = &events[1];
    assert_eq!(refusal["event_type"], "ApplicationNotAccepted");
    assert_eq!(refusal["sequence"], 2);
    assert_eq!(refusal["event_version"], "1.0");
    assert_eq!(refusal["recorded_at"], "2026-11-02T02:00:00.000000Z");
    assert_eq!(
        refusal["actor"],
        json!({"subject": "acceptor@370100", "role": "officer", "bureau": "370100", "post": "acceptor", "credit_code": null})
    );
    assert_eq!(refusal["reason"], "不属于本机关职权范围");
    assert!(refusal["request_id"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
    assert!(refusal["position"].as_i64().unwrap() > events[0]["position"].as_i64().unwrap());
}

async fn the_state_as_of_each_events_time_equals_the_state_after_it(store: Store) {
    let app = spawn_app(store).await;
    let case_id = logged_case(&app).await;
    let auditor = app.auditor_token();
    let full: Value = history(&app, &auditor, &case_id, "")
        .await
        .json()
        .await
        .unwrap();
    let events = full["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 6);
    let expected_status = [
        "filed",
        "accepted",
        "reviewed",
        "approved",
        "issued",
        "dispatched",
    ];
    for (event, status) in events.iter().zip(expected_status) {
        let at = event["recorded_at"].as_str().unwrap();
        let then: Value = history(&app, &auditor, &case_id, &format!("?as_of={at}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(then["state"]["status"], status, "as of {at}");
        assert_eq!(then["state"]["version"], event["sequence"], "as of {at}");
        assert_eq!(then["events"].as_array().unwrap().last().unwrap(), event);
    }
    let before: Value = history(
        &app,
        &auditor,
        &case_id,
        "?as_of=2026-11-01T00:00:00%2B08:00",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(before["state"], Value::Null, "the case did not exist yet");
    let bad = history(&app, &auditor, &case_id, "?as_of=yesterday").await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid-parameter").await;
}

async fn history_and_log_are_refused_to_the_wrong_roles(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let other_company = app.applicant_token(&another_jinan_enterprise());
    assert_problem(
        history(&app, &other_company, &case_id, "").await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    let other_city = app.officer_token("370200", Post::Reviewer);
    assert_problem(
        history(&app, &other_city, &case_id, "").await,
        StatusCode::NOT_FOUND,
        "case-not-found",
    )
    .await;
    let own = app.applicant_token(&jinan_enterprise());
    assert_eq!(
        history(&app, &own, &case_id, "").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        history(
            &app,
            &app.officer_token("370100", Post::Reviewer),
            &case_id,
            ""
        )
        .await
        .status(),
        StatusCode::OK
    );
    let log = |token: Option<String>| {
        let mut request = app.client.get(app.url("/api/v1/log?after=0&limit=10"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_problem(
        log(None).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "token-required",
    )
    .await;
    assert_problem(
        log(Some(own)).await.unwrap(),
        StatusCode::FORBIDDEN,
        "auditors-only",
    )
    .await;
    assert_problem(
        log(Some(app.officer_token("370100", Post::Approver)))
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
        "auditors-only",
    )
    .await;
    let page: Value = log(Some(app.auditor_token()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event = &page["events"][0];
    assert_eq!(page["next_after"], 1);
    // The entry served is exactly what is hashed: its leaf hash recomputes.
    let leaf = domain::transparency::leaf_hash(event["entry"].as_str().unwrap().as_bytes());
    assert_eq!(BASE64.encode(leaf), event["leaf_hash"]);
}

fn hash(value: &Value) -> Hash {
    BASE64
        .decode(value.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

/// Leaf `index`'s inclusion proof, as served, verifies against the signed `checkpoint`.
async fn assert_inclusion_verifies(app: &TestApp, index: u64, checkpoint: &Checkpoint) {
    let size = checkpoint.size;
    let proof: Value = serde_json::from_str(
        &app.public_text(&format!(
            "/transparency/proof/inclusion?index={index}&size={size}"
        ))
        .await,
    )
    .unwrap();
    let leaf = hash(&proof["leaf_hash"]);
    assert!(
        verify_inclusion(
            index,
            size,
            &leaf,
            &hashes(&proof["proof"]),
            &checkpoint.root
        ),
        "leaf {index} of {size}"
    );
}

/// The consistency proof from `first` to `latest`, as served, verifies against both.
async fn assert_consistency_verifies(app: &TestApp, first: &Checkpoint, latest: &Checkpoint) {
    let proof: Value = serde_json::from_str(
        &app.public_text(&format!(
            "/transparency/proof/consistency?from={}&to={}",
            first.size, latest.size
        ))
        .await,
    )
    .unwrap();
    assert!(verify_consistency(
        first.size,
        latest.size,
        &first.root,
        &latest.root,
        &hashes(&proof["proof"])
    ));
}

fn hashes(value: &Value) -> Vec<Hash> {
    value.as_array().unwrap().iter().map(hash).collect()
}

async fn published_checkpoints_and_proofs_verify_against_the_public_key(store: Store) {
    let app = spawn_app(store).await;
    logged_case(&app).await;
    app.set_time("2026-11-04T01:00:00Z");
    app.publish().await;
    let key = app.public_text("/transparency/key").await;
    let verifier = NoteVerifier::parse_vkey(&key).unwrap();
    let latest = verifier
        .open(&app.public_text("/transparency/checkpoint").await)
        .unwrap();
    let first = verifier
        .open(&app.public_text("/transparency/checkpoint/6").await)
        .unwrap();
    assert_eq!(
        first.size, 6,
        "a checkpoint at the first publication's position"
    );
    assert!(latest.size > first.size);
    // The daily feed and the archive point at the publication's checkpoint.
    let listing: Value =
        serde_json::from_str(&app.public_text("/listings/2026-11-02.json").await).unwrap();
    assert_eq!(
        listing["_permit_ledger"]["checkpoint"],
        app.url("/transparency/checkpoint/6")
            .replace(&app.address, crate::helpers::PUBLIC_URL)
    );
    for index in 0..latest.size {
        assert_inclusion_verifies(&app, index, &latest).await;
    }
    assert_consistency_verifies(&app, &first, &latest).await;
    let other_key =
        domain::transparency::NoteSigner::from_seed(verifier.name(), &[9; 32]).verifier();
    assert!(other_key
        .open(&app.public_text("/transparency/checkpoint").await)
        .is_err());
    let out_of_range = app
        .get_public("/transparency/proof/inclusion?index=0&size=9999")
        .await;
    assert_problem(out_of_range, StatusCode::BAD_REQUEST, "out-of-range").await;
}

/// The hashes of a proof over more than one block of 256 leaves come from kept block roots
/// (`api/src/merkle_blocks.rs`): they must still verify against what was signed.
async fn proofs_across_many_blocks_verify_against_the_signed_checkpoints(store: Store) {
    let app = spawn_app(store).await;
    let enterprise = jinan_enterprise();
    // 300 filings a day, each day published the next: checkpoints at 301 and 602.
    for (day, next) in [("2026-11-02", "2026-11-03"), ("2026-11-03", "2026-11-04")] {
        app.set_time(&format!("{day}T01:00:00Z"));
        let filings = (0..300).map(|_| app.file_case(&enterprise, "XK-003"));
        futures::future::join_all(filings).await;
        app.set_time(&format!("{next}T01:00:00Z"));
        app.publish().await;
    }
    let verifier = NoteVerifier::parse_vkey(&app.public_text("/transparency/key").await).unwrap();
    let signed = |size: u64| {
        let app = &app;
        let verifier = &verifier;
        async move {
            let note = app
                .public_text(&format!("/transparency/checkpoint/{size}"))
                .await;
            verifier.open(&note).unwrap()
        }
    };
    let (first, latest) = (signed(301).await, signed(602).await);
    for index in [0, 1, 255, 256, 300, 511, 512, 513, 600, 601] {
        assert_inclusion_verifies(&app, index, &latest).await;
    }
    assert_consistency_verifies(&app, &first, &latest).await;
}

fn export_file(app: &TestApp) -> std::path::PathBuf {
    app.settings
        .data_dir
        .join(format!("export-{}.jsonl", uuid::Uuid::now_v7()))
}

async fn export(app: &TestApp) -> std::path::PathBuf {
    let out = export_file(app);
    permit_ledger::cli::export::export(&app.ledger, &out, false)
        .await
        .unwrap();
    out
}

async fn an_untouched_export_verifies_offline(store: Store) {
    let app = spawn_app(store).await;
    logged_case(&app).await;
    let out = export(&app).await;
    let key = app.ledger.signer().verifier().vkey();
    let summary = permit_ledger::cli::verify::verify(&out, Some(&key)).unwrap();
    assert_eq!(summary.events, app.log_head().await);
    assert_eq!(summary.cases.get("dispatched"), Some(&1));
    assert_eq!(summary.publications, 1);
    assert_eq!(
        summary.checkpoints.iter().map(|c| c.0).collect::<Vec<_>>(),
        [6, 7]
    );
    // Checked against another key, the same file fails.
    let other = domain::transparency::NoteSigner::from_seed(app.ledger.signer().name(), &[5; 32])
        .verifier()
        .vkey();
    let failure = permit_ledger::cli::verify::verify(&out, Some(&other)).unwrap_err();
    assert!(
        failure.to_string().contains("not signed by the log's key"),
        "{failure}"
    );
    // A forged checkpoint line (another root under the old signature) fails too.
    let text = std::fs::read_to_string(&out).unwrap();
    let forged_path = export_file(&app);
    let note_line = text
        .lines()
        .find(|l| l.contains("\"kind\":\"checkpoint\""))
        .unwrap();
    let note: Value = serde_json::from_str(note_line).unwrap();
    let forged_note = note["note"].as_str().unwrap().replacen("\n6\n", "\n5\n", 1);
    let forged_line = json!({"kind": "checkpoint", "size": 5, "note": forged_note}).to_string();
    std::fs::write(&forged_path, text.replace(note_line, &forged_line)).unwrap();
    assert!(permit_ledger::cli::verify::verify(&forged_path, Some(&key)).is_err());
}

/// Lets the test act as an attacker with database access: the append-only triggers go.
async fn disable_guards(app: &TestApp, store: Store) {
    let statements: &[&str] = match store {
        Store::Sqlite => &[
            "DROP TRIGGER events_no_update",
            "DROP TRIGGER events_no_delete",
            "DROP TRIGGER events_stamp",
        ],
        Store::Postgres => &["ALTER TABLE events DISABLE TRIGGER USER"],
    };
    for sql in statements {
        on_db!(app.db(), |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
    }
}

async fn tamper(app: &TestApp, store: Store, statements: &[&str]) {
    disable_guards(app, store).await;
    for sql in statements {
        on_db!(app.db(), |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
    }
}

/// Exports the tampered log and asserts verify fails naming `position`, and that the server
/// refuses to sign a checkpoint of it.
async fn assert_caught_at(app: &TestApp, position: i64) {
    let head = app.log_head().await;
    assert!(
        app.ledger.checkpoint_at(head).await.is_err(),
        "the server signed a tampered log"
    );
    assert!(projections::transparency::checkpoint(app.db(), Some(head))
        .await
        .unwrap()
        .is_none());
    let out = export(app).await;
    let key = app.ledger.signer().verifier().vkey();
    let error = permit_ledger::cli::verify::verify(&out, Some(&key)).unwrap_err();
    let failure = error
        .downcast_ref::<permit_ledger::cli::verify::Failure>()
        .unwrap_or_else(|| panic!("{error}"));
    assert_eq!(failure.position, position, "{failure}");
}

async fn a_changed_byte_is_caught_and_located(store: Store) {
    let app = spawn_app(store).await;
    logged_case(&app).await;
    let sql = match store {
        Store::Sqlite => "UPDATE events SET payload = replace(payload, '\"approve\"', '\"deny\"') WHERE global_position = 3",
        Store::Postgres => "UPDATE events SET payload = replace(payload::text, '\"approve\"', '\"deny\"')::json WHERE global_position = 3",
    };
    tamper(&app, store, &[sql]).await;
    assert_caught_at(&app, 3).await;
    let report = permit_ledger::cli::replay::replay(&app.ledger, false)
        .await
        .unwrap();
    let leaves = report
        .iter()
        .find(|l| l.projection == "ledger_leaves")
        .unwrap();
    assert_ne!(
        leaves.live, leaves.rebuilt,
        "replay must notice the changed event"
    );
}

async fn a_deleted_event_is_caught_and_located(store: Store) {
    let app = spawn_app(store).await;
    logged_case(&app).await;
    tamper(
        &app,
        store,
        &["DELETE FROM events WHERE global_position = 4"],
    )
    .await;
    assert_caught_at(&app, 4).await;
}

async fn swapped_events_are_caught_and_located(store: Store) {
    let app = spawn_app(store).await;
    logged_case(&app).await;
    tamper(
        &app,
        store,
        &[
            "UPDATE events SET global_position = -2 WHERE global_position = 2",
            "UPDATE events SET global_position = 2 WHERE global_position = 5",
            "UPDATE events SET global_position = 5 WHERE global_position = -2",
        ],
    )
    .await;
    assert_caught_at(&app, 2).await;
}

async fn an_inserted_event_is_caught_and_located(store: Store) {
    let app = spawn_app(store).await;
    logged_case(&app).await;
    tamper(
        &app,
        store,
        &[
            "UPDATE events SET global_position = -(global_position + 1) WHERE global_position >= 3",
            "UPDATE events SET global_position = -global_position WHERE global_position < 0",
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
               metadata, global_position, recorded_at) \
             SELECT aggregate_type, aggregate_id, 99, event_type, event_version, payload, metadata, 3, recorded_at \
               FROM events WHERE global_position = 2",
        ],
    )
    .await;
    assert_caught_at(&app, 3).await;
}

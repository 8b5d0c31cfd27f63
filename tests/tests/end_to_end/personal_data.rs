//! Personal fields are sealed before they are logged, and erased by destroying their
//! subject's key: afterwards they read as erased everywhere, while the log, its checkpoints
//! and every proof served before still verify, byte for byte, and no plaintext is left in the
//! store's files.

use base64::Engine;
use domain::personal_data::DataSubject;
use domain::values::CreditCode;
use domain::Post;
use permit_ledger::ledger::LedgerError;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    another_jinan_enterprise, application, assert_problem, jinan_enterprise, on_both_stores,
    spawn_app, Store, TestApp,
};

on_both_stores!(
    personal_fields_are_sealed_in_the_store_and_open_for_those_entitled,
    an_erased_subject_reads_as_erased_and_every_proof_still_verifies,
    a_tampered_ciphertext_fails_authentication,
    retention_erases_an_enterprise_once_its_cases_are_long_finished,
    an_auditor_erases_an_officer_over_http_and_no_one_else_may,
    two_servers_past_the_retention_period_record_one_erasure,
);

const PERSON: &str = "欧阳联系人甲";
const PHONE: &str = "13911112222";
const SIGNER: &str = "欧阳签字人 法定代表人";
const FINDINGS: &str = "现场核查：欧阳某某负责质量管理";
const OTHER_PERSON: &str = "司马联系人乙";

/// Files a case for `enterprise` with `person` as its contact (and, for the first
/// enterprise, a signed commitment); returns its id.
async fn file_with_contact(app: &TestApp, enterprise: &CreditCode, person: &str) -> String {
    let mut body = application("XK-003");
    body["contact"] = json!({"person": person, "phone": PHONE});
    if person == PERSON {
        body["commitment"] = json!({"signed_by": SIGNER, "statement": "本企业承诺符合许可条件"});
    }
    let response = app.file(&app.applicant_token(enterprise), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case: Value = response.json().await.unwrap();
    assert_eq!(
        case["contact"]["person"], person,
        "the filer reads it in clear"
    );
    case["case_id"].as_str().unwrap().to_owned()
}

/// Takes `case_id` through review (with personal findings) to issuance.
async fn issue_with_findings(app: &TestApp, case_id: &str) {
    let steps = [
        (Post::Acceptor, json!({"type": "accept"})),
        (
            Post::Reviewer,
            json!({"type": "record_review", "findings": FINDINGS, "recommendation": "approve"}),
        ),
        (Post::Approver, json!({"type": "approve"})),
        (
            Post::Approver,
            json!({"type": "issue_permit", "scope": "复合肥料"}),
        ),
    ];
    for (post, body) in steps {
        app.ok_command(&app.officer_token("370100", post), case_id, body)
            .await;
    }
}

/// The store's own bytes: the SQLite file and its write-ahead log, or a `pg_dump`.
fn store_bytes(app: &TestApp, store: Store) -> Vec<u8> {
    match store {
        Store::Sqlite => ["ledger.db", "ledger.db-wal"]
            .iter()
            .filter_map(|name| std::fs::read(app.settings.data_dir.join(name)).ok())
            .collect::<Vec<_>>()
            .concat(),
        Store::Postgres => {
            let url = app.settings.store.clone().expect("a PostgreSQL URL");
            let dump = std::process::Command::new("pg_dump")
                .arg(format!("--dbname={url}"))
                .output()
                .expect("pg_dump runs");
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            dump.stdout
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn personal_fields_are_sealed_in_the_store_and_open_for_those_entitled(store: Store) {
    let app = spawn_app(store).await;
    let case_id = file_with_contact(&app, &jinan_enterprise(), PERSON).await;
    issue_with_findings(&app, &case_id).await;
    for event in app.all_events().await {
        for secret in [PERSON, PHONE, SIGNER, FINDINGS, "acceptor@370100"] {
            assert!(
                !event.payload.contains(secret),
                "{secret} in {}",
                event.payload
            );
            assert!(
                !event.metadata.contains(secret),
                "{secret} in {}",
                event.metadata
            );
        }
    }
    let bytes = store_bytes(&app, store);
    for secret in [PERSON, PHONE, SIGNER, FINDINGS] {
        assert!(
            !contains(&bytes, secret),
            "{secret} is in the store's files"
        );
    }
    // Public register data stays in clear.
    assert!(contains(&bytes, "济南恒力化工有限公司"));

    let officer = app.officer_token("370100", Post::Reviewer);
    let case = get_json(&app, &officer, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(case["contact"]["person"], PERSON);
    assert_eq!(case["contact"]["phone"], PHONE);
    assert_eq!(case["commitment"]["signed_by"], SIGNER);
    assert_eq!(case["review"]["findings"], FINDINGS);
    assert!(case.get("erased_fields").is_none(), "{case}");
    let history = get_json(
        &app,
        &app.auditor_token(),
        &format!("/api/v1/cases/{case_id}/history"),
    )
    .await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(
        events[0]["payload"]["ApplicationFiled"]["contact"]["person"],
        PERSON
    );
    assert_eq!(events[2]["payload"]["ReviewRecorded"]["findings"], FINDINGS);
    assert_eq!(events[2]["actor"]["subject"], "reviewer@370100");
}

async fn an_erased_subject_reads_as_erased_and_every_proof_still_verifies(store: Store) {
    let app = spawn_app(store).await;
    let erased_case = file_with_contact(&app, &jinan_enterprise(), PERSON).await;
    issue_with_findings(&app, &erased_case).await;
    let kept_case = file_with_contact(&app, &another_jinan_enterprise(), OTHER_PERSON).await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let permit_number = get_json(
        &app,
        &app.auditor_token(),
        &format!("/api/v1/cases/{erased_case}"),
    )
    .await["permit"]["permit_number"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = [
        "/listings/2026-11-02.json".to_owned(),
        "/listings/2026-11-02.rss".to_owned(),
        "/feeds/permits.rss".to_owned(),
        "/feeds/permits.json".to_owned(),
        format!("/permits/{permit_number}"),
    ];
    let mut published_before = Vec::new();
    for path in &public {
        published_before.push(app.public_text(path).await);
    }
    let before = app
        .ledger
        .checkpoint(None)
        .await
        .unwrap()
        .expect("a checkpoint");
    let (leaf, inclusion) = app
        .ledger
        .inclusion_proof(0, before.size as usize)
        .await
        .unwrap();

    let subject = DataSubject::Enterprise(jinan_enterprise());
    let erased = permit_ledger::cli::erase::erase(
        &app.ledger,
        &subject,
        "申请人依法要求删除个人信息".into(),
        "auditor-wang".into(),
    )
    .await
    .unwrap();
    assert!(erased.recorded);
    let again = permit_ledger::cli::erase::erase(&app.ledger, &subject, "again".into(), "a".into());
    assert!(
        matches!(again.await, Err(e) if matches!(e.downcast_ref(), Some(LedgerError::NoSuchSubject(_)))),
        "an erased subject has nothing left to erase"
    );

    // Everywhere it was read, it reads as erased; the other enterprise is untouched.
    let officer = app.officer_token("370100", Post::Approver);
    let case = get_json(&app, &officer, &format!("/api/v1/cases/{erased_case}")).await;
    for (field, value) in [
        ("contact.person", &case["contact"]["person"]),
        ("contact.phone", &case["contact"]["phone"]),
        ("commitment.signed_by", &case["commitment"]["signed_by"]),
        ("review.findings", &case["review"]["findings"]),
    ] {
        assert_eq!(value, "erased", "{field}");
    }
    assert_eq!(
        case["erased_fields"],
        json!([
            "contact.person",
            "contact.phone",
            "commitment.signed_by",
            "review.findings"
        ])
    );
    assert_eq!(case["enterprise_name"], "济南恒力化工有限公司");
    let kept = get_json(&app, &officer, &format!("/api/v1/cases/{kept_case}")).await;
    assert_eq!(kept["contact"]["person"], OTHER_PERSON);
    let worklist = get_json(&app, &officer, "/api/v1/cases?limit=10").await;
    let listed = worklist.to_string();
    assert!(
        !listed.contains(PERSON) && listed.contains(OTHER_PERSON),
        "{listed}"
    );
    let history = get_json(
        &app,
        &app.auditor_token(),
        &format!("/api/v1/cases/{erased_case}/history"),
    )
    .await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(
        events[0]["payload"]["ApplicationFiled"]["contact"]["person"],
        "erased"
    );
    assert_eq!(
        events[0]["actor"]["subject"], "erased",
        "the applicant is the enterprise's"
    );
    assert_eq!(
        events[1]["actor"]["subject"], "acceptor@370100",
        "officers are not erased"
    );
    assert_eq!(
        events[0]["erased_fields"],
        json!([
            "contact.person",
            "contact.phone",
            "commitment.signed_by",
            "actor_subject"
        ])
    );

    // What was published is unchanged, and every proof served before still holds.
    for (path, text) in public.iter().zip(&published_before) {
        assert_eq!(&app.public_text(path).await, text, "{path} changed");
    }
    assert!(domain::transparency::verify_inclusion(
        0,
        before.size as u64,
        &leaf,
        &inclusion,
        &before.root
    ));
    let head = app.log_head().await;
    let after = app.ledger.checkpoint_at(head).await.unwrap();
    assert!(after.size > before.size, "the erasure is an event");
    let consistency = app
        .ledger
        .consistency_proof(before.size as usize, after.size as usize)
        .await
        .unwrap();
    assert!(domain::transparency::verify_consistency(
        before.size as u64,
        after.size as u64,
        &before.root,
        &after.root,
        &consistency
    ));

    // The erasure is in the log once, naming the enterprise, the reason and who ordered it.
    let erasures: Vec<_> = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.aggregate_type == "SubjectErasure")
        .collect();
    assert_eq!(erasures.len(), 1);
    let payload: Value = serde_json::from_str(&erasures[0].payload).unwrap();
    let recorded = &payload["PersonalDataErased"];
    assert_eq!(recorded["kind"], "enterprise");
    assert_eq!(recorded["credit_code"], jinan_enterprise().as_str());
    assert_eq!(recorded["basis"], "request");
    assert_eq!(recorded["reason"], "申请人依法要求删除个人信息");
    assert_eq!(erasures[0].aggregate_id, erased.key_id);

    // A fresh export verifies without keys; a decrypted one shows what is left.
    let out = app.settings.data_dir.join("after-erasure.jsonl");
    permit_ledger::cli::export::export(&app.ledger, &out, false)
        .await
        .unwrap();
    let key = app.ledger.signer().verifier().vkey();
    permit_ledger::cli::verify::verify(&out, Some(&key)).expect("the log still verifies");
    let decrypted = app.settings.data_dir.join("decrypted.jsonl");
    permit_ledger::cli::export::export(&app.ledger, &decrypted, true)
        .await
        .unwrap();
    permit_ledger::cli::verify::verify(&decrypted, Some(&key)).expect("so does a decrypted one");
    let text = std::fs::read_to_string(&decrypted).unwrap();
    assert!(!text.contains(PERSON) && text.contains(OTHER_PERSON));
    let filed: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["event_type"] == "ApplicationFiled")
        .collect();
    let opened =
        |i: usize| filed[i]["opened"]["payload"]["ApplicationFiled"]["contact"]["person"].clone();
    assert_eq!(
        (opened(0), opened(1)),
        (json!("erased"), json!(OTHER_PERSON))
    );

    let bytes = store_bytes(&app, store);
    for secret in [PERSON, SIGNER, FINDINGS] {
        assert!(
            !contains(&bytes, secret),
            "{secret} is in the store's files"
        );
    }
}

async fn a_tampered_ciphertext_fails_authentication(store: Store) {
    let app = spawn_app(store).await;
    let case_id = file_with_contact(&app, &jinan_enterprise(), PERSON).await;
    let view: String = projections::on_db!(app.db(), |pool| {
        sqlx::query_scalar("SELECT CAST(view AS TEXT) FROM case_state WHERE case_id = $1")
            .bind(&case_id)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    let mut parsed: Value = serde_json::from_str(&view).unwrap();
    let sealed = parsed["contact"]["person"].as_str().unwrap().to_owned();
    let (head, body) = sealed.rsplit_once(':').unwrap();
    let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let altered = format!(
        "{head}:{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    parsed["contact"]["person"] = json!(altered);
    let update = match store {
        Store::Sqlite => "UPDATE case_state SET view = $1 WHERE case_id = $2",
        Store::Postgres => {
            "UPDATE case_state SET view = CAST($1 AS TEXT)::jsonb WHERE case_id = $2"
        }
    };
    projections::on_db!(app.db(), |pool| {
        sqlx::query(update)
            .bind(parsed.to_string())
            .bind(&case_id)
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap()
    });
    let id = domain::values::CaseId::parse(&case_id).unwrap();
    let error = app
        .ledger
        .case(&id)
        .await
        .expect_err("a tampered field does not open");
    let message = format!("{error}");
    assert!(message.contains("does not authenticate"), "{message}");
    assert!(message.contains("contact.person"), "{message}");
}

async fn retention_erases_an_enterprise_once_its_cases_are_long_finished(store: Store) {
    let app = spawn_app(store).await;
    let finished = file_with_contact(&app, &jinan_enterprise(), PERSON).await;
    issue_with_findings(&app, &finished).await;
    let dispatcher = app.officer_token("370100", Post::Dispatcher);
    app.ok_command(
        &dispatcher,
        &finished,
        json!({"type": "dispatch_certificate", "courier": "EMS", "tracking_number": "1151234567890"}),
    )
    .await;
    app.ok_command(&dispatcher, &finished, json!({"type": "confirm_delivery"}))
        .await;
    let open = file_with_contact(&app, &another_jinan_enterprise(), OTHER_PERSON).await;

    app.set_time("2026-12-01T01:00:00Z");
    assert_eq!(
        app.ledger.erase_what_is_due(Some(60)).await.unwrap(),
        0,
        "not yet"
    );
    assert_eq!(
        app.ledger.erase_what_is_due(None).await.unwrap(),
        0,
        "never by itself"
    );
    assert_eq!(app.ledger.erase_what_is_due(Some(20)).await.unwrap(), 1);
    assert_eq!(
        app.ledger.erase_what_is_due(Some(20)).await.unwrap(),
        0,
        "once"
    );

    let officer = app.officer_token("370100", Post::Acceptor);
    let case = get_json(&app, &officer, &format!("/api/v1/cases/{finished}")).await;
    assert_eq!(case["contact"]["person"], "erased");
    let kept = get_json(&app, &officer, &format!("/api/v1/cases/{open}")).await;
    assert_eq!(
        kept["contact"]["person"], OTHER_PERSON,
        "its case is still open"
    );
    let erasure = app
        .all_events()
        .await
        .into_iter()
        .find(|e| e.aggregate_type == "SubjectErasure")
        .expect("the erasure is recorded");
    let payload: Value = serde_json::from_str(&erasure.payload).unwrap();
    assert_eq!(payload["PersonalDataErased"]["basis"], "retention");
    assert_eq!(payload["PersonalDataErased"]["retention_days"], 20);
    assert_eq!(erasure.metadata_map().unwrap()["actor_role"], "system");
}

async fn an_auditor_erases_an_officer_over_http_and_no_one_else_may(store: Store) {
    let app = spawn_app(store).await;
    let case_id = file_with_contact(&app, &jinan_enterprise(), PERSON).await;
    issue_with_findings(&app, &case_id).await;
    let erase = |token: String, body: Value| {
        let request = app
            .client
            .post(app.url("/api/v1/erasures"))
            .bearer_auth(token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let officer = json!({"subject": "officer:reviewer@370100", "reason": "调离岗位满五年"});
    let head = app.log_head().await;
    for token in [
        app.applicant_token(&jinan_enterprise()),
        app.officer_token("370100", Post::Approver),
    ] {
        assert_problem(
            erase(token, officer.clone()).await,
            StatusCode::FORBIDDEN,
            "auditors-only",
        )
        .await;
    }
    let auditor = app.auditor_token();
    assert_problem(
        erase(
            auditor.clone(),
            json!({"subject": "citizen:x", "reason": "r"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid-data-subject",
    )
    .await;
    assert_problem(
        erase(
            auditor.clone(),
            json!({"subject": "officer:reviewer@370100", "reason": " "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required-field",
    )
    .await;
    assert_eq!(app.log_head().await, head, "nothing refused is written");

    let response = erase(auditor.clone(), officer.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let erased: Value = response.json().await.unwrap();
    assert_eq!(erased["recorded"], true);
    assert_problem(
        erase(auditor.clone(), officer).await,
        StatusCode::NOT_FOUND,
        "no-personal-data",
    )
    .await;

    let history = get_json(&app, &auditor, &format!("/api/v1/cases/{case_id}/history")).await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(events[1]["actor"]["subject"], "acceptor@370100");
    assert_eq!(events[2]["actor"]["subject"], "erased", "the reviewer");
    assert_eq!(events[2]["erased_fields"], json!(["actor_subject"]));
    assert_eq!(
        events[2]["payload"]["ReviewRecorded"]["findings"], FINDINGS,
        "the findings are the enterprise's, not the reviewer's"
    );
    assert_eq!(
        events[0]["payload"]["ApplicationFiled"]["contact"]["person"],
        PERSON
    );
}

async fn two_servers_past_the_retention_period_record_one_erasure(store: Store) {
    let app = spawn_app(store).await;
    let case_id = file_with_contact(&app, &jinan_enterprise(), PERSON).await;
    app.ok_command(
        &app.applicant_token(&jinan_enterprise()),
        &case_id,
        json!({"type": "withdraw", "reason": "不再生产该产品"}),
    )
    .await;
    let elsewhere = app.second_server(store, "second-server", &["checkpoint-key", "master-key"]);
    app.set_time("2026-12-30T01:00:00Z");
    let second = permit_ledger::startup::open_ledger(&elsewhere, app.clock.clone())
        .await
        .unwrap();
    let (first, other) = tokio::join!(
        app.ledger.erase_what_is_due(Some(20)),
        second.erase_what_is_due(Some(20))
    );
    assert_eq!(
        first.unwrap() + other.unwrap(),
        1,
        "one erasure between them"
    );
    let erasures = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.aggregate_type == "SubjectErasure")
        .count();
    assert_eq!(erasures, 1);
    let id = domain::values::CaseId::parse(&case_id).unwrap();
    for ledger in [&*app.ledger, &second] {
        let case = ledger.case(&id).await.unwrap().unwrap();
        assert_eq!(case.contact.person, "erased");
    }
}

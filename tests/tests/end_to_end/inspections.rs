//! "Double random, one public" over HTTP: an approver's plan fixes its population; the
//! ledger draws it once, with the root of the first checkpoint published after it; the
//! public document is recomputed exactly by `verify-draw` and by the README's Python; drawn
//! inspectors record results; no inspector is drawn for a case they handled.

use std::path::Path;

use domain::{Actor, Post};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, credit, on_both_stores, read_feeds, spawn_app, spawn_with, Store, TestApp,
};

on_both_stores!(
    a_plan_is_drawn_from_its_checkpoint_and_recomputed_by_anyone,
    plans_are_refused_outside_their_rules_and_write_nothing,
    a_plan_sent_again_under_its_key_is_made_once,
);

/// The roster: the approver who decided every case (never drawn: a conflict), and three
/// inspectors.
fn roster() -> Value {
    json!([
        {"subject": "approver@370100", "bureau": "370100"},
        {"subject": "inspector-wang", "bureau": "370100"},
        {"subject": "inspector-li", "bureau": "370100"},
        {"subject": "inspector-zhao", "bureau": "370100"},
    ])
}

const SUBJECTS: [&str; 4] = [
    "approver@370100",
    "inspector-wang",
    "inspector-li",
    "inspector-zhao",
];

fn plan(sample: Value) -> Value {
    json!({"name": "2026年第四季度化肥生产许可双随机抽查", "items": ["XK-003"],
        "sample": sample, "roster": roster()})
}

/// Four Jinan permits of XK-003 in force.
async fn four_permits(app: &TestApp) {
    for n in 1..=4 {
        app.issued_case(
            &credit(&format!("91370102MA3C4F5G{n}")),
            &format!("济南第{n}化肥有限公司"),
        )
        .await;
    }
}

async fn create(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/inspections/plans"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn inspector(app: &TestApp, subject: &str) -> String {
    app.keys.issue(
        &Actor::Officer {
            subject: subject.into(),
            bureau: "370100".parse().unwrap(),
            post: Post::Inspector,
        },
        chrono::Utc::now(),
        chrono::Duration::hours(1),
    )
}

async fn record(app: &TestApp, token: &str, plan_id: &str, permit: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/inspections/plans/{plan_id}/commands")))
        .bearer_auth(token)
        .json(
            &json!({"type": "record_inspection_result", "permit_number": permit,
            "result": "rectify", "findings": "SENTINEL-INSPECTION-FINDINGS 标签不规范"}),
        )
        .send()
        .await
        .unwrap()
}

/// Runs the README's Python draw on the document at `path`.
fn python_draw(path: &Path) -> std::process::Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/draw.py");
    std::process::Command::new("python3")
        .arg(script)
        .arg(path)
        .output()
        .expect("python3 runs")
}

async fn a_plan_is_drawn_from_its_checkpoint_and_recomputed_by_anyone(store: Store) {
    let app = spawn_app(store).await;
    four_permits(&app).await;
    let approver = app.officer_token("370100", Post::Approver);
    let created = create(&app, &approver, &plan(json!({"size": 2}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let document: Value = created.json().await.unwrap();
    let plan_id = document["plan_id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/inspections/{plan_id}.json"));
    let permits = document["population"]["permits"].as_array().unwrap();
    assert_eq!(permits.len(), 4);
    for member in permits {
        assert_eq!(member["conflicts"], json!([0]), "the approver decided it");
    }
    assert_eq!(document["sample_size"], 2);
    assert!(document["draw"].is_null());
    let roster_text = document["roster"].to_string();
    assert!(
        !roster_text.contains("inspector-wang") && !roster_text.contains("approver@"),
        "the roster names nobody: {roster_text}"
    );

    // No checkpoint published after the plan yet: nothing to draw with.
    app.ledger.draw_due_plans().await.unwrap();
    let public: Value = serde_json::from_str(&app.public_text(&location).await).unwrap();
    assert!(public["draw"].is_null());

    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    app.ledger.draw_due_plans().await.unwrap();
    app.ledger.draw_due_plans().await.unwrap();
    let text = app.public_text(&location).await;
    let public: Value = serde_json::from_str(&text).unwrap();
    let draw = &public["draw"];
    let size = draw["checkpoint"]["size"].as_i64().unwrap();
    assert!(size > public["position"].as_i64().unwrap());
    let checkpoint = app
        .public_text(&format!("/transparency/checkpoint/{size}"))
        .await;
    assert_eq!(draw["checkpoint"]["note"], checkpoint);
    let targets = draw["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    for target in targets {
        let inspectors = target["inspectors"].as_array().unwrap();
        assert_eq!(inspectors.len(), 2);
        assert!(
            !inspectors.contains(&json!(0)),
            "a conflicted inspector was drawn"
        );
    }
    let drawn_events = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "PlanDrawn")
        .count();
    assert_eq!(drawn_events, 1, "drawn once");

    // Anyone recomputes it: verify-draw (with the log's key) and the README's Python.
    let path = std::env::temp_dir().join(format!("permit-ledger-plan-{plan_id}.json"));
    std::fs::write(&path, &text).unwrap();
    let key = app.ledger.signer().verifier().vkey();
    let verified = permit_ledger::cli::verify_draw::verify_draw(&path, Some(&key)).unwrap();
    assert_eq!((verified.targets, verified.population), (2, 4));
    assert!(verified.signed);
    let python = python_draw(&path);
    assert!(
        python.status.success(),
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );
    assert!(String::from_utf8_lossy(&python.stdout).contains("the draw matches"));
    // Any other seed is caught, and so is a changed target.
    let mut forged = public.clone();
    let seed = forged["draw"]["seed"].as_str().unwrap().to_owned();
    let flipped = if seed.starts_with('0') { "1" } else { "0" };
    forged["draw"]["seed"] = json!(format!("{flipped}{}", &seed[1..]));
    std::fs::write(&path, forged.to_string()).unwrap();
    let error = permit_ledger::cli::verify_draw::verify_draw(&path, Some(&key)).unwrap_err();
    assert!(error.to_string().contains("not the root"), "{error}");
    assert!(!python_draw(&path).status.success());
    let mut forged = public.clone();
    forged["draw"]["targets"][0]["inspectors"] = json!([0, 1]);
    std::fs::write(&path, forged.to_string()).unwrap();
    let error = permit_ledger::cli::verify_draw::verify_draw(&path, None).unwrap_err();
    assert!(error.to_string().contains("target 1"), "{error}");

    // The drawn inspectors record results; no one else does, and no result twice.
    let target = &targets[0];
    let permit = target["permit_number"].as_str().unwrap();
    let assigned = SUBJECTS[target["inspectors"][0].as_u64().unwrap() as usize];
    let outsider = (1..4)
        .find(|i| !target["inspectors"].as_array().unwrap().contains(&json!(i)))
        .map(|i| SUBJECTS[i])
        .unwrap();
    let listed = app.public_json("/inspections.json").await;
    assert_eq!(listed["plans"][0]["results"], 0);
    let refused = record(&app, &inspector(&app, outsider), &plan_id, permit).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "not-assigned").await;
    let recorded = record(&app, &inspector(&app, assigned), &plan_id, permit).await;
    assert_eq!(recorded.status(), StatusCode::OK);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(recorded["results"][0]["result"], "rectify");
    let again = record(&app, &inspector(&app, assigned), &plan_id, permit).await;
    assert_problem(again, StatusCode::CONFLICT, "result-already-recorded").await;
    let listed = app.public_json("/inspections.json").await;
    assert_eq!(
        listed["plans"][0]["results"], 1,
        "the list shows the new result"
    );

    // Public: the document, the list and the feeds, with validators; never the findings.
    let mut public_text = app.public_text(&location).await;
    public_text.push_str(&app.public_text("/inspections.json").await);
    for url in ["/feeds/inspections.rss", "/feeds/inspections.json"] {
        public_text.push_str(&app.public_text(url).await);
    }
    assert!(!public_text.contains("SENTINEL"), "findings are private");
    for subject in SUBJECTS {
        assert!(
            !public_text.contains(subject),
            "{subject} is named in public"
        );
    }
    let first = app.get_public(&location).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app.get_with(&location, "If-None-Match", &etag).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let urls = [
        app.url("/feeds/inspections.rss"),
        app.url("/feeds/inspections.json"),
    ];
    for feed in read_feeds(&urls) {
        assert_eq!(feed["bozo"], 0, "{feed}");
        assert_eq!(feed["json_problems"], json!([]), "{feed}");
        assert_eq!(feed["entries"].as_array().unwrap().len(), 3, "{feed}");
    }
}

async fn plans_are_refused_outside_their_rules_and_write_nothing(store: Store) {
    let app = spawn_app(store).await;
    four_permits(&app).await;
    let head = app.log_head().await;
    let approver = app.officer_token("370100", Post::Approver);
    let cases = [
        (
            app.officer_token("370100", Post::Reviewer),
            plan(json!({"size": 2})),
            StatusCode::FORBIDDEN,
            "approver-only",
        ),
        (
            app.officer_token("370200", Post::Approver),
            {
                let mut body = plan(json!({"size": 2}));
                body["area"] = json!("370100");
                body
            },
            StatusCode::FORBIDDEN,
            "own-area-only",
        ),
        (
            approver.clone(),
            plan(json!({"size": 5})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "sample-out-of-range",
        ),
        (
            approver.clone(),
            {
                let mut body = plan(json!({"percent": 50}));
                body["items"] = json!(["XK-001"]);
                body
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty-population",
        ),
        (
            approver.clone(),
            {
                let mut body = plan(json!({"size": 1}));
                body["roster"] = json!([{"subject": "approver@370100", "bureau": "370100"},
                    {"subject": "inspector-wang", "bureau": "370100"}]);
                body
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "too-few-inspectors-without-conflict",
        ),
        (
            approver.clone(),
            json!({"name": "x", "items": ["XK-003"], "sample": {"size": 1}, "roster": [], "extra": 1}),
            StatusCode::BAD_REQUEST,
            "malformed-body",
        ),
    ];
    for (token, body, status, rule) in cases {
        assert_problem(create(&app, &token, &body).await, status, rule).await;
    }
    assert_eq!(app.log_head().await, head, "refusals write nothing");
    let missing = app
        .get_public("/inspections/0190f2a4-6c1e-7000-8000-000000000001.json")
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND, "plan-not-found").await;
}

async fn a_plan_sent_again_under_its_key_is_made_once(store: Store) {
    let app = spawn_app(store).await;
    four_permits(&app).await;
    let approver = app.officer_token("370100", Post::Approver);
    let send = || {
        app.client
            .post(app.url("/api/v1/inspections/plans"))
            .bearer_auth(&approver)
            .header("Idempotency-Key", "plan-2026-q4")
            .json(&plan(json!({"percent": 50})))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["plan_id"], first["plan_id"]);
    let made = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "PlanCreated")
        .count();
    assert_eq!(made, 1, "a retried plan is recognised");
}

/// Two servers on one PostgreSQL both try to draw the same plan: it is drawn once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_draw_a_plan_once() {
    let first = spawn_app(Store::Postgres).await;
    let second = spawn_with(first.settings.clone(), None).await;
    four_permits(&first).await;
    let approver = first.officer_token("370100", Post::Approver);
    let created = create(&first, &approver, &plan(json!({"size": 3}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    first.set_time("2026-11-03T01:00:00Z");
    second.set_time("2026-11-03T01:00:00Z");
    first.publish().await;
    let (a, b) = tokio::join!(
        first.ledger.draw_due_plans(),
        second.ledger.draw_due_plans()
    );
    assert!(a.unwrap() + b.unwrap() <= 1);
    // Both background tasks run too; give them a pass.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let drawn = first
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "PlanDrawn")
        .count();
    assert_eq!(drawn, 1);
}

#[test]
fn the_readme_gives_the_draw_the_python_script_runs() {
    let readme = include_str!("../../../README.md");
    let script = include_str!("../../../docs/draw.py");
    let start = script.find("def draw(").unwrap();
    let end = script.find("\n\ndef main").unwrap();
    let function = script[start..end].trim_end();
    assert!(
        readme.contains(function),
        "the README's draw is not docs/draw.py's"
    );
}

//! Supervision of time over HTTP: the clock suspended, resumed and extended; worklists by
//! warning; the efficiency figures of a hand-built month equal to hand-computed ones, the same
//! after a replay, in CSV as in JSON; and who may see them.

use std::io::Write;
use std::process::{Command, Stdio};

use domain::Post;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, jinan_enterprise, on_both_stores, qingdao_enterprise, spawn_app, Store, TestApp,
};
use crate::worklists::{self, ids};

on_both_stores!(
    an_officer_suspends_resumes_and_extends_the_clock,
    clock_refusals_name_their_rule_and_write_nothing,
    worklists_select_by_warning_most_urgent_first,
    the_efficiency_of_a_hand_built_month_is_the_hand_computed_one,
    the_figures_are_for_supervisors_of_their_own_area
);

/// Sets the ledger's clock to 10:00 in Shanghai on `day`.
fn on(app: &TestApp, day: &str) {
    app.set_time(&format!("{day}T02:00:00Z"));
}

fn reviewer(app: &TestApp, bureau: &str) -> String {
    app.officer_token(bureau, Post::Reviewer)
}

fn approver(app: &TestApp, bureau: &str) -> String {
    app.officer_token(bureau, Post::Approver)
}

fn suspension() -> Value {
    json!({"type": "suspend_clock", "kind": "testing", "reason": "产品送检",
        "notice": "鲁质检中止〔2026〕12号"})
}

/// Files and accepts a case of `credit_code`'s bureau on `day`.
async fn accepted_on(app: &TestApp, day: &str, credit_code: &domain::values::CreditCode) -> String {
    on(app, day);
    let case_id = app.file_case(credit_code, "XK-003").await;
    let bureau = if credit_code == &jinan_enterprise() {
        "370100"
    } else {
        "370200"
    };
    app.ok_command(
        &app.officer_token(bureau, Post::Acceptor),
        &case_id,
        json!({"type": "accept"}),
    )
    .await;
    case_id
}

async fn review(app: &TestApp, case_id: &str, day: &str) {
    on(app, day);
    app.ok_command(
        &reviewer(app, "370100"),
        case_id,
        json!({"type": "record_review", "findings": "符合条件", "recommendation": "approve"}),
    )
    .await;
}

async fn approve_and_issue(app: &TestApp, case_id: &str, day: &str) -> Value {
    on(app, day);
    let approver = approver(app, "370100");
    app.ok_command(&approver, case_id, json!({"type": "approve"}))
        .await;
    app.ok_command(
        &approver,
        case_id,
        json!({"type": "issue_permit", "scope": "复合肥料"}),
    )
    .await
}

async fn an_officer_suspends_resumes_and_extends_the_clock(store: Store) {
    let app = spawn_app(store).await;
    // Accepted Mon 28 Sep 2026: committed deadline Fri 16 Oct, statutory Fri 30 Oct.
    let case_id = accepted_on(&app, "2026-09-28", &jinan_enterprise()).await;
    on(&app, "2026-09-29");
    let suspended = app
        .ok_command(&reviewer(&app, "370100"), &case_id, suspension())
        .await;
    assert_eq!(suspended["clock"]["state"], "suspended");
    assert_eq!(suspended["clock"]["used_working_days"], 1);
    // Over National Day: 30 Sep, 8 and 9 Oct stand still.
    on(&app, "2026-10-09");
    let resumed = app
        .ok_command(
            &approver(&app, "370100"),
            &case_id,
            json!({"type": "resume_clock"}),
        )
        .await;
    let clock = &resumed["clock"];
    assert_eq!(clock["state"], "running");
    assert_eq!(clock["suspended_working_days"], 3);
    assert_eq!(clock["used_working_days"], 1);
    assert_eq!(clock["committed_deadline"]["date"], "2026-10-21");
    assert_eq!(clock["statutory_deadline"]["date"], "2026-11-04");
    assert_eq!(resumed["committed_deadline"]["date"], "2026-10-21");
    assert_eq!(clock["suspensions"][0]["kind"], "testing");
    assert_eq!(clock["suspensions"][0]["working_days"], 3);
    let extended = app
        .ok_command(
            &approver(&app, "370100"),
            &case_id,
            json!({"type": "extend_time_limit", "reason": "需组织专家评审"}),
        )
        .await;
    assert_eq!(extended["clock"]["extended"], true);
    assert_eq!(
        extended["clock"]["statutory_deadline"]["date"],
        "2026-11-18"
    );
    assert_eq!(extended["clock"]["statutory_deadline"]["working_days"], 30);
    assert_eq!(
        extended["clock"]["committed_deadline"]["date"],
        "2026-10-21"
    );
    let times = &extended["post_times"];
    assert_eq!(times["third_party"]["working_days"], 3);
    assert_eq!(times["reviewer"]["working_days"], 1);
    // The history says who did it and why.
    let history: Value = app
        .client
        .get(app.url(&format!("/api/v1/cases/{case_id}/history")))
        .bearer_auth(app.auditor_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types[2..],
        ["ClockSuspended", "ClockResumed", "TimeLimitExtended"]
    );
    assert_eq!(history["events"][2]["reason"], "产品送检");
    assert_eq!(history["events"][2]["actor"]["post"], "reviewer");
}

async fn clock_refusals_name_their_rule_and_write_nothing(store: Store) {
    let app = spawn_app(store).await;
    let filed = app.file_case(&jinan_enterprise(), "XK-003").await;
    let case_id = accepted_on(&app, "2026-11-02", &jinan_enterprise()).await;
    let head = app.log_head().await;
    let refusals = [
        (
            &filed,
            reviewer(&app, "370100"),
            suspension(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-allowed-in-state",
        ),
        (
            &case_id,
            reviewer(&app, "370100"),
            json!({"type": "resume_clock"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "clock-not-suspended",
        ),
        (
            &case_id,
            app.officer_token("370100", Post::Acceptor),
            suspension(),
            StatusCode::FORBIDDEN,
            "post-not-allowed",
        ),
        (
            &case_id,
            reviewer(&app, "370100"),
            json!({"type": "extend_time_limit", "reason": "x"}),
            StatusCode::FORBIDDEN,
            "post-not-allowed",
        ),
        (
            &case_id,
            reviewer(&app, "370100"),
            json!({"type": "suspend_clock", "kind": "lunch", "reason": "x", "notice": "y"}),
            StatusCode::BAD_REQUEST,
            "malformed-body",
        ),
    ];
    for (case, token, body, status, rule) in refusals {
        assert_problem(app.command(&token, case, body).await, status, rule).await;
    }
    assert_eq!(app.log_head().await, head);
    app.ok_command(&reviewer(&app, "370100"), &case_id, suspension())
        .await;
    let head = app.log_head().await;
    assert_problem(
        app.command(&reviewer(&app, "370100"), &case_id, suspension())
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "clock-already-suspended",
    )
    .await;
    assert_problem(
        app.command(
            &approver(&app, "370100"),
            &case_id,
            json!({"type": "approve"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "clock-suspended",
    )
    .await;
    on(&app, "2026-11-03");
    let extend = json!({"type": "extend_time_limit", "reason": "复杂"});
    app.ok_command(&approver(&app, "370100"), &case_id, extend.clone())
        .await;
    let head_after = app.log_head().await;
    assert_eq!(head_after, head + 1);
    assert_problem(
        app.command(&approver(&app, "370100"), &case_id, extend)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension-already-granted",
    )
    .await;
    assert_eq!(app.log_head().await, head_after);
}

async fn list(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    ids(worklists::list(app, token, query).await).await
}

/// Open cases at every warning on Fri 4 Dec 2026: Jinan's G accepted 16 Nov (committed
/// deadline 30 Nov: red), F 20 Nov (4 Dec: yellow), E 30 Nov (14 Dec: on track); Qingdao's D
/// accepted 2 Nov (statutory deadline 30 Nov: breach).
async fn open_cases(app: &TestApp) -> [String; 4] {
    let d = accepted_on(app, "2026-11-02", &qingdao_enterprise()).await;
    let g = accepted_on(app, "2026-11-16", &jinan_enterprise()).await;
    let f = accepted_on(app, "2026-11-20", &jinan_enterprise()).await;
    let e = accepted_on(app, "2026-11-30", &jinan_enterprise()).await;
    [d, e, f, g]
}

async fn worklists_select_by_warning_most_urgent_first(store: Store) {
    let app = spawn_app(store).await;
    let [d, e, f, g] = open_cases(&app).await;
    on(&app, "2026-12-04");
    let jinan = approver(&app, "370100");
    assert_eq!(
        list(&app, &jinan, "?warning=red").await,
        std::slice::from_ref(&g)
    );
    assert_eq!(
        list(&app, &jinan, "?warning=yellow").await,
        std::slice::from_ref(&f)
    );
    assert_eq!(
        list(&app, &jinan, "?warning=on_track").await,
        std::slice::from_ref(&e)
    );
    assert!(list(&app, &jinan, "?warning=breach").await.is_empty());
    assert_eq!(list(&app, &jinan, "?status=accepted").await, [g, f, e]);
    let province = approver(&app, "370000");
    assert_eq!(
        list(&app, &province, "?warning=breach").await,
        std::slice::from_ref(&d)
    );
    assert_eq!(list(&app, &province, "").await[0], d);
    let case: Value = app.get_case(&province, &d).await.json().await.unwrap();
    assert_eq!(case["clock"]["warning"], "breach");
    assert_eq!(case["clock"]["remaining_statutory"], -4);
    assert_problem(
        app.client
            .get(app.url("/api/v1/cases?warning=amber"))
            .bearer_auth(&jinan)
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid-parameter",
    )
    .await;
    // On Tue 1 Dec F had three working days left (2, 3 and 4 Dec), and was on track.
    on(&app, "2026-12-01");
    assert_eq!(
        list(&app, &jinan, "?warning=yellow").await,
        Vec::<String>::new()
    );
}

/// Three Jinan cases decided in Nov-Dec 2026, each a hand-computed figure:
/// - A: accepted Mon 2 Nov, reviewed 4 Nov, issued 6 Nov: 4 working days (reviewer 2,
///   approver 2).
/// - B: accepted 2 Nov, suspended 3 Nov, resumed 10 Nov (5 working days stood still),
///   reviewed 11 Nov, issued 20 Nov: 14 - 5 = 9 (reviewer 2, approver 7); committed deadline
///   moved from 16 to 23 Nov, so within it.
/// - C: accepted 2 Nov, reviewed 5 Nov, extended 27 Nov (statutory 30 Nov -> 14 Dec), denied
///   Thu 3 Dec: 23 working days (reviewer 3, approver 20): late against the promise, within
///   the law.
async fn decided_cases(app: &TestApp) {
    let a = accepted_on(app, "2026-11-02", &jinan_enterprise()).await;
    let b = accepted_on(app, "2026-11-02", &jinan_enterprise()).await;
    let c = accepted_on(app, "2026-11-02", &jinan_enterprise()).await;
    on(app, "2026-11-03");
    app.ok_command(&reviewer(app, "370100"), &b, suspension())
        .await;
    review(app, &a, "2026-11-04").await;
    review(app, &c, "2026-11-05").await;
    approve_and_issue(app, &a, "2026-11-06").await;
    on(app, "2026-11-10");
    app.ok_command(
        &reviewer(app, "370100"),
        &b,
        json!({"type": "resume_clock"}),
    )
    .await;
    review(app, &b, "2026-11-11").await;
    let issued = approve_and_issue(app, &b, "2026-11-20").await;
    assert_eq!(issued["permit"]["working_days_used"], 9);
    on(app, "2026-11-27");
    app.ok_command(
        &approver(app, "370100"),
        &c,
        json!({"type": "extend_time_limit", "reason": "需进一步核查"}),
    )
    .await;
    on(app, "2026-12-03");
    app.ok_command(
        &approver(app, "370100"),
        &c,
        json!({"type": "deny", "reason": "不符合产业政策"}),
    )
    .await;
}

async fn efficiency(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/supervision/efficiency{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn figures(app: &TestApp, token: &str, query: &str) -> Value {
    let response = efficiency(app, token, query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

async fn the_efficiency_of_a_hand_built_month_is_the_hand_computed_one(store: Store) {
    let app = spawn_app(store).await;
    decided_cases(&app).await;
    open_cases(&app).await;
    on(&app, "2026-12-04");
    let auditor = app.auditor_token();
    let range = "?from=2026-11-01&to=2026-12-31";
    let body = figures(&app, &auditor, range).await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{body}");
    let jinan = rows.iter().find(|r| r["bureau"] == "370100").unwrap();
    assert_eq!(jinan["item_code"], "XK-003");
    let f = &jinan["figures"];
    assert_eq!(f["filed"], 6);
    assert_eq!(f["accepted"], 6);
    assert_eq!(f["decided"], 3);
    assert_eq!(f["issued"], 2);
    assert_eq!(f["denied"], 1);
    assert_eq!(f["within_committed"], json!({"count": 2, "rate": 0.6667}));
    assert_eq!(f["within_statutory"], json!({"count": 3, "rate": 1.0}));
    assert_eq!(
        f["used_working_days"],
        json!({"mean": 12.0, "median": 9.0, "p90": 23.0})
    );
    assert_eq!(f["compression"], 0.4, "1 - 36 / 60");
    assert_eq!(
        f["post_mean_working_days"],
        json!({"acceptor": 0.0, "reviewer": 2.3333, "approver": 9.6667, "dispatcher": null})
    );
    assert_eq!(f["suspensions"], 1);
    assert_eq!(f["suspended_working_days"], 5);
    assert_eq!(f["extensions"], 1);
    assert_eq!(
        f["open_by_warning"],
        json!({"on_track": 1, "yellow": 1, "red": 1, "breach": 0})
    );
    assert_eq!(f["home_city"], json!({"count": 6, "rate": 1.0}));
    assert_eq!(f["provincial_direct"], 0);
    let total = &body["total"];
    assert_eq!(total["filed"], 7);
    assert_eq!(total["decided"], 3);
    assert_eq!(total["open_by_warning"]["breach"], 1);
    // The range counts what happened in it: in November, C is not decided yet.
    let november = figures(
        &app,
        &auditor,
        "?from=2026-11-01&to=2026-11-30&bureau=370100",
    )
    .await;
    assert_eq!(november["total"]["decided"], 2);
    assert_eq!(november["total"]["extensions"], 1);

    // Replayed from the log alone, the impact report measures the same cases.
    let impact = permit_ledger::cli::impact::impact(
        &app.ledger,
        "2026-11-01".parse().ok(),
        "2026-12-31".parse().ok(),
    )
    .await
    .unwrap();
    assert_eq!(impact.total.cases, 3);
    assert_eq!(impact.total.compression, Some(0.4));
    assert_eq!(impact.total.promised_compression, Some(0.5));
    assert_eq!(impact.total.late_against_committed, 1, "C used 23 of 10");
    assert_eq!(
        impact.total.late_against_statutory, 0,
        "23 of the 30 its extension allowed"
    );
    let used: Vec<u32> = impact.cases.iter().map(|c| c.used_working_days).collect();
    assert_eq!(used, [4, 9, 23]);

    // Rebuilt from the log, the figures are the same.
    permit_ledger::cli::replay::replay(&app.ledger, true)
        .await
        .unwrap();
    assert_eq!(figures(&app, &auditor, range).await, body);

    // The CSV holds the same numbers, read by Python's csv module.
    let response = app
        .client
        .get(app.url(&format!("/api/v1/supervision/efficiency{range}")))
        .bearer_auth(&auditor)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.unwrap();
    let parsed = python_csv(&csv);
    let jinan_row = parsed.iter().find(|r| r["bureau"] == "370100").unwrap();
    assert_same_numbers(jinan_row, &jinan["figures"]);
    assert_eq!(jinan_row["item_name"], jinan["item_name"]);
    let total_row = parsed.iter().find(|r| r["bureau"] == "total").unwrap();
    assert_same_numbers(total_row, &body["total"]);
    let by_path = app
        .client
        .get(app.url(&format!("/api/v1/supervision/efficiency.csv{range}")))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(by_path, csv);

    // Published, the months' figures are public, without the open cases.
    app.publish().await;
    let statistics: Value =
        serde_json::from_str(&app.public_text("/statistics.json").await).unwrap();
    let periods = statistics["periods"].as_array().unwrap();
    let november = periods.iter().find(|p| p["period"] == "2026-11").unwrap();
    assert_eq!(november["total"]["decided"], 2);
    assert!(november["total"].get("open_by_warning").is_none());
    assert!(november["total"].get("open_checks").is_none());
    let december = periods.iter().find(|p| p["period"] == "2026-12").unwrap();
    assert_eq!(december["to"], "2026-12-03");
    assert_eq!(december["total"]["denied"], 1);
}

/// Every figure of a CSV row equals the JSON's (an empty cell where the JSON has null).
fn assert_same_numbers(row: &serde_json::Map<String, Value>, figures: &Value) {
    let columns = [
        ("filed", "/filed"),
        ("accepted", "/accepted"),
        ("decided", "/decided"),
        ("issued", "/issued"),
        ("denied", "/denied"),
        ("within_committed", "/within_committed/count"),
        ("within_committed_rate", "/within_committed/rate"),
        ("within_statutory", "/within_statutory/count"),
        ("within_statutory_rate", "/within_statutory/rate"),
        ("used_working_days_mean", "/used_working_days/mean"),
        ("used_working_days_median", "/used_working_days/median"),
        ("used_working_days_p90", "/used_working_days/p90"),
        ("compression", "/compression"),
        (
            "acceptor_mean_working_days",
            "/post_mean_working_days/acceptor",
        ),
        (
            "reviewer_mean_working_days",
            "/post_mean_working_days/reviewer",
        ),
        (
            "approver_mean_working_days",
            "/post_mean_working_days/approver",
        ),
        (
            "dispatcher_mean_working_days",
            "/post_mean_working_days/dispatcher",
        ),
        ("suspensions", "/suspensions"),
        ("suspended_working_days", "/suspended_working_days"),
        ("extensions", "/extensions"),
        ("dispatched_in_time", "/dispatched_in_time/count"),
        ("dispatched_in_time_rate", "/dispatched_in_time/rate"),
        ("open_on_track", "/open_by_warning/on_track"),
        ("open_yellow", "/open_by_warning/yellow"),
        ("open_red", "/open_by_warning/red"),
        ("open_breach", "/open_by_warning/breach"),
        ("checks_due", "/open_checks/due"),
        ("checks_overdue", "/open_checks/overdue"),
        ("filed_home_city", "/home_city/count"),
        ("home_city_share", "/home_city/rate"),
        ("provincial_direct", "/provincial_direct"),
    ];
    assert_eq!(row.len(), columns.len() + 4, "every column is compared");
    for (column, pointer) in columns {
        let cell = row[column].as_str().unwrap();
        let expected = figures.pointer(pointer).unwrap();
        match expected.as_f64() {
            Some(number) => assert_eq!(cell.parse::<f64>().ok(), Some(number), "{column}"),
            None => assert_eq!((cell, expected), ("", &Value::Null), "{column}"),
        }
    }
}

/// `csv` read by Python's csv.DictReader, as a list of rows.
fn python_csv(csv: &str) -> Vec<serde_json::Map<String, Value>> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.DictReader(sys.stdin))))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(csv.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn the_figures_are_for_supervisors_of_their_own_area(store: Store) {
    let app = spawn_app(store).await;
    accepted_on(&app, "2026-11-02", &jinan_enterprise()).await;
    accepted_on(&app, "2026-11-02", &qingdao_enterprise()).await;
    on(&app, "2026-11-03");
    let range = "?from=2026-11-01&to=2026-11-30";
    assert_problem(
        efficiency(&app, &app.applicant_token(&jinan_enterprise()), range).await,
        StatusCode::FORBIDDEN,
        "supervisors-only",
    )
    .await;
    let jinan = reviewer(&app, "370100");
    let own = figures(&app, &jinan, range).await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    assert_eq!(own["rows"][0]["bureau"], "370100");
    assert_problem(
        efficiency(&app, &jinan, &format!("{range}&bureau=370200")).await,
        StatusCode::FORBIDDEN,
        "own-area-only",
    )
    .await;
    let province = figures(&app, &reviewer(&app, "370000"), range).await;
    assert_eq!(province["total"]["accepted"], 2);
    for (query, rule) in [
        ("?from=2026-12-01&to=2026-11-01", "invalid-range"),
        ("?from=2026-13-01", "invalid-parameter"),
        ("?since=2026-11-01", "unknown-parameter"),
        ("?item=nonsense!", "invalid-parameter"),
    ] {
        assert_problem(
            efficiency(&app, &jinan, query).await,
            StatusCode::BAD_REQUEST,
            rule,
        )
        .await;
    }
    let unauthenticated = app
        .client
        .get(app.url("/api/v1/supervision/efficiency"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
}

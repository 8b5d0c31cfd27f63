//! `spawn_app` and typed helpers for talking to it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::values::CreditCode;
use domain::{Actor, Post};
use permit_ledger::http::tokens::TokenKeys;
use permit_ledger::ledger::clock::SettableClock;
use permit_ledger::ledger::Ledger;
use permit_ledger::settings::Settings;
use permit_ledger::startup::Application;
use projections::Db;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use test_support::Scratch;
pub use test_support::{on_both_stores, Store};

/// The base URL feeds are rendered with: the same for every test server, so that two stores
/// given the same commands publish the same bytes.
pub const PUBLIC_URL: &str = "https://permits.example.gov.cn";

/// 09:00 on Monday 2 November 2026 in Asia/Shanghai.
pub const START: &str = "2026-11-02T01:00:00Z";

pub struct TestApp {
    pub address: String,
    /// Where `/metrics` is served, when the settings asked for it.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub clock: Arc<SettableClock>,
    pub keys: TokenKeys,
    pub ledger: Arc<Ledger>,
    pub settings: Settings,
    /// The data directory and database this server made, removed when it is dropped (None
    /// for a second server on another's).
    scratch: Option<Scratch>,
    stop: Option<oneshot::Sender<()>>,
}

pub async fn spawn_app(store: Store) -> TestApp {
    spawn_app_with(store, |_| {}).await
}

/// As [`spawn_app`], its settings changed by `edit` first.
pub async fn spawn_app_with(store: Store, edit: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        permit_ledger::telemetry::init();
    }
    let scratch = Scratch::new(store).await.expect("a scratch store");
    let mut settings = Settings::for_store(scratch.data_dir.clone(), scratch.store_url.clone());
    settings.public_url = Some(PUBLIC_URL.to_owned());
    // Tests load their cases faster than any sender may write; the limit has tests of its own.
    settings.limits.writes_per_minute = 0;
    edit(&mut settings);
    spawn_with(settings, Some(scratch)).await
}

/// Starts a server on `settings` (another process's view of the same data, say); it removes
/// `scratch` when dropped.
pub async fn spawn_with(settings: Settings, scratch: Option<Scratch>) -> TestApp {
    let clock = Arc::new(SettableClock::new(START.parse().unwrap()));
    let app = Application::build(&settings, clock.clone())
        .await
        .expect("the app starts");
    let address = format!("http://{}", app.local_addr());
    let metrics_address = app.metrics_addr().map(|a| format!("http://{a}"));
    let ledger = app.ledger();
    let keys = app.keys();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        metrics_address,
        client: reqwest::Client::new(),
        clock,
        keys,
        ledger,
        settings,
        scratch,
        stop: Some(stop),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        drop(self.scratch.take());
    }
}

pub fn credit(body: &str) -> CreditCode {
    CreditCode::with_check_character(body).unwrap()
}

/// An enterprise registered in Lixia district, Jinan: its cases go to bureau 370100.
pub fn jinan_enterprise() -> CreditCode {
    credit("91370102MA3C4F5G6")
}

pub fn another_jinan_enterprise() -> CreditCode {
    credit("91370102MA3C4F5H7")
}

pub fn qingdao_enterprise() -> CreditCode {
    credit("91370202MA3D7K8L9")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn applicant_token(&self, credit_code: &CreditCode) -> String {
        self.token(&Actor::Applicant {
            subject: format!("enterprise {credit_code}"),
            credit_code: credit_code.clone(),
        })
    }

    pub fn officer_token(&self, bureau: &str, post: Post) -> String {
        self.token(&Actor::Officer {
            subject: format!("{}@{bureau}", post.as_str()),
            bureau: bureau.parse().unwrap(),
            post,
        })
    }

    pub fn auditor_token(&self) -> String {
        self.token(&Actor::Auditor {
            subject: "provincial audit office".into(),
        })
    }

    fn token(&self, actor: &Actor) -> String {
        self.keys
            .issue(actor, Utc::now(), chrono::Duration::hours(1))
    }

    pub fn set_time(&self, at: &str) {
        self.clock.set(at.parse::<DateTime<Utc>>().unwrap());
    }

    pub async fn file(&self, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url("/api/v1/cases"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Files a complete application for `item` and returns the new case's id.
    pub async fn file_case(&self, credit_code: &CreditCode, item: &str) -> String {
        let response = self
            .file(&self.applicant_token(credit_code), &application(item))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let body: Value = response.json().await.unwrap();
        body["case_id"].as_str().unwrap().to_owned()
    }

    pub async fn command(&self, token: &str, case_id: &str, body: Value) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/cases/{case_id}/commands")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Sends a command that must succeed; returns the case after it.
    pub async fn ok_command(&self, token: &str, case_id: &str, body: Value) -> Value {
        let response = self.command(token, case_id, body.clone()).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body} -> {text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn get_case(&self, token: &str, case_id: &str) -> Response {
        self.client
            .get(self.url(&format!("/api/v1/cases/{case_id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// GET `path` without a token, read as JSON.
    pub async fn public_json(&self, path: &str) -> Value {
        json_of(self.client.get(self.url(path))).await
    }

    /// GET `path` with `token`, read as JSON.
    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        json_of(self.client.get(self.url(path)).bearer_auth(token)).await
    }

    /// The settings of a second server on this one's store, in a data directory `name` of
    /// its own holding copies of this one's `shared` files (`checkpoint-key`, `master-key`,
    /// `token-secret`).
    pub fn second_server(&self, store: Store, name: &str, shared: &[&str]) -> Settings {
        let mut elsewhere = self.settings.clone();
        elsewhere.data_dir = self.settings.data_dir.join(name);
        if store == Store::Sqlite {
            // The same SQLite file, from another data directory.
            elsewhere.store = Some(self.settings.store_url());
        }
        std::fs::create_dir_all(&elsewhere.data_dir).unwrap();
        for file in shared {
            std::fs::copy(
                self.settings.data_dir.join(file),
                elsewhere.data_dir.join(file),
            )
            .unwrap();
        }
        elsewhere
    }

    pub fn db(&self) -> &Db {
        self.ledger.db()
    }

    pub async fn log_head(&self) -> i64 {
        projections::log::head_position(self.db()).await.unwrap()
    }

    pub async fn all_events(&self) -> Vec<projections::LoggedEvent> {
        projections::log::read_after(self.db(), 0, i64::MAX)
            .await
            .unwrap()
    }

    /// Accepts, reviews and approves a filed case of bureau 370100.
    pub async fn through_approval(&self, case_id: &str) -> Value {
        let acceptor = self.officer_token("370100", Post::Acceptor);
        let reviewer = self.officer_token("370100", Post::Reviewer);
        let approver = self.officer_token("370100", Post::Approver);
        self.ok_command(&acceptor, case_id, json!({"type": "accept"}))
            .await;
        self.ok_command(
            &reviewer,
            case_id,
            json!({"type": "record_review", "findings": "符合条件", "recommendation": "approve"}),
        )
        .await;
        self.ok_command(&approver, case_id, json!({"type": "approve"}))
            .await
    }

    /// Takes `case_id` (Jinan, XK-003, no commitment) from filed to issued.
    pub async fn through_issuance(&self, case_id: &str) -> Value {
        self.through_approval(case_id).await;
        self.ok_command(
            &self.officer_token("370100", Post::Approver),
            case_id,
            issuance(),
        )
        .await
    }

    /// Bureau 370100's approver issues the permit of `case_id`, whatever the answer.
    pub async fn issue(&self, case_id: &str) -> Response {
        self.command(
            &self.officer_token("370100", Post::Approver),
            case_id,
            issuance(),
        )
        .await
    }
}

/// An issuance, as an approver sends it (the ledger allocates the number).
fn issuance() -> Value {
    json!({"type": "issue_permit", "scope": "复合肥料"})
}

/// A complete application for `item`, every required material attached.
/// The JSON body of the answer to `request`.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

pub fn application(item: &str) -> Value {
    test_support::fixtures::application_for(item, "济南恒力化工有限公司")
}

/// Asserts a problem+json response with `status` naming `rule`.
pub async fn assert_problem(response: Response, status: StatusCode, rule: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["rule"], rule, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// Reads `urls` with the real feed reader (`tests/feedcheck.py`: Python feedparser for RSS, the
/// JSON Feed 1.1 checks for JSON). The reader is made by `scripts/feed-reader.sh`, which the
/// test script runs; without it the feed tests fail, they do not skip.
pub fn read_feeds(urls: &[String]) -> Vec<Value> {
    let python =
        std::env::var("PERMIT_LEDGER_FEED_READER").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/feedcheck.py");
    let output = std::process::Command::new(&python)
        .arg(script)
        .args(urls)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the feed reader {python}: {e}; run scripts/test.sh")
        });
    assert!(
        output.status.success(),
        "the feed reader failed (is feedparser installed? scripts/feed-reader.sh makes it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

impl TestApp {
    /// Takes a new Jinan case for `item` from filing to an issued permit; returns the case.
    pub async fn issued_case(&self, credit_code: &CreditCode, enterprise_name: &str) -> Value {
        let mut body = application("XK-003");
        body["enterprise_name"] = json!(enterprise_name);
        let response = self.file(&self.applicant_token(credit_code), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let case: Value = response.json().await.unwrap();
        self.through_issuance(case["case_id"].as_str().unwrap())
            .await
    }

    /// As [`Self::issued_case`], filed with a signed commitment and approved on it, without
    /// a review: the permit a false commitment can be the ground of revoking.
    pub async fn issued_case_on_commitment(
        &self,
        credit_code: &CreditCode,
        enterprise_name: &str,
    ) -> Value {
        let mut body = application("XK-003");
        body["enterprise_name"] = json!(enterprise_name);
        body["commitment"] =
            json!({"signed_by": "李明 法定代表人", "statement": "本企业承诺符合许可条件"});
        let response = self.file(&self.applicant_token(credit_code), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let case: Value = response.json().await.unwrap();
        let case_id = case["case_id"].as_str().unwrap();
        let approver = self.officer_token("370100", Post::Approver);
        self.ok_command(
            &self.officer_token("370100", Post::Acceptor),
            case_id,
            json!({"type": "accept"}),
        )
        .await;
        self.ok_command(&approver, case_id, json!({"type": "approve"}))
            .await;
        self.ok_command(&approver, case_id, issuance()).await
    }

    /// GET `path` with one extra request header.
    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(header, value)
            .send()
            .await
            .unwrap()
    }

    /// The aggregate ids of the DayPublished events in the log, in position order.
    pub async fn publications_in_log(&self) -> Vec<String> {
        self.all_events()
            .await
            .into_iter()
            .filter(|e| e.event_type == "DayPublished")
            .map(|e| e.aggregate_id)
            .collect()
    }

    pub async fn get_public(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn public_text(&self, path: &str) -> String {
        let response = self.get_public(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.unwrap()
    }

    pub async fn publish(&self) -> Vec<chrono::NaiveDate> {
        self.ledger.publish_due_days().await.unwrap()
    }
}

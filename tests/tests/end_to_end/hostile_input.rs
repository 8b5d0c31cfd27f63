//! Input an attacker or a broken client sends: each is refused with a 4xx problem, the same
//! on both stores, and the server goes on answering.

use chrono::Utc;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    another_jinan_enterprise, application, assert_problem, jinan_enterprise, on_both_stores,
    spawn_app, Store,
};

on_both_stores!(
    a_token_for_a_credit_code_of_no_division_is_refused_not_a_crash,
    header_bytes_that_are_not_text_are_a_400_naming_the_header,
    text_no_feed_reader_could_render_is_refused_before_it_is_logged,
    a_nul_anywhere_in_a_command_is_the_same_400_on_both_stores,
    if_match_tells_nothing_to_a_sender_who_may_not_see_the_case,
    a_public_document_has_one_name,
    tokens_are_read_strictly,
    no_enterprise_is_blacklisted_for_a_promise_it_never_made,
    a_server_with_another_checkpoint_key_refuses_to_start_on_a_signed_log,
    a_server_or_tool_in_another_time_zone_refuses_to_open_the_ledger,
    a_worklist_page_is_cut_at_its_byte_limit_and_says_where_to_go_on,
    a_revoked_token_is_refused_within_a_second,
    a_body_is_read_only_as_uncompressed_json_each_member_once,
);

/// A token the server's own secret signed, for an applicant whose credit code has a valid
/// check character but no administrative division in characters 3-8.
fn token_for_credit_code(secret_file: &std::path::Path, credit_code: &str) -> String {
    let secret = hex::decode(std::fs::read_to_string(secret_file).unwrap().trim()).unwrap();
    let now = Utc::now().timestamp();
    let claims = json!({
        "iss": "permit-ledger",
        "sub": "probe enterprise",
        "role": "applicant",
        "credit_code": credit_code,
        "iat": now,
        "exp": now + 3600,
        "jti": uuid::Uuid::now_v7().to_string(),
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&secret),
    )
    .unwrap()
}

async fn a_token_for_a_credit_code_of_no_division_is_refused_not_a_crash(store: Store) {
    let app = spawn_app(store).await;
    let secret = app.settings.data_dir.join("token-secret");
    // Valid check characters (GB 32100-2015); divisions 000000 and 370001 do not exist.
    for credit_code in ["91000000PR0BE00005", "91370001PR0BE0000L"] {
        let token = token_for_credit_code(&secret, credit_code);
        for _ in 0..2 {
            let response = app.file(&token, &application("XK-003")).await;
            assert_problem(response, StatusCode::UNAUTHORIZED, "token-invalid").await;
        }
    }
    let healthy = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthy.status(), StatusCode::OK);
    assert_eq!(app.log_head().await, 0, "nothing written");
}

async fn header_bytes_that_are_not_text_are_a_400_naming_the_header(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let not_text = HeaderValue::from_bytes(b"caf\xe9").unwrap();
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let head = app.log_head().await;
    let requests = [
        ("x-request-id", "POST", "/api/v1/cases".to_owned()),
        ("authorization", "POST", "/api/v1/cases".to_owned()),
        (
            "if-match",
            "POST",
            format!("/api/v1/cases/{case_id}/commands"),
        ),
        ("if-none-match", "GET", "/feeds/permits.rss".to_owned()),
        ("if-modified-since", "GET", "/feeds/daily.json".to_owned()),
    ];
    for (header, method, path) in requests {
        let mut request = match method {
            "POST" => app.client.post(app.url(&path)).json(&application("XK-003")),
            _ => app.client.get(app.url(&path)),
        };
        if header != "authorization" {
            request = request.bearer_auth(&token);
        }
        let response = request
            .header(HeaderName::from_static(header), not_text.clone())
            .send()
            .await
            .unwrap();
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid-header").await;
        assert!(
            body["detail"].as_str().unwrap().contains(header),
            "{header}: {body}"
        );
    }
    assert_eq!(app.log_head().await, head, "nothing written");
}

async fn text_no_feed_reader_could_render_is_refused_before_it_is_logged(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    for (name, rule) in [
        ("恶意\u{8}企业\u{fffe}有限公司", "text-control-character"),
        ("恶意企业\u{fffe}有限公司", "text-noncharacter"),
        ("恶意企业\u{202e}司公限有", "text-bidi-control"),
    ] {
        let mut body = application("XK-003");
        body["enterprise_name"] = json!(name);
        let problem =
            assert_problem(app.file(&token, &body).await, StatusCode::BAD_REQUEST, rule).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("enterprise_name"),
            "{problem}"
        );
    }
    let mut body = application("XK-003");
    body["enterprise_name"] = json!("企".repeat(201));
    assert_problem(
        app.file(&token, &body).await,
        StatusCode::BAD_REQUEST,
        "text-too-long",
    )
    .await;
    assert_eq!(app.log_head().await, 0, "nothing written");
}

async fn a_nul_anywhere_in_a_command_is_the_same_400_on_both_stores(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    for field in ["enterprise_name", "product", "process"] {
        let mut body = application("XK-003");
        body[field] = json!("复合\u{0}肥料");
        let response = app.file(&token, &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST, "text-control-character").await;
    }
    let mut body = application("XK-003");
    body["materials"][0]["name"] = json!("申请书\u{0}");
    let response = app.file(&token, &body).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "text-control-character").await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let head = app.log_head().await;
    let acceptor = app.officer_token("370100", domain::Post::Acceptor);
    let refusal = json!({"type": "refuse_to_accept", "reason": "材料\u{0}不全"});
    let response = app.command(&acceptor, &case_id, refusal).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "text-control-character").await;
    assert_eq!(app.log_head().await, head, "nothing written");
}

async fn if_match_tells_nothing_to_a_sender_who_may_not_see_the_case(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let send = |token: String, body: serde_json::Value| {
        app.client
            .post(app.url(&format!("/api/v1/cases/{case_id}/commands")))
            .bearer_auth(token)
            .header("if-match", "\"99\"")
            .json(&body)
            .send()
    };
    let outsiders = [
        (
            app.applicant_token(&another_jinan_enterprise()),
            json!({"type": "withdraw", "reason": "x"}),
        ),
        (
            app.officer_token("370200", domain::Post::Acceptor),
            json!({"type": "accept"}),
        ),
    ];
    let unknown = "0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8e";
    for (token, body) in outsiders {
        let response = send(token.clone(), body.clone()).await.unwrap();
        let problem = assert_problem(response, StatusCode::NOT_FOUND, "case-not-found").await;
        // Word for word what a case that does not exist answers.
        let response = app.command(&token, unknown, body).await;
        let nothing = assert_problem(response, StatusCode::NOT_FOUND, "case-not-found").await;
        assert_eq!(problem["detail"], nothing["detail"]);
        assert!(!problem.to_string().contains("370100"), "{problem}");
    }
    // The case's own acceptor learns that the version moved on.
    let acceptor = app.officer_token("370100", domain::Post::Acceptor);
    let response = send(acceptor, json!({"type": "accept"})).await.unwrap();
    assert_problem(response, StatusCode::CONFLICT, "version-mismatch").await;
    assert_eq!(app.log_head().await, 1, "nothing written");
}

/// Spellings of the same feed are one document (one rendering, one cache entry, the canonical
/// self link); spellings of a listing's day other than YYYY-MM-DD name none.
async fn a_public_document_has_one_name(store: Store) {
    let app = spawn_app(store).await;
    app.issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let canonical = app.get_public("/feeds/permits.rss?bureau=370100").await;
    let etag = canonical.headers()["etag"].clone();
    let body = canonical.text().await.unwrap();
    assert!(
        body.contains("/feeds/permits.rss?bureau=370100\""),
        "{body}"
    );
    for spelling in [
        "/feeds/permits.rss?bureau=370100+",
        "/feeds/permits.rss?bureau=370100+++++",
        "/feeds/permits.rss?bureau=+370100",
        "/feeds/permits.rss?bureau=%20370100",
    ] {
        let response = app.get_public(spelling).await;
        assert_eq!(response.status(), StatusCode::OK, "{spelling}");
        assert_eq!(response.headers()["etag"], etag, "{spelling}");
    }
    assert_eq!(
        app.get_public("/listings/2026-11-02.rss").await.status(),
        StatusCode::OK
    );
    for alias in [
        "/listings/+2026-11-02.rss",
        "/listings/+0002026-11-02.rss",
        "/listings/2026-11-2.json",
        "/listings/02026-11-02.json",
    ] {
        let response = app.get_public(alias).await;
        assert_problem(response, StatusCode::NOT_FOUND, "no-such-listing").await;
    }
}

/// No minute of grace after expiry, nothing issued in the future, no officer of a bureau
/// outside the province.
async fn tokens_are_read_strictly(store: Store) {
    let app = spawn_app(store).await;
    let officer = |bureau: &str| domain::Actor::Officer {
        subject: "probe".into(),
        bureau: bureau.parse().unwrap(),
        post: domain::Post::Acceptor,
    };
    let now = Utc::now();
    let expired = app.keys.issue(
        &officer("370100"),
        now - chrono::Duration::hours(1),
        chrono::Duration::minutes(59) + chrono::Duration::seconds(30),
    );
    let early = app.keys.issue(
        &officer("370100"),
        now + chrono::Duration::minutes(10),
        chrono::Duration::hours(1),
    );
    let outsider = app
        .keys
        .issue(&officer("990000"), now, chrono::Duration::hours(1));
    for token in [expired, early, outsider] {
        let response = app
            .client
            .get(app.url("/api/v1/cases"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::UNAUTHORIZED, "token-invalid").await;
    }
    let fine = app.officer_token("370100", domain::Post::Acceptor);
    let response = app
        .client
        .get(app.url("/api/v1/cases"))
        .bearer_auth(fine)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn no_enterprise_is_blacklisted_for_a_promise_it_never_made(store: Store) {
    let app = spawn_app(store).await;
    let case = app
        .issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    let case_id = case["case_id"].as_str().unwrap();
    let head = app.log_head().await;
    let approver = app.officer_token("370100", domain::Post::Approver);
    let revoke = json!({"type": "revoke_permit", "reason": "承诺不实", "false_commitment": true});
    let response = app.command(&approver, case_id, revoke).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not-issued-on-commitment",
    )
    .await;
    assert_eq!(app.log_head().await, head, "nothing written");
}

/// Servers sharing a store share its log, so its checkpoint key: one with a key of its own
/// would sign a second history of the same log.
async fn a_server_with_another_checkpoint_key_refuses_to_start_on_a_signed_log(store: Store) {
    let app = spawn_app(store).await;
    app.issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let mut elsewhere = app.settings.clone();
    elsewhere.data_dir = app.settings.data_dir.join("another-server");
    if store == Store::Sqlite {
        // The same SQLite file, from another data directory.
        elsewhere.store = Some(app.settings.store_url());
    }
    // Sharing the master key, as servers on one store must.
    std::fs::create_dir_all(&elsewhere.data_dir).unwrap();
    std::fs::copy(
        app.settings.data_dir.join("master-key"),
        elsewhere.data_dir.join("master-key"),
    )
    .unwrap();
    let clock = std::sync::Arc::new(permit_ledger::ledger::SettableClock::new(Utc::now()));
    let refused = permit_ledger::startup::Application::build(&elsewhere, clock).await;
    let error = format!("{:#}", refused.err().expect("the server refuses to start"));
    assert!(error.contains("checkpoint-key"), "{error}");
    // With the log's key it starts.
    std::fs::copy(
        app.settings.data_dir.join("checkpoint-key"),
        elsewhere.data_dir.join("checkpoint-key"),
    )
    .unwrap();
    let clock = std::sync::Arc::new(permit_ledger::ledger::SettableClock::new(Utc::now()));
    assert!(
        permit_ledger::startup::Application::build(&elsewhere, clock)
            .await
            .is_ok()
    );
}

/// The business time zone is the ledger's: a replay in another zone rewrote the published
/// notices of days that never change.
async fn a_server_or_tool_in_another_time_zone_refuses_to_open_the_ledger(store: Store) {
    let app = spawn_app(store).await;
    app.issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let before = app.public_text("/listings/2026-11-02.json").await;
    let mut elsewhere = app.settings.clone();
    elsewhere.time_zone = chrono_tz::UTC;
    let clock = std::sync::Arc::new(permit_ledger::ledger::SettableClock::new(Utc::now()));
    let refused = permit_ledger::startup::open_ledger(&elsewhere, clock).await;
    let error = format!(
        "{:#}",
        refused.err().expect("the ledger refuses another zone")
    );
    assert!(
        error.contains("Asia/Shanghai") && error.contains("--time-zone"),
        "{error}"
    );
    assert_eq!(app.public_text("/listings/2026-11-02.json").await, before);
}

/// A page of big cases stops before 4 MiB and names the offset of the next page; following
/// the pages lists every case once.
async fn a_worklist_page_is_cut_at_its_byte_limit_and_says_where_to_go_on(store: Store) {
    let app = spawn_app(store).await;
    let token = app.applicant_token(&jinan_enterprise());
    let mut body = application("XK-003");
    // About 60 KB of material names: the most a 64 KiB filing carries.
    let extra: Vec<serde_json::Value> = (0..200)
        .map(|i| json!({"name": format!("{i:03} {}", "m".repeat(190)), "digest": format!("{i:0>64}")}))
        .collect();
    body["materials"].as_array_mut().unwrap().extend(extra);
    let cases = 90;
    for _ in 0..cases {
        assert_eq!(app.file(&token, &body).await.status(), StatusCode::CREATED);
    }
    let officer = app.officer_token("370100", domain::Post::Acceptor);
    let (mut offset, mut seen, mut pages) = (0, std::collections::BTreeSet::new(), 0);
    loop {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/cases?limit=500&offset={offset}")))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.bytes().await.unwrap();
        assert!(
            page.len() <= 4 * 1024 * 1024,
            "a page of {} bytes",
            page.len()
        );
        let page: serde_json::Value = serde_json::from_slice(&page).unwrap();
        for case in page["cases"].as_array().unwrap() {
            assert!(seen.insert(case["case_id"].as_str().unwrap().to_owned()));
        }
        pages += 1;
        match page["next_offset"].as_u64() {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), cases);
    assert!(pages >= 2, "the cases took {pages} page(s)");
}

/// A revoked token is refused by the running server within a second, and revoking it again
/// says so.
async fn a_revoked_token_is_refused_within_a_second(store: Store) {
    let app = spawn_app(store).await;
    let token = app.officer_token("370100", domain::Post::Acceptor);
    let list = |token: String| {
        let request = app.client.get(app.url("/api/v1/cases")).bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(list(token.clone()).await.status(), StatusCode::OK);
    let id = app.keys.token_id(&token).unwrap();
    assert!(permit_ledger::cli::token::revoke(&app.settings, &id)
        .await
        .unwrap());
    assert!(!permit_ledger::cli::token::revoke(&app.settings, &id)
        .await
        .unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let response = list(token.clone()).await;
        if response.status() == StatusCode::UNAUTHORIZED {
            let problem = assert_problem(response, StatusCode::UNAUTHORIZED, "token-invalid").await;
            assert!(
                problem["detail"].as_str().unwrap().contains("revoked"),
                "{problem}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still accepted after 3 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let other = app.officer_token("370100", domain::Post::Acceptor);
    assert_eq!(
        list(other).await.status(),
        StatusCode::OK,
        "other tokens still work"
    );
}

/// A body is read only as what it says it is: JSON in UTF-8, uncompressed, each member once.
async fn a_body_is_read_only_as_uncompressed_json_each_member_once(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let token = app.officer_token("370100", domain::Post::Acceptor);
    let head = app.log_head().await;
    let send = |media: Option<&str>, encoding: Option<&str>, body: &str| {
        let mut request = app
            .client
            .post(app.url(&format!("/api/v1/cases/{case_id}/commands")))
            .bearer_auth(&token)
            .body(body.to_owned());
        if let Some(media) = media {
            request = request.header("content-type", media);
        }
        if let Some(encoding) = encoding {
            request = request.header("content-encoding", encoding);
        }
        async move { request.send().await.unwrap() }
    };
    let refuse = r#"{"type": "refuse_to_accept", "reason": "理由"}"#;
    for (media, encoding) in [
        (None, None),
        (Some("text/plain"), None),
        (Some("application/x-www-form-urlencoded"), None),
        (Some("application/json; charset=latin1"), None),
        (Some("application/json"), Some("gzip")),
    ] {
        let response = send(media, encoding, refuse).await;
        assert_problem(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        )
        .await;
    }
    let twice = r#"{"type": "refuse_to_accept", "reason": "理由", "reason": "另一个理由"}"#;
    let response = send(Some("application/json"), None, twice).await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "duplicate-key").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("reason"),
        "{problem}"
    );
    assert_eq!(app.log_head().await, head, "nothing refused is written");
    let response = send(
        Some("Application/JSON; charset=UTF-8"),
        Some("identity"),
        refuse,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

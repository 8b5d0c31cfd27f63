//! The public feed as a subscriber sees it: each permit once, on the right day, with a stable
//! id; archives that never change; conditional requests; nothing private.

use domain::Post;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, credit, jinan_enterprise, on_both_stores, read_feeds, spawn_app, spawn_with,
    Store, TestApp,
};

on_both_stores!(
    a_permit_issued_at_23_59_59_is_listed_that_day_and_one_at_midnight_the_next,
    every_feed_and_archive_reads_cleanly_in_a_real_reader,
    conditional_requests_get_304,
    unknown_filters_are_400_and_unpublished_days_404,
    published_bytes_survive_restart_and_replay,
    no_private_field_reaches_any_public_output,
);

fn notice_ids(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A permit issued on a commitment at 23:59:59 on 2 Nov (Shanghai), another at 00:00:00 on
/// 3 Nov, the first revoked for a false commitment on 3 Nov; then the clock reaches 4 Nov and
/// both days are published.
async fn two_days_of_permits(app: &TestApp) -> (Value, Value) {
    app.set_time("2026-11-02T15:59:59Z");
    let before_midnight = app
        .issued_case_on_commitment(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    app.set_time("2026-11-02T16:00:00Z");
    app.publish().await;
    let at_midnight = app
        .issued_case(
            &credit("91370102MA3C4F5J8"),
            "济南<script>alert(1)</script>肥业有限公司",
        )
        .await;
    app.set_time("2026-11-03T02:00:00Z");
    app.ok_command(
        &app.officer_token("370100", Post::Approver),
        before_midnight["case_id"].as_str().unwrap(),
        json!({"type": "revoke_permit", "reason": "证后核查发现承诺不实", "false_commitment": true}),
    )
    .await;
    app.set_time("2026-11-04T01:00:00Z");
    app.publish().await;
    (before_midnight, at_midnight)
}

async fn a_permit_issued_at_23_59_59_is_listed_that_day_and_one_at_midnight_the_next(store: Store) {
    let app = spawn_app(store).await;
    let (before, at) = two_days_of_permits(&app).await;
    let day_one: Value =
        serde_json::from_str(&app.public_text("/listings/2026-11-02.json").await).unwrap();
    let day_two: Value =
        serde_json::from_str(&app.public_text("/listings/2026-11-03.json").await).unwrap();
    let numbers = |listing: &Value| -> Vec<(String, String)> {
        listing["_permit_ledger"]["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["permit_number"].as_str().unwrap().to_owned(),
                    n["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let before_number = before["permit"]["permit_number"]
        .as_str()
        .unwrap()
        .to_owned();
    let at_number = at["permit"]["permit_number"].as_str().unwrap().to_owned();
    assert_eq!(
        numbers(&day_one),
        vec![(before_number.clone(), "issued".to_owned())]
    );
    assert_eq!(
        numbers(&day_two),
        vec![
            (at_number, "issued".to_owned()),
            (before_number, "revoked".to_owned())
        ]
    );
    assert_eq!(
        day_one["items"][0]["date_published"],
        "2026-11-02T15:59:59Z"
    );
    assert_eq!(
        day_two["items"][0]["date_published"],
        "2026-11-02T16:00:00Z"
    );
    assert_eq!(day_two["_permit_ledger"]["notices"][1]["blacklisted"], true);
    // One publication event per day, whoever (this call or the background task) made it.
    let publications = app.publications_in_log().await;
    assert_eq!(publications, ["day-2026-11-02", "day-2026-11-03"]);
}

async fn every_feed_and_archive_reads_cleanly_in_a_real_reader(store: Store) {
    let app = spawn_app(store).await;
    two_days_of_permits(&app).await;
    let paths = [
        "/feeds/permits.rss",
        "/feeds/permits.json",
        "/feeds/daily.rss",
        "/feeds/daily.json",
        "/listings/2026-11-02.rss",
        "/listings/2026-11-02.json",
        "/listings/2026-11-03.rss",
        "/listings/2026-11-03.json",
        "/feeds/permits.rss?bureau=370100&item=XK-003",
    ];
    let urls: Vec<String> = paths.iter().map(|p| app.url(p)).collect();
    let read = read_feeds(&urls);
    for feed in &read {
        assert_eq!(feed["bozo"], 0, "{feed}");
        assert_eq!(feed["json_problems"], json!([]), "{feed}");
        let ids: Vec<&str> = feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "an id twice in {}", feed["url"]);
        for entry in feed["entries"].as_array().unwrap() {
            assert!(
                entry["title"].as_str().is_some_and(|t| !t.is_empty()),
                "{entry}"
            );
            assert!(entry["published"].as_str().is_some(), "{entry}");
        }
    }
    let entries = |i: usize| read[i]["entries"].as_array().unwrap().clone();
    // The permits feeds: three notices, newest first, the same ids in both formats.
    assert_eq!(entries(0).len(), 3);
    let ids_of = |i: usize| {
        entries(i)
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids_of(0), ids_of(1));
    assert_eq!(entries(0)[2]["published"], "2026-11-02T15:59:59Z");
    // The daily feeds: one item per published day.
    assert_eq!(
        ids_of(2),
        [
            "urn:permit-ledger:day:2026-11-03",
            "urn:permit-ledger:day:2026-11-02"
        ]
    );
    assert_eq!(ids_of(3), ids_of(2));
    // The archives hold exactly their day's notices, and the feed holds each once.
    let mut archived = ids_of(4);
    archived.extend(ids_of(6));
    let mut in_feed = ids_of(0);
    in_feed.sort();
    archived.sort();
    assert_eq!(archived, in_feed);
    assert_eq!(ids_of(4), ids_of(5));
    // RFC 5005 links on the archive.
    let rels: Vec<&str> = read[6]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in ["self", "current", "prev-archive", "next-archive"] {
        assert!(rels.contains(&rel), "{rel} missing from {rels:?}");
    }
    // Markup in an enterprise name stays text.
    let raw = app.public_text("/feeds/permits.rss").await;
    assert!(
        !raw.contains("<script>"),
        "unescaped markup in the RSS feed"
    );
    assert!(entries(0).iter().any(|e| e["title"]
        .as_str()
        .unwrap()
        .contains("<script>alert(1)</script>")));
    assert!(raw.contains("济南恒力化工有限公司"), "Chinese names intact");
}

async fn conditional_requests_get_304(store: Store) {
    let app = spawn_app(store).await;
    two_days_of_permits(&app).await;
    for path in [
        "/feeds/permits.rss",
        "/feeds/daily.json",
        "/listings/2026-11-02.rss",
        "/listings/2026-11-03.json",
    ] {
        let first = app.get_public(path).await;
        assert_eq!(first.status(), StatusCode::OK);
        let content_type = first.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = if path.ends_with(".rss") {
            "application/rss+xml"
        } else {
            "application/feed+json"
        };
        assert!(content_type.starts_with(expected), "{path}: {content_type}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let last_modified = first.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_owned();
        let by_etag = app.get_with(path, "if-none-match", &etag).await;
        assert_eq!(by_etag.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(by_etag.headers()["etag"].to_str().unwrap(), etag);
        assert!(by_etag.bytes().await.unwrap().is_empty());
        let by_date = app
            .get_with(path, "if-modified-since", &last_modified)
            .await;
        assert_eq!(by_date.status(), StatusCode::NOT_MODIFIED, "{path}");
        let stale = app
            .get_with(path, "if-none-match", "\"something-else\"")
            .await;
        assert_eq!(stale.status(), StatusCode::OK);
    }
}

async fn unknown_filters_are_400_and_unpublished_days_404(store: Store) {
    let app = spawn_app(store).await;
    two_days_of_permits(&app).await;
    assert_problem(
        app.get_public("/feeds/permits.rss?bureau=379900").await,
        StatusCode::BAD_REQUEST,
        "unknown-bureau",
    )
    .await;
    assert_problem(
        app.get_public("/feeds/daily.json?item=XK-999").await,
        StatusCode::BAD_REQUEST,
        "unknown-item",
    )
    .await;
    assert_problem(
        app.get_public("/feeds/permits.json?colour=red").await,
        StatusCode::BAD_REQUEST,
        "unknown-parameter",
    )
    .await;
    let qingdao: Value =
        serde_json::from_str(&app.public_text("/feeds/permits.json?bureau=370200").await).unwrap();
    assert_eq!(qingdao["items"], json!([]));
    let body = assert_problem(
        app.get_public("/listings/2026-11-04.json").await,
        StatusCode::NOT_FOUND,
        "not-yet-published",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("2026-11-05 00:00"),
        "{body}"
    );
    assert_problem(
        app.get_public("/listings/2027-01-01.rss").await,
        StatusCode::NOT_FOUND,
        "not-yet-published",
    )
    .await;
}

async fn published_bytes_survive_restart_and_replay(store: Store) {
    let app = spawn_app(store).await;
    two_days_of_permits(&app).await;
    let paths = [
        "/listings/2026-11-02.json",
        "/listings/2026-11-03.rss",
        "/feeds/permits.rss",
        "/feeds/daily.json",
    ];
    let mut before = Vec::new();
    for path in paths {
        before.push(app.public_text(path).await);
    }
    app.ledger.projector().rebuild().await.unwrap();
    for (path, bytes) in paths.iter().zip(&before) {
        assert_eq!(
            &app.public_text(path).await,
            bytes,
            "{path} changed after a replay"
        );
    }
    let restarted = spawn_with(app.settings.clone(), None).await;
    restarted.clock.set("2026-11-04T01:00:00Z".parse().unwrap());
    restarted.publish().await;
    for (path, bytes) in paths.iter().zip(&before) {
        assert_eq!(
            &restarted.public_text(path).await,
            bytes,
            "{path} changed after a restart"
        );
    }
    // A later day's publication adds a listing and leaves the earlier ones as they were.
    restarted.clock.set("2026-11-06T01:00:00Z".parse().unwrap());
    // Whoever publishes (this call or the server's background task), each day is there once.
    restarted.publish().await;
    assert_eq!(
        restarted.publications_in_log().await,
        [
            "day-2026-11-02",
            "day-2026-11-03",
            "day-2026-11-04",
            "day-2026-11-05"
        ]
    );
    // The feeds, already rendered and cached by this server, follow the new publications.
    let daily: Value =
        serde_json::from_str(&restarted.public_text("/feeds/daily.json").await).unwrap();
    assert_eq!(daily["items"].as_array().unwrap().len(), 4);
    assert_eq!(restarted.public_text(paths[0]).await, before[0]);
    assert_eq!(restarted.public_text(paths[1]).await, before[1]);
}

async fn no_private_field_reaches_any_public_output(store: Store) {
    let app = spawn_app(store).await;
    let applicant = app.applicant_token(&jinan_enterprise());
    let mut body = crate::helpers::application("XK-001");
    body["contact"] = json!({"person": "SENTINEL-CONTACT-PERSON", "phone": "SENTINEL-PHONE-139"});
    body["commitment"] = json!({"signed_by": "SENTINEL-SIGNER-ID-370102199001011234", "statement": "SENTINEL-COMMITMENT"});
    body["materials"][0]["name"] = json!(body["materials"][0]["name"]);
    let response = app.file(&applicant, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case_id = response.json::<Value>().await.unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // One officer at every post but the approver's (who may not decide a case they reviewed).
    let officer = |post| {
        let subject = match post {
            Post::Approver => "SENTINEL-APPROVER-NAME",
            _ => "SENTINEL-OFFICER-NAME",
        };
        app.keys.issue(
            &domain::Actor::Officer {
                subject: subject.into(),
                bureau: "370100".parse().unwrap(),
                post,
            },
            chrono::Utc::now(),
            chrono::Duration::hours(1),
        )
    };
    app.ok_command(&officer(Post::Acceptor), &case_id, json!({"type": "request_correction", "corrections": ["SENTINEL-CORRECTION"], "reason": "SENTINEL-CORRECTION-REASON"})).await;
    app.ok_command(&applicant, &case_id, json!({"type": "resubmit_materials", "materials": [{"name": "SENTINEL-MATERIAL-NAME", "digest": "e".repeat(64)}]})).await;
    app.ok_command(
        &officer(Post::Acceptor),
        &case_id,
        json!({"type": "accept"}),
    )
    .await;
    app.ok_command(&officer(Post::Reviewer), &case_id, json!({"type": "record_review", "findings": "SENTINEL-INTERNAL-NOTE", "recommendation": "approve"})).await;
    app.ok_command(
        &officer(Post::Approver),
        &case_id,
        json!({"type": "approve"}),
    )
    .await;
    let issued = app
        .ok_command(
            &officer(Post::Approver),
            &case_id,
            json!({"type": "issue_permit", "scope": "复合肥料"}),
        )
        .await;
    app.ok_command(&officer(Post::Dispatcher), &case_id, json!({"type": "dispatch_certificate", "courier": "EMS", "tracking_number": "SENTINEL-TRACKING"})).await;
    // After issuance: an amendment (its declaration is the enterprise's, not the public's)
    // and a cancellation (its notice gives the ground, not the enterprise's words).
    app.ok_command(&applicant, &case_id, json!({"type": "request_amendment", "field": "address", "new_value": "济南市历下区经十路1号", "declaration": "SENTINEL-DECLARATION"})).await;
    app.ok_command(
        &officer(Post::Approver),
        &case_id,
        json!({"type": "approve_amendment"}),
    )
    .await;
    app.ok_command(
        &applicant,
        &case_id,
        json!({"type": "cancel_permit", "reason": "SENTINEL-CANCELLATION-REASON"}),
    )
    .await;
    // A permit issued on a commitment found false: its check's findings and the inspector
    // stay private, the listing is public.
    let other = crate::helpers::another_jinan_enterprise();
    let mut body = crate::helpers::application("XK-003");
    body["commitment"] =
        json!({"signed_by": "SENTINEL-SIGNER-2", "statement": "SENTINEL-COMMITMENT-2"});
    body["contact"] = json!({"person": "SENTINEL-CONTACT-2", "phone": "SENTINEL-PHONE-2"});
    let filed: Value = app
        .file(&app.applicant_token(&other), &body)
        .await
        .json()
        .await
        .unwrap();
    let listed_case = filed["case_id"].as_str().unwrap();
    for (post, command) in [
        (Post::Acceptor, json!({"type": "accept"})),
        (Post::Approver, json!({"type": "approve"})),
        (
            Post::Approver,
            json!({"type": "issue_permit", "scope": "复合肥料"}),
        ),
        (
            Post::Inspector,
            json!({"type": "record_post_issuance_check", "result": "false_commitment", "findings": "SENTINEL-CHECK-FINDINGS"}),
        ),
    ] {
        app.ok_command(&officer(post), listed_case, command).await;
    }
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let number = issued["permit"]["permit_number"].as_str().unwrap();
    let mut public = String::new();
    for path in [
        "/feeds/permits.rss".to_owned(),
        "/feeds/permits.json".to_owned(),
        "/feeds/daily.rss".to_owned(),
        "/feeds/daily.json".to_owned(),
        "/listings/2026-11-02.rss".to_owned(),
        "/listings/2026-11-02.json".to_owned(),
        format!("/permits/{number}"),
        "/blacklist.json".to_owned(),
        "/feeds/blacklist.rss".to_owned(),
        "/feeds/blacklist.json".to_owned(),
    ] {
        public.push_str(&app.public_text(&path).await);
    }
    assert!(public.contains(number), "the permit is published");
    assert!(public.contains("cancelled"), "its cancellation too");
    assert!(
        public.contains(&other.to_string()) && public.contains("列入名单"),
        "the listing too"
    );
    assert!(
        !public.contains("SENTINEL"),
        "a private field reached a public output"
    );
    // ... and the sentinels are really in the ledger, where officers see them.
    let case: Value = app
        .get_case(&app.auditor_token(), &case_id)
        .await
        .json()
        .await
        .unwrap();
    assert!(case.to_string().contains("SENTINEL-INTERNAL-NOTE"));
}

/// Two server processes on one PostgreSQL database cross three midnights together: each day
/// is published once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_publish_each_day_once() {
    let first = spawn_app(Store::Postgres).await;
    let second = spawn_with(first.settings.clone(), None).await;
    first.set_time("2026-11-02T15:00:00Z");
    second.set_time("2026-11-02T15:00:00Z");
    first
        .issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    for midnight in [
        "2026-11-02T16:00:00Z",
        "2026-11-03T16:00:00Z",
        "2026-11-04T16:00:00Z",
    ] {
        first.set_time(midnight);
        second.set_time(midnight);
        let (a, b) = tokio::join!(first.publish(), second.publish());
        assert!(
            a.len() + b.len() <= 1,
            "one day published twice: {a:?} {b:?}"
        );
    }
    // Both background publishers run too; give them a pass.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let days = first.publications_in_log().await;
    assert_eq!(days, ["day-2026-11-02", "day-2026-11-03", "day-2026-11-04"]);
    let listing: Value =
        serde_json::from_str(&second.public_text("/listings/2026-11-02.json").await).unwrap();
    assert_eq!(notice_ids(&listing).len(), 1);
}

/// The rendered feed is cached between publications: a day this server publishes shows at
/// once, one published by another server on the same database within a second or so.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cached_feed_shows_each_new_day_published_here_at_once_and_elsewhere_soon() {
    let first = spawn_app(Store::Postgres).await;
    let second = spawn_with(first.settings.clone(), None).await;
    let daily_days = |app_text: String| -> usize {
        let feed: Value = serde_json::from_str(&app_text).unwrap();
        feed["items"].as_array().unwrap().len()
    };
    for app in [&first, &second] {
        app.set_time("2026-11-02T15:00:00Z");
    }
    first
        .issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    assert_eq!(daily_days(first.public_text("/feeds/daily.json").await), 0);
    assert_eq!(daily_days(second.public_text("/feeds/daily.json").await), 0);
    // The commands woke this server's background projector, which publishes what is due on
    // each pass: let that pass end (the next comes a second later), or it may publish the
    // day itself in the moment between the clock's move and the publication below (1 run in
    // 20 did).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for app in [&first, &second] {
        app.set_time("2026-11-02T16:00:00Z");
    }
    assert_eq!(first.publish().await.len(), 1);
    assert_eq!(
        daily_days(first.public_text("/feeds/daily.json").await),
        1,
        "published here: shown at once"
    );
    let started = std::time::Instant::now();
    while daily_days(second.public_text("/feeds/daily.json").await) == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the other server still serves the feed of before the publication"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The same commands under the same clock publish the same bytes on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_stores_publish_the_same_bytes_for_the_same_commands() {
    let sqlite = spawn_app(Store::Sqlite).await;
    let postgres = spawn_app(Store::Postgres).await;
    two_days_of_permits(&sqlite).await;
    two_days_of_permits(&postgres).await;
    for path in [
        "/feeds/permits.rss",
        "/feeds/permits.json",
        "/feeds/daily.rss",
        "/feeds/daily.json",
        "/listings/2026-11-02.rss",
        "/listings/2026-11-02.json",
        "/listings/2026-11-03.rss",
        "/listings/2026-11-03.json",
    ] {
        let (a, b) = (
            sqlite.public_text(path).await,
            postgres.public_text(path).await,
        );
        assert!(a == b, "{path} differs between the stores:\n{a}\n---\n{b}");
    }
}

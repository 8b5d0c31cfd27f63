//! Serving the public feed, warm, beside a plain static file server sending the same bytes
//! (the file read per request and sent whole, with its length);
//! and rendering a 10,000-notice day.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use projections::listing_queries::PublishedDay;
use projections::PublicNotice;
use serde_json::json;
use warp::Filter;

use super::load::timed;
use super::{Options, Row};
use permit_ledger::ledger::clock::SettableClock;
use permit_ledger::ledger::Ledger;
use permit_ledger::startup::Application;
use test_support::Store;

async fn issue_permits(ledger: &Ledger, count: usize) -> anyhow::Result<()> {
    for client in 0..count {
        super::issued_cases::issued_case(ledger, client).await?;
    }
    Ok(())
}

async fn get_load(
    clients: usize,
    per_client: usize,
    url: String,
    if_none_match: Option<String>,
    expect: u16,
) -> anyhow::Result<super::load::Timing> {
    let client = reqwest::Client::new();
    timed(clients, per_client, move |_, _| {
        let (client, url, if_none_match) = (client.clone(), url.clone(), if_none_match.clone());
        async move {
            let started = Instant::now();
            let mut request = client.get(&url);
            if let Some(tag) = &if_none_match {
                request = request.header("if-none-match", tag);
            }
            let response = request.send().await?;
            let status = response.status().as_u16();
            let _ = response.bytes().await?;
            anyhow::ensure!(
                status == expect,
                "{url} answered {status}, expected {expect}"
            );
            Ok::<Vec<Duration>, anyhow::Error>(vec![started.elapsed()])
        }
    })
    .await
}

pub async fn measure(options: &Options, store: Store) -> anyhow::Result<Vec<Row>> {
    let scratch = options.scratch(store).await?;
    let settings = crate::settings_on(&scratch);
    let clock = Arc::new(SettableClock::new("2026-11-02T01:00:00Z".parse()?));
    let app = Application::build(&settings, clock.clone()).await?;
    let base = format!("http://{}", app.local_addr());
    let ledger = app.ledger();
    issue_permits(&ledger, options.sizes.feed_permits).await?;
    clock.set("2026-11-03T01:00:00Z".parse()?);
    ledger.publish_due_days().await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let feed_url = format!("{base}/feeds/permits.rss");
    let first = reqwest::get(&feed_url).await?.error_for_status()?;
    let etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = first.bytes().await?;
    let static_path = scratch.data_dir.join("permits.rss");
    std::fs::write(&static_path, &bytes)?;
    // The plainest static server: read the file, send it with its length in one response.
    // (warp's `fs::file` streams the file in chunks and stalls about 40 ms per response on
    // delayed ACKs: no baseline to hold a feed against.)
    let static_route = warp::path("permits.rss").then(move || {
        let path = static_path.clone();
        async move {
            match tokio::fs::read(&path).await {
                Ok(body) => warp::http::Response::builder()
                    .header("content-type", "application/rss+xml; charset=utf-8")
                    .body(body),
                Err(_) => warp::http::Response::builder().status(500).body(Vec::new()),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let static_url = format!("http://{}/permits.rss", listener.local_addr()?);
    let (static_stop, static_stopped) = tokio::sync::oneshot::channel::<()>();
    let static_server = tokio::spawn(
        warp::serve(static_route)
            .incoming(listener)
            .graceful(async {
                let _ = static_stopped.await;
            })
            .run(),
    );

    let n = options.sizes.feed_requests_per_client;
    let clients = 8;
    // Warm both servers first.
    get_load(clients, 2, feed_url.clone(), None, 200).await?;
    get_load(clients, 2, static_url.clone(), None, 200).await?;
    let feed = get_load(clients, n, feed_url.clone(), None, 200).await?;
    let archive = get_load(
        clients,
        n,
        format!("{base}/listings/2026-11-02.rss"),
        None,
        200,
    )
    .await?;
    let not_modified = get_load(clients, n, feed_url.clone(), etag, 304).await?;
    // The baseline is the better of two runs: a noisy moment never flatters the feed.
    let first_static = get_load(clients, n, static_url.clone(), None, 200).await?;
    let second_static = get_load(clients, n, static_url, None, 200).await?;
    let static_file = if second_static.per_second > first_static.per_second {
        second_static
    } else {
        first_static
    };
    let _ = stop.send(());
    let _ = static_stop.send(());
    let _ = server.await;
    let _ = static_server.await;
    scratch.remove().await;
    let row = |measure: String, timing: super::load::Timing| Row {
        section: "feeds",
        store: store.name(),
        clients,
        measure,
        value: timing.per_second,
        unit: "requests/s",
        p50_ms: Some(timing.p50_ms),
        p99_ms: Some(timing.p99_ms),
    };
    let permits = options.sizes.feed_permits;
    Ok(vec![
        row(format!("GET /feeds/permits.rss ({permits} items)"), feed),
        row("GET /listings/DAY.rss".into(), archive),
        row(
            "304 /feeds/permits.rss (If-None-Match)".into(),
            not_modified,
        ),
        row(
            format!("static file, same {} bytes", bytes.len()),
            static_file,
        ),
    ])
}

/// Render time of one day's listing with `render_notices` notices, in both formats.
pub fn render(options: &Options) -> Vec<Row> {
    let count = options.sizes.render_notices;
    let day: NaiveDate = "2026-11-02".parse().expect("a date");
    let notices: Vec<PublicNotice> = (0..count)
        .map(|i| {
            serde_json::from_value(json!({
                "id": projections::notices::notice_id(i as i64 + 1),
                "kind": "issued",
                "permit_number": format!("XK-003-370100-2026-{:05}", i % 100_000),
                "enterprise_name": format!("济南基准测试企业{i}有限公司"),
                "credit_code": "91350100M000100Y43",
                "item_code": "XK-003",
                "item_name": "化肥产品生产许可证核发",
                "scope": "复合肥料（掺混肥料）",
                "bureau": "370100",
                "bureau_name": "济南市市场监督管理局",
                "issued_on": day, "valid_from": day, "valid_until": "2031-11-01",
                "revoked_on": null, "revocation_reason": null, "blacklisted": false,
                "recorded_at": "2026-11-02T01:00:00.000000Z", "day": day, "position": i + 1
            }))
            .expect("a valid notice")
        })
        .collect();
    let published = PublishedDay {
        day,
        position: count as i64 + 1,
        published_at: "2026-11-02T16:00:00.000000Z".into(),
        count: count as i64,
        digest: "0".repeat(64),
    };
    let site = feed::Site::new("https://permits.example.gov.cn", "山东省市场监督管理局");
    let links = feed::ArchiveLinks::of(&site, day, day, "rss");
    let started = Instant::now();
    let rss = feed::rss_feed::listing(&site, &published, &notices, &links);
    let rss_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let json_doc = feed::json_feed::listing(&site, &published, &notices, &links);
    let json_ms = started.elapsed().as_secs_f64() * 1000.0;
    let row = |measure: String, value| Row {
        section: "render",
        store: "-",
        clients: 1,
        measure,
        value,
        unit: "ms",
        p50_ms: None,
        p99_ms: None,
    };
    vec![
        row(
            format!("RSS day of {count} notices ({} KB)", rss.len() / 1024),
            rss_ms,
        ),
        row(
            format!("JSON day of {count} notices ({} KB)", json_doc.len() / 1024),
            json_ms,
        ),
    ]
}

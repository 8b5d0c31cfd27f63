//! What one server takes from its clients: writes per sender, connections at once, and time
//! for a request's head, for its body and between requests.

use std::time::{Duration, Instant};

use domain::Post;
use permit_ledger::settings::{Limits, Settings};
use reqwest::StatusCode;
use test_support::Scratch;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{
    application, assert_problem, jinan_enterprise, on_both_stores, spawn_with, Store, TestApp,
    PUBLIC_URL,
};

on_both_stores!(a_sender_past_its_write_rate_gets_a_429_and_writes_nothing);

async fn spawn_limited(store: Store, limits: Limits) -> TestApp {
    let scratch = Scratch::new(store).await.expect("a scratch store");
    let mut settings = Settings::for_store(scratch.data_dir.clone(), scratch.store_url.clone());
    settings.public_url = Some(PUBLIC_URL.to_owned());
    settings.limits = limits;
    spawn_with(settings, Some(scratch)).await
}

async fn a_sender_past_its_write_rate_gets_a_429_and_writes_nothing(store: Store) {
    let limits = Limits {
        writes_per_minute: 8,
        ..Limits::default()
    };
    let app = spawn_limited(store, limits).await;
    let token = app.applicant_token(&jinan_enterprise());
    // Bursts of a quarter of the minute's writes: two.
    for _ in 0..2 {
        let filed = app.file(&token, &application("XK-003")).await;
        assert_eq!(filed.status(), StatusCode::CREATED);
    }
    let head = app.log_head().await;
    let refused = app.file(&token, &application("XK-003")).await;
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=8).contains(&wait), "{wait}");
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "write-rate-limited").await;
    assert_eq!(app.log_head().await, head, "nothing written");
    // Another sender writes, and the limited one still reads.
    let other = app.applicant_token(&crate::helpers::another_jinan_enterprise());
    let filed = app.file(&other, &application("XK-003")).await;
    assert_eq!(filed.status(), StatusCode::CREATED);
    let cases = app
        .client
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(cases.status(), StatusCode::OK);
    let acceptor = app.officer_token("370100", Post::Acceptor);
    let list = app
        .client
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&acceptor);
    assert_eq!(list.send().await.unwrap().status(), StatusCode::OK);
}

fn short_timeouts() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or `within` passes: then panics); returns
/// what was read and when the connection closed.
async fn read_until_closed(socket: &mut TcpStream, within: Duration) -> (String, Instant) {
    let mut read = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, socket.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (String::from_utf8_lossy(&read).into(), Instant::now())
            }
            Ok(Ok(n)) => read.extend_from_slice(&buffer[..n]),
            Err(_) => panic!(
                "the server kept the connection open for {within:?}; read {:?}",
                String::from_utf8_lossy(&read)
            ),
        }
    }
}

/// One header byte every 300 ms (slower than any client that means to finish) does not keep
/// a connection open past the head's time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_that_trickles_in_is_cut_off() {
    let app = spawn_limited(Store::Sqlite, short_timeouts()).await;
    let mut socket = TcpStream::connect(host(&app)).await.unwrap();
    let started = Instant::now();
    let trickle = async {
        for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa" {
            if socket.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), trickle).await;
    let (_, closed) = read_until_closed(&mut socket, Duration::from_secs(3)).await;
    assert!(closed - started < Duration::from_secs(4));
}

/// A kept-alive connection that sends nothing more is closed once the next head's time is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let app = spawn_limited(Store::Sqlite, short_timeouts()).await;
    let mut socket = TcpStream::connect(host(&app)).await.unwrap();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", host(&app));
    socket.write_all(request.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut socket, Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A body that does not arrive in time is answered 408, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_is_a_408() {
    let app = spawn_limited(Store::Sqlite, short_timeouts()).await;
    let token = app.applicant_token(&jinan_enterprise());
    let head_before = app.log_head().await;
    let mut socket = TcpStream::connect(host(&app)).await.unwrap();
    let request = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"item_code\"",
        host(&app)
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut socket, Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request-timeout"), "{answer}");
    assert_eq!(app.log_head().await, head_before);
}

/// Beyond the connection limit a client waits in the listen queue until a connection ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_wait_for_one_to_end() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let app = spawn_limited(Store::Sqlite, limits).await;
    let first = TcpStream::connect(host(&app)).await.unwrap();
    let _second = TcpStream::connect(host(&app)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waiting = tokio::spawn({
        let client = reqwest::Client::new();
        let url = app.url("/healthz");
        async move { client.get(url).send().await.map(|r| r.status()) }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "a third connection waits");
    drop(first);
    let answered = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("answered once a connection ended")
        .unwrap()
        .unwrap();
    assert_eq!(answered, StatusCode::OK);
}

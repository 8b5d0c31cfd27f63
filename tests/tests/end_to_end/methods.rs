//! Every GET route answers HEAD with the GET's status and headers and no body, and every path
//! answers OPTIONS with the methods it takes.

use reqwest::{Method, StatusCode};

use crate::helpers::{jinan_enterprise, on_both_stores, spawn_app, Store};

on_both_stores!(head_and_options_on_every_route);

async fn head_and_options_on_every_route(store: Store) {
    let app = spawn_app(store).await;
    let case = app
        .issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    let case_id = case["case_id"].as_str().unwrap().to_owned();
    let permit = case["permit"]["permit_number"].as_str().unwrap().to_owned();
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let auditor = app.auditor_token();
    let reads = [
        "/healthz".to_owned(),
        "/api/v1/items".to_owned(),
        "/api/v1/cases".to_owned(),
        format!("/api/v1/cases/{case_id}"),
        format!("/api/v1/cases/{case_id}/history"),
        "/api/v1/log?after=0&limit=10".to_owned(),
        "/feeds/permits.rss".to_owned(),
        "/feeds/permits.json".to_owned(),
        "/feeds/daily.rss".to_owned(),
        "/feeds/daily.json".to_owned(),
        "/listings/2026-11-02.rss".to_owned(),
        "/listings/2026-11-02.json".to_owned(),
        format!("/permits/{permit}"),
        "/transparency/key".to_owned(),
        "/transparency/checkpoint".to_owned(),
        "/transparency/proof/inclusion?index=0&size=1".to_owned(),
    ];
    for path in &reads {
        let request = |method: Method| {
            app.client
                .request(method, app.url(path))
                .bearer_auth(&auditor)
                .send()
        };
        let get = request(Method::GET).await.unwrap();
        let head = request(Method::HEAD).await.unwrap();
        assert_eq!(get.status(), StatusCode::OK, "GET {path}");
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        for name in ["content-type", "etag", "last-modified", "content-length"] {
            assert_eq!(
                get.headers().get(name),
                head.headers().get(name),
                "{name} of {path}"
            );
        }
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} sent a body"
        );
        let options = request(Method::OPTIONS).await.unwrap();
        assert_eq!(options.status(), StatusCode::NO_CONTENT, "OPTIONS {path}");
        let allow = options.headers()["allow"].to_str().unwrap().to_owned();
        assert!(
            allow.contains("GET") && allow.contains("HEAD"),
            "{path}: {allow}"
        );
    }
    let commands = app
        .client
        .request(
            Method::OPTIONS,
            app.url(&format!("/api/v1/cases/{case_id}/commands")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(commands.headers()["allow"], "POST, OPTIONS");
    let nowhere = app
        .client
        .request(Method::OPTIONS, app.url("/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
}

//! Every GET route answers HEAD with the GET's status and headers and no body, every path
//! answers OPTIONS with the methods it takes, every response carries an X-Request-Id and
//! every public document its validators.

use reqwest::{Method, StatusCode};

use crate::helpers::{jinan_enterprise, on_both_stores, spawn_app, Store};

on_both_stores!(
    head_and_options_on_every_route,
    every_response_carries_a_request_id_and_every_document_its_validators,
    a_method_a_path_does_not_take_is_405_naming_those_it_does,
);

async fn a_method_a_path_does_not_take_is_405_naming_those_it_does(store: Store) {
    let app = spawn_app(store).await;
    for (method, path, allow) in [
        (Method::DELETE, "/healthz", "GET, HEAD, OPTIONS"),
        (Method::PUT, "/api/v1/cases", "GET, HEAD, POST, OPTIONS"),
        (Method::GET, "/api/v1/erasures", "POST, OPTIONS"),
        (Method::TRACE, "/transparency/key", "GET, HEAD, OPTIONS"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
    }
    // An empty segment names nothing: 404, not a 405 for a method the route takes.
    for path in [
        "/permits/",
        "/listings/",
        "/feeds/",
        "/api/v1/cases//commands",
    ] {
        let response = app.get_public(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

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

async fn every_response_carries_a_request_id_and_every_document_its_validators(store: Store) {
    let app = spawn_app(store).await;
    let case = app
        .issued_case(&jinan_enterprise(), "济南恒力化工有限公司")
        .await;
    let permit = case["permit"]["permit_number"].as_str().unwrap().to_owned();
    app.set_time("2026-11-03T01:00:00Z");
    app.publish().await;
    let paths = [
        "/healthz".to_owned(),
        "/api/v1/items".to_owned(),
        "/api/v1/cases".to_owned(),
        "/feeds/permits.rss".to_owned(),
        "/listings/2026-11-02.json".to_owned(),
        format!("/permits/{permit}"),
        "/transparency/key".to_owned(),
        "/transparency/checkpoint".to_owned(),
        "/nothing/here".to_owned(),
        "/listings/2026-11-2.json".to_owned(),
    ];
    for path in &paths {
        let response = app.get_public(path).await;
        let id = response.headers().get("x-request-id");
        assert!(
            id.is_some_and(|id| !id.is_empty()),
            "{path}: {:?}",
            response.headers()
        );
        let echoed = app.get_with(path, "x-request-id", "probe-42").await;
        assert_eq!(echoed.headers()["x-request-id"], "probe-42", "{path}");
    }
    let refused = app
        .client
        .get(app.url("/feeds/permits.rss"))
        .header(
            "if-none-match",
            reqwest::header::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.headers().contains_key("x-request-id"));
    let document = app.get_public(&format!("/permits/{permit}")).await;
    let etag = document.headers()["etag"].to_str().unwrap().to_owned();
    assert!(document.headers().contains_key("last-modified"));
    let again = app
        .get_with(&format!("/permits/{permit}"), "if-none-match", &etag)
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

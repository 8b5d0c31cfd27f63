//! Metrics in the Prometheus text format (`metrics` facade, `metrics-exporter-prometheus`),
//! served on a listener of their own (`serve --metrics-listen`), never on the public one.
//!
//! | Metric | Labels | What |
//! |---|---|---|
//! | `permit_ledger_http_requests_total` | `route`, `method`, `status` | requests answered |
//! | `permit_ledger_http_request_duration_seconds` | `route`, `method` | time to answer |
//! | `permit_ledger_commands_total` | `command`, `outcome` (`done`, `refused`, `conflict`, `failed`) | commands decided |
//! | `permit_ledger_commit_batch_commands`, `permit_ledger_commit_batch_events` | | commands and events per group commit |
//! | `permit_ledger_log_position`, `permit_ledger_projected_position`, `permit_ledger_projector_lag_events` | | the log's head, the projection's checkpoint, and how far behind it is |
//! | `permit_ledger_publication_duration_seconds`, `permit_ledger_days_published_total` | | daily publication |
//! | `permit_ledger_checkpoint_signing_duration_seconds`, `permit_ledger_checkpoints_signed_total` | | signed checkpoints |
//!
//! Routes are path templates (`/api/v1/cases/{id}`), so a label never holds a case id.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::OnceLock;

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use warp::http::{header, HeaderValue};
use warp::reply::Response;
use warp::Filter;

use crate::settings::Limits;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets, in seconds: from a cached feed to a slow commit.
const SECONDS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Group-commit sizes.
const BATCH: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// Whether this process records metrics (a listener for them was asked for): what only
/// feeds them is skipped otherwise.
pub fn enabled() -> bool {
    HANDLE.get().is_some()
}

/// The process's recorder, installed on the first call (every later one shares it).
pub fn recorder() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)?
        .set_buckets_for_metric(Matcher::Prefix("permit_ledger_commit_batch".into()), BATCH)?
        .build_recorder();
    let handle = recorder.handle();
    // Another thread may have won the race: then its recorder is the process's.
    if metrics::set_global_recorder(recorder).is_ok() {
        let _ = HANDLE.set(handle);
    }
    HANDLE
        .get()
        .cloned()
        .context("the metrics recorder of this process is another library's")
}

/// Serves `GET /metrics` from `handle` on `listener` until `shutdown` completes, with the
/// public server's connection limit and timeouts.
pub async fn serve(
    listener: TcpListener,
    handle: PrometheusHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let metrics = warp::path("metrics")
        .and(warp::path::end())
        .and(warp::get())
        .map(move || {
            handle.run_upkeep();
            let mut response = Response::new(handle.render().into());
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        })
        .boxed();
    crate::http::server::serve(listener, metrics, Limits::default(), shutdown).await;
}

/// Binds the metrics listener.
pub async fn listen(address: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen for metrics on {address}"))
}

/// The route a request path belongs to, as a template: a bounded set of label values.
pub fn route_of(path: &str) -> &'static str {
    crate::http::openapi::template_of(path).unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_templates_and_unknown_paths_one_label() {
        assert_eq!(
            route_of("/api/v1/cases/01a2-3/commands"),
            "/api/v1/cases/{id}/commands"
        );
        assert_eq!(route_of("/listings/2026-11-02.rss"), "/listings/{day}");
        assert_eq!(route_of("/no/such/thing/at/all"), "other");
        assert_eq!(route_of("/api/v1/cases"), "/api/v1/cases");
    }
}

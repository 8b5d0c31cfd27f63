//! Serving the routes over HTTP/1.1 with the limits a public server needs: at most so many
//! connections at once (more wait in the listen queue), a request head (or, on a kept-alive
//! connection, the next one) within a few seconds, each request answered within its time,
//! and a graceful stop that finishes the requests in flight.
//!
//! A client that closes its side after sending its request still has it handled (half-closed
//! connections are served): what it sent was complete.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_service::Service;
use warp::filters::BoxedFilter;
use warp::http::{header, HeaderValue, Request, StatusCode};
use warp::reply::Response;
use warp::Reply;

use crate::http::problem::Problem;
use crate::settings::Limits;

/// Serves `routes` on `listener` within `limits` until `shutdown` completes, then waits for
/// the connections' requests in flight.
pub async fn serve(
    listener: TcpListener,
    routes: BoxedFilter<(Response,)>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TimedService {
            inner: warp::service(routes.clone()),
            request_timeout: limits.request_timeout,
        };
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .half_close(true)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The routes' service, each request answered within `request_timeout` (reading its body
/// included) or with a 408 that closes the connection.
#[derive(Clone)]
struct TimedService<S> {
    inner: S,
    request_timeout: Duration,
}

impl<S> hyper::service::Service<Request<Incoming>> for TimedService<S>
where
    S: Service<Request<Incoming>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let mut inner = self.inner.clone();
        let limit = self.request_timeout;
        // Labels only when metrics are recorded: nothing more on the way of every request.
        let measured = crate::metrics::enabled().then(|| {
            let route = crate::metrics::route_of(request.uri().path());
            (route, request.method().clone(), std::time::Instant::now())
        });
        Box::pin(async move {
            let response = match tokio::time::timeout(limit, inner.call(request)).await {
                Ok(Ok(response)) => response,
                Err(_) => timed_out(limit),
            };
            if let Some((route, method, started)) = measured {
                let status = response.status().as_u16().to_string();
                metrics::counter!("permit_ledger_http_requests_total",
                    "route" => route, "method" => method.to_string(), "status" => status)
                .increment(1);
                metrics::histogram!("permit_ledger_http_request_duration_seconds",
                    "route" => route, "method" => method.to_string())
                .record(started.elapsed().as_secs_f64());
            }
            Ok(response)
        })
    }
}

fn timed_out(limit: Duration) -> Response {
    let mut response = Problem::new(
        StatusCode::REQUEST_TIMEOUT,
        "request-timeout",
        format!(
            "a request is sent and answered within {} seconds; a write already under way is \
             still finished: read the case, or send the write again under its Idempotency-Key",
            limit.as_secs()
        ),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    let request_id = uuid::Uuid::now_v7().to_string();
    crate::http::request::with_request_id(response, &request_id)
}

//! The HTTP side: warp routes over the [`Ledger`] facade, one file per resource under
//! [`routes`]; what every request carries ([`request`]); problem+json ([`problem`]) and the
//! single place warp's own rejections become one; bearer tokens ([`tokens`]); the public
//! documents' names, cache and validators ([`public_documents`]); `OPTIONS` ([`options`]);
//! writes done once ([`idempotency`]) and limited per sender ([`rate_limit`]); the server
//! loop with its connection limit and timeouts ([`server`]).
//!
//! A route parses what it is sent into typed values, makes one call to the facade and turns
//! the answer into a response: no SQL, no authorization of its own, no replays.

pub mod entry_feeds;
pub mod idempotency;
pub mod notice_filter;
pub mod openapi;
pub mod options;
pub mod problem;
pub mod public_documents;
pub mod rate_limit;
pub mod request;
pub mod routes;
pub mod server;
pub mod tokens;

pub use public_documents::RenderCache;

use std::convert::Infallible;
use std::sync::Arc;

use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::tokens::TokenKeys;
use crate::ledger::Ledger;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub ledger: Arc<Ledger>,
    pub keys: TokenKeys,
    pub site: feed::Site,
    pub render_cache: Arc<RenderCache>,
    /// The writes underway, each in a task of its own (see [`idempotency`]); the server
    /// waits for them before it stops.
    pub work: tokio_util::task::TaskTracker,
    /// The writes each sender has left this minute.
    pub write_limiter: Arc<rate_limit::WriteLimiter>,
}

pub fn with_state(
    state: AppState,
) -> impl Filter<Extract = (AppState,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// Every route of the API, with warp's rejections turned into problem+json, and every
/// response carrying an `X-Request-Id`.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    use routes::{
        blacklist, cases, catalogue, checkpoints, erasures, feeds, guidance, health, history,
        inspections, supervision, tiles, transparency,
    };
    let routes = health::healthz(state.clone())
        .or(catalogue::items(state.clone()))
        .unify()
        .or(cases::file_application(state.clone()))
        .unify()
        .or(cases::send_command(state.clone()))
        .unify()
        .or(guidance::request_guidance(state.clone()))
        .unify()
        .or(blacklist::command(state.clone()))
        .unify()
        .or(inspections::create_plan(state.clone()))
        .unify()
        .or(inspections::plan_command(state.clone()))
        .unify()
        .or(erasures::erase_subject(state.clone()))
        .unify()
        .or(history::case_history(state.clone()))
        .unify()
        .or(history::whole_log(state.clone()))
        .unify()
        .or(cases::read_case(state.clone()))
        .unify()
        .or(cases::list_cases(state.clone()))
        .unify()
        .or(supervision::efficiency(state.clone()))
        .unify()
        .boxed();
    // Boxed in two halves: one chain of every route is too deep for the compiler.
    // The list's feeds before the permit feeds, which answer every other name under /feeds.
    let public = blacklist::feeds(state.clone())
        .or(blacklist::current(state.clone()))
        .unify()
        .or(inspections::feeds(state.clone()))
        .unify()
        .or(inspections::public_plans(state.clone()))
        .unify()
        .or(feeds::feeds(state.clone()))
        .unify()
        .or(feeds::listings(state.clone()))
        .unify()
        .or(feeds::permit(state.clone()))
        .unify()
        .or(supervision::statistics(state.clone()))
        .unify()
        .or(transparency::key(state.clone()))
        .unify()
        .or(transparency::checkpoint(state.clone()))
        .unify()
        .or(transparency::proofs(state.clone()))
        .unify()
        .or(tiles::tile(state.clone()))
        .unify()
        .or(checkpoints::list(state))
        .unify()
        .or(openapi::route())
        .unify()
        .or(options::options())
        .unify()
        .boxed();
    let routes = routes.or(public).unify().recover(recover).unify();
    request::response_request_id()
        .and(warp::method())
        .and(warp::path::full())
        .and(routes)
        .map(|id: String, method, path, response: Response| {
            request::ensure_request_id(options::with_allow(&method, &path, response), &id)
        })
        .with(warp::trace::request())
        .map(Reply::into_response)
        .boxed()
}

async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    use warp::reject::{
        InvalidHeader, LengthRequired, MethodNotAllowed, PayloadTooLarge, UnsupportedMediaType,
    };
    // Before the method: a header that is not text fails every route it reaches, and warp
    // would otherwise prefer another path's 405.
    let problem = if let Some(header) = rejection.find::<InvalidHeader>() {
        Problem::bad_request(
            "invalid-header",
            format!(
                "the {} header is not valid: header values are visible ASCII text",
                header.name()
            ),
        )
    } else if let Some(request::RefusedBody(problem)) = rejection.find() {
        problem.clone()
    } else if rejection.is_not_found() {
        Problem::not_found("no-such-resource", "nothing is served at this path")
    } else if rejection.find::<PayloadTooLarge>().is_some() {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!("request bodies are limited to {BODY_LIMIT} bytes"),
        )
    } else if rejection.find::<LengthRequired>().is_some() {
        Problem::new(
            StatusCode::LENGTH_REQUIRED,
            "length-required",
            "send a Content-Length header",
        )
    } else if rejection.find::<MethodNotAllowed>().is_some() {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "this path does not take that method",
        )
    } else if rejection.find::<UnsupportedMediaType>().is_some() {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send application/json",
        )
    } else {
        tracing::error!(?rejection, "unhandled rejection");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "the server failed",
        )
    };
    Ok(problem.into_response())
}

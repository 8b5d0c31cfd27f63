//! What every request carries besides its body: a request id and, where needed, a token.

use std::future::Future;

use serde::de::DeserializeOwned;
use warp::http::HeaderValue;
use warp::reply::{Reply, Response};
use warp::{Filter, Rejection};

use crate::http::problem::Problem;

/// The caller's `X-Request-Id` when it is sensible (1-128 visible ASCII characters), else a
/// fresh UUID. It is stored with every event the request causes and returned in the response.
/// A value that is not text at all is refused (`invalid-header`).
pub fn request_id() -> impl Filter<Extract = (String,), Error = Rejection> + Clone {
    warp::header::optional::<String>("x-request-id").map(|given: Option<String>| sensible(given))
}

/// The id a response carries when its route named none: the caller's, when it is sensible,
/// else a fresh one. Never refuses: a response that refuses the header carries an id too.
pub fn response_request_id(
) -> impl Filter<Extract = (String,), Error = std::convert::Infallible> + Clone {
    // The raw value, when there is one, without copying the other headers of every request.
    warp::header::value("x-request-id")
        .map(Some)
        .or(warp::any().map(|| None))
        .unify()
        .map(|given: Option<HeaderValue>| {
            sensible(
                given
                    .as_ref()
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned),
            )
        })
}

fn sensible(given: Option<String>) -> String {
    given
        .filter(|id| (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

pub fn authorization() -> impl Filter<Extract = (Option<String>,), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
}

pub fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// `response` with `X-Request-Id`: the one its route set, or `request_id`.
pub fn ensure_request_id(response: Response, request_id: &str) -> Response {
    if response.headers().contains_key("x-request-id") {
        response
    } else {
        with_request_id(response, request_id)
    }
}

/// The response to a request with id `request_id`: what `handled` answered, or its problem,
/// each carrying the id.
pub async fn answer(
    request_id: String,
    handled: impl Future<Output = Result<Response, Problem>>,
) -> Response {
    // Boxed, so that warp's chain of filters above does not carry the handler's state.
    let response = Box::pin(handled)
        .await
        .unwrap_or_else(|problem| problem.with_request_id(&request_id).into_response());
    with_request_id(response, &request_id)
}

/// A JSON body, or a 400 `malformed-body` saying what is wrong with it.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem::bad_request("malformed-body", e.to_string()))
}

/// A POST with a body, as every write is: its bearer token, request id and body (at most
/// [`crate::http::BODY_LIMIT`] bytes).
pub fn post_with_body(
) -> impl Filter<Extract = (Option<String>, String, bytes::Bytes), Error = Rejection> + Clone {
    warp::post()
        .and(authorization())
        .and(request_id())
        .and(warp::body::content_length_limit(crate::http::BODY_LIMIT))
        .and(warp::body::bytes())
}

/// GET, or HEAD: the same answer with the same headers and no body (hyper leaves the body
/// out of a response to HEAD).
pub fn get_or_head() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::get().or(warp::head()).unify()
}

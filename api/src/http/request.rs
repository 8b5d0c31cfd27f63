//! What every request carries besides its body: a request id and, where needed, a token.

use warp::http::HeaderValue;
use warp::reply::Response;
use warp::{Filter, Rejection};

/// The caller's `X-Request-Id` when it is sensible (1-128 visible ASCII characters), else a
/// fresh UUID. It is stored with every event the request causes and returned in the response.
pub fn request_id() -> impl Filter<Extract = (String,), Error = Rejection> + Clone {
    warp::header::optional::<String>("x-request-id").map(|given: Option<String>| {
        given
            .filter(|id| (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
    })
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

//! `OPTIONS` on every path the API serves: `204` with `Allow`, the methods the path takes.
//! A path the API does not serve is a 404, as for any other method.

use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

const READ: &str = "GET, HEAD, OPTIONS";
const WRITE: &str = "POST, OPTIONS";
const READ_AND_WRITE: &str = "GET, HEAD, POST, OPTIONS";

/// The methods `path` takes, or None where nothing is served. Kept beside the routes it
/// describes (`http::api`); a test asks every route.
pub fn allowed(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // An empty segment (`/permits/`) names nothing, whatever the route around it.
    if segments.iter().any(|segment| segment.is_empty()) {
        return None;
    }
    match segments.as_slice() {
        ["healthz"]
        | ["openapi.json"]
        | ["statistics.json"]
        | ["blacklist.json"]
        | ["inspections.json"]
        | ["inspections", _]
        | ["api", "v1", "items"]
        | ["api", "v1", "log"] => Some(READ),
        ["api", "v1", "supervision", "efficiency" | "efficiency.csv"] => Some(READ),
        ["api", "v1", "cases"] => Some(READ_AND_WRITE),
        ["api", "v1", "cases", _] | ["api", "v1", "cases", _, "history"] => Some(READ),
        ["api", "v1", "cases", _, "commands"]
        | ["api", "v1", "erasures"]
        | ["api", "v1", "guidance"]
        | ["api", "v1", "credit-records", _, "commands"]
        | ["api", "v1", "inspections", "plans"]
        | ["api", "v1", "inspections", "plans", _, "commands"] => Some(WRITE),
        ["feeds", _] | ["listings", _] | ["permits", _] => Some(READ),
        ["transparency", "key"] | ["transparency", "checkpoint"] => Some(READ),
        ["transparency", "checkpoints"] => Some(READ),
        ["transparency", "checkpoint", size] if size.parse::<i64>().is_ok() => Some(READ),
        ["transparency", "proof", _] => Some(READ),
        ["tile", ..] => Some(READ),
        _ => None,
    }
}

/// OPTIONS on any path the API serves. The path is looked at first: on a path nothing is
/// served at, any method is a 404, not this filter's 405.
pub fn options() -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path::full()
        .and_then(|path: warp::path::FullPath| async move {
            allowed(path.as_str()).ok_or_else(warp::reject::not_found)
        })
        .and(warp::options())
        .map(|methods: &'static str| {
            let mut response = StatusCode::NO_CONTENT.into_response();
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(methods));
            response
        })
}

/// `response` with `Allow` when it is a 405 on a path the API serves (RFC 9110: a 405
/// names the methods the path takes). A 405 on a path nothing is served at, or for a method
/// the path does take (warp's answer when no route took a parameter, as for `/permits/`),
/// is the 404 it is.
pub fn with_allow(
    method: &warp::http::Method,
    path: &warp::path::FullPath,
    mut response: Response,
) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    match allowed(path.as_str()) {
        Some(methods) if !methods.split(", ").any(|m| m == method.as_str()) => {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(methods));
            response
        }
        _ => crate::http::problem::Problem::not_found(
            "no-such-resource",
            "nothing is served at this path",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_shape_of_the_api_has_its_methods() {
        assert_eq!(allowed("/api/v1/cases"), Some(READ_AND_WRITE));
        assert_eq!(allowed("/api/v1/cases/x/commands"), Some(WRITE));
        assert_eq!(allowed("/transparency/checkpoint/12"), Some(READ));
        assert_eq!(allowed("/transparency/checkpoint/twelve"), None);
        assert_eq!(allowed("/nothing/here"), None);
        assert_eq!(allowed("/api/v1/cases/x/y/z"), None);
        assert_eq!(allowed("/permits/"), None);
        assert_eq!(allowed("/api/v1/cases//commands"), None);
    }
}

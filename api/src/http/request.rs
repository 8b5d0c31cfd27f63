//! What every request carries besides its body: a request id and, where needed, a token.

use std::collections::HashMap;
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

/// A JSON body, or a 400 saying what is wrong with it: `duplicate-key` for an object that
/// names a member twice (which would otherwise mean whichever came last), `malformed-body`
/// for anything else.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let mut check = serde_json::Deserializer::from_slice(body);
    if let Err(error) = serde::Deserializer::deserialize_any(&mut check, UniqueKeys) {
        if error.is_data() {
            return Err(Problem::bad_request("duplicate-key", error.to_string()));
        }
    }
    serde_json::from_slice(body).map_err(|e| Problem::bad_request("malformed-body", e.to_string()))
}

/// Walks a JSON document, refusing an object with a member named twice.
struct UniqueKeys;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the member {key:?} is given twice"
                )));
            }
            map.next_value_seed(UniqueKeys)?;
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(UniqueKeys)?.is_some() {}
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A POST with a JSON body, as every write is: its bearer token, request id, idempotency key
/// and body.
pub fn post_with_body(
) -> impl Filter<Extract = (Option<String>, String, Option<String>, bytes::Bytes), Error = Rejection>
       + Clone {
    warp::post()
        .and(authorization())
        .and(request_id())
        .and(crate::http::idempotency::idempotency_key())
        .and(json_body())
}

/// A request refused for its body's form before the body is read (its media type or
/// encoding), answered with this problem.
#[derive(Debug)]
pub struct RefusedBody(pub Problem);

impl warp::reject::Reject for RefusedBody {}

/// A body declared `application/json` (UTF-8, not compressed) of at most
/// [`crate::http::BODY_LIMIT`] bytes.
fn json_body() -> impl Filter<Extract = (bytes::Bytes,), Error = Rejection> + Clone {
    warp::header::optional::<String>("content-type")
        .and(warp::header::optional::<String>("content-encoding"))
        .and_then(
            |media: Option<String>, encoding: Option<String>| async move {
                match body_form_refusal(media.as_deref(), encoding.as_deref()) {
                    Some(problem) => Err(warp::reject::custom(RefusedBody(problem))),
                    None => Ok(()),
                }
            },
        )
        .untuple_one()
        .and(warp::body::content_length_limit(crate::http::BODY_LIMIT))
        .and(warp::body::bytes())
}

/// Why a body of media type `media` and encoding `encoding` is not read, if it is not.
fn body_form_refusal(media: Option<&str>, encoding: Option<&str>) -> Option<Problem> {
    let unsupported = |detail: String| {
        Problem::new(
            warp::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            detail,
        )
    };
    if let Some(encoding) = encoding.filter(|e| !e.trim().eq_ignore_ascii_case("identity")) {
        return Some(unsupported(format!(
            "bodies are sent uncompressed; Content-Encoding {encoding:?} is not read"
        )));
    }
    let Some(media) = media else {
        return Some(unsupported(
            "send the body with Content-Type: application/json".into(),
        ));
    };
    let mut parts = media.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    let charset_ok = parts.all(|parameter| match parameter.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    if !essence.eq_ignore_ascii_case("application/json") || !charset_ok {
        return Some(unsupported(format!(
            "bodies are application/json in UTF-8, not {media:?}"
        )));
    }
    None
}

/// GET, or HEAD: the same answer with the same headers and no body (hyper leaves the body
/// out of a response to HEAD).
/// Refuses a query naming a parameter not in `known` (400 `unknown-parameter`): a misspelt
/// filter must not silently widen what is read.
pub fn only_parameters(query: &HashMap<String, String>, known: &[&str]) -> Result<(), Problem> {
    match query.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(Problem::bad_request(
            "unknown-parameter",
            format!(
                "unknown query parameter {unknown:?}; known: {}",
                known.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

pub fn get_or_head() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::get().or(warp::head()).unify()
}

/// `?after=&limit=` of a paged listing: after a position or size (0 by default), at most
/// `limit` items (1 to 1,000, 100 by default); no other parameter.
pub fn page_parameters(query: &HashMap<String, String>) -> Result<(i64, i64), Problem> {
    only_parameters(query, &["after", "limit"])?;
    let parse = |name: &str, default: i64| -> Result<i64, Problem> {
        query.get(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| {
                Problem::bad_request(
                    "invalid-parameter",
                    format!("{name} must be a whole number"),
                )
            })
        })
    };
    let (after, limit) = (parse("after", 0)?, parse("limit", 100)?);
    if after < 0 || !(1..=1000).contains(&limit) {
        return Err(Problem::bad_request(
            "invalid-parameter",
            "after >= 0 and 1 <= limit <= 1000",
        ));
    }
    Ok((after, limit))
}

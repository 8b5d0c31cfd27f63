//! Cases: file an application, send a command, read a case, list a worklist.

use std::collections::HashMap;

use bytes::Bytes;
use domain::permit_case::Application;
use domain::values::{BureauCode, CaseId, CreditCode, ItemCode};
use domain::{Actor, CaseAction, CaseStatus};
use projections::case_queries::Worklist;
use projections::CaseView;
use serde::de::DeserializeOwned;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::request::{authorization, request_id, with_request_id};
use crate::http::{with_state, AppState, BODY_LIMIT};
use crate::ledger::Submission;

/// POST /api/v1/cases
pub fn file_application(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases")
        .and(warp::post())
        .and(with_state(state))
        .and(authorization())
        .and(request_id())
        .and(warp::body::content_length_limit(BODY_LIMIT))
        .and(warp::body::bytes())
        .then(|state, auth, request_id: String, body| async move {
            let response = handle_file(state, auth, &request_id, body)
                .await
                .unwrap_or_else(|p| p.with_request_id(&request_id).into_response());
            with_request_id(response, &request_id)
        })
}

/// POST /api/v1/cases/{id}/commands
pub fn send_command(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases" / String / "commands")
        .and(warp::post())
        .and(with_state(state))
        .and(authorization())
        .and(request_id())
        .and(warp::header::optional::<String>("if-match"))
        .and(warp::body::content_length_limit(BODY_LIMIT))
        .and(warp::body::bytes())
        .then(
            |id, state, auth, request_id: String, if_match, body| async move {
                let response = handle_command(id, state, auth, &request_id, if_match, body)
                    .await
                    .unwrap_or_else(|p| p.with_request_id(&request_id).into_response());
                with_request_id(response, &request_id)
            },
        )
}

/// GET /api/v1/cases/{id}
pub fn read_case(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases" / String)
        .and(warp::get())
        .and(with_state(state))
        .and(authorization())
        .and(request_id())
        .then(|id, state, auth, request_id: String| async move {
            let response = handle_read(id, state, auth)
                .await
                .unwrap_or_else(|p| p.with_request_id(&request_id).into_response());
            with_request_id(response, &request_id)
        })
}

/// GET /api/v1/cases?status=&bureau=&item=&credit_code=&limit=&offset=
pub fn list_cases(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases")
        .and(warp::get())
        .and(with_state(state))
        .and(authorization())
        .and(request_id())
        .and(warp::query::<HashMap<String, String>>())
        .then(|state, auth, request_id: String, query| async move {
            let response = handle_list(state, auth, query)
                .await
                .unwrap_or_else(|p| p.with_request_id(&request_id).into_response());
            with_request_id(response, &request_id)
        })
}

#[tracing::instrument(skip_all, fields(request_id))]
async fn handle_file(
    state: AppState,
    auth: Option<String>,
    request_id: &str,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let application: Application = parse_body(&body)?;
    let view = state
        .ledger
        .file(actor, application, request_id.to_owned())
        .await?;
    let mut response = case_response(&view, StatusCode::CREATED);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", view.case_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[tracing::instrument(skip_all, fields(case_id = %id))]
async fn handle_command(
    id: String,
    state: AppState,
    auth: Option<String>,
    request_id: &str,
    if_match: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let case_id = parse_case_id(&id)?;
    let expected_version = if_match
        .as_deref()
        .map(parse_if_match)
        .transpose()?
        .flatten();
    let mut json: serde_json::Value = parse_body(&body)?;
    let action_type = json
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_owned();
    let view = match action_type.as_str() {
        "file_application" => {
            return Err(Problem::bad_request(
                "file-with-post-cases",
                "applications are filed with POST /api/v1/cases",
            ))
        }
        "issue_permit" => {
            if json.get("permit_number").is_some() {
                return Err(Problem::bad_request(
                    "permit-number-allocated",
                    "permit numbers are allocated by the ledger; send only the scope",
                ));
            }
            let scope = json
                .get("scope")
                .and_then(|s| s.as_str())
                .ok_or_else(|| {
                    Problem::bad_request("malformed-body", "issue_permit needs a scope")
                })?
                .to_owned();
            if let Some(object) = json.as_object_mut() {
                object.retain(|k, _| k == "type" || k == "scope");
            }
            state
                .ledger
                .issue_permit(
                    case_id,
                    actor,
                    scope,
                    expected_version,
                    request_id.to_owned(),
                )
                .await?
        }
        _ => {
            let action: CaseAction = serde_json::from_value(json)
                .map_err(|e| Problem::bad_request("malformed-body", e.to_string()))?;
            let submission = Submission {
                case_id,
                actor,
                action,
                expected_version,
                request_id: request_id.to_owned(),
            };
            state.ledger.submit(submission).await?
        }
    };
    Ok(case_response(&view, StatusCode::OK))
}

async fn handle_read(
    id: String,
    state: AppState,
    auth: Option<String>,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let case_id = parse_case_id(&id)?;
    let view = state
        .ledger
        .case(&case_id)
        .await?
        .ok_or_else(|| Problem::not_found("case-not-found", format!("no case {case_id}")))?;
    if !actor.may_read_case(&view.bureau, &view.credit_code) {
        return Err(Problem::forbidden(
            "case-not-visible",
            "this case belongs to another enterprise or another bureau's area",
        ));
    }
    Ok(case_response(&view, StatusCode::OK))
}

async fn handle_list(
    state: AppState,
    auth: Option<String>,
    query: HashMap<String, String>,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let worklist = worklist_for(&actor, &query)?;
    let cases = state.ledger.worklist(&worklist).await?;
    Ok(warp::reply::json(&serde_json::json!({
        "cases": cases,
        "limit": worklist.limit,
        "offset": worklist.offset,
    }))
    .into_response())
}

/// The worklist a query asks for, narrowed to what `actor` may see.
fn worklist_for(actor: &Actor, query: &HashMap<String, String>) -> Result<Worklist, Problem> {
    const KNOWN: [&str; 6] = ["status", "bureau", "item", "credit_code", "limit", "offset"];
    if let Some(unknown) = query.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(Problem::bad_request(
            "unknown-parameter",
            format!(
                "unknown query parameter {unknown:?}; known: {}",
                KNOWN.join(", ")
            ),
        ));
    }
    let bad = |name: &str, e: &dyn std::fmt::Display| {
        Problem::bad_request("invalid-parameter", format!("{name}: {e}"))
    };
    let mut worklist = Worklist {
        status: query
            .get("status")
            .map(|s| CaseStatus::parse(s).ok_or_else(|| bad("status", &"not a case status")))
            .transpose()?,
        bureau: query
            .get("bureau")
            .map(|b| BureauCode::parse(b))
            .transpose()
            .map_err(|e| bad("bureau", &e))?,
        item_code: query
            .get("item")
            .map(|i| ItemCode::parse(i))
            .transpose()
            .map_err(|e| bad("item", &e))?,
        credit_code: query
            .get("credit_code")
            .map(|c| CreditCode::parse(c))
            .transpose()
            .map_err(|e| bad("credit_code", &e))?,
        limit: query
            .get("limit")
            .map(|l| l.parse())
            .transpose()
            .map_err(|e| bad("limit", &e))?
            .unwrap_or(50),
        offset: query
            .get("offset")
            .map(|o| o.parse())
            .transpose()
            .map_err(|e| bad("offset", &e))?
            .unwrap_or(0),
    };
    if !(1..=500).contains(&worklist.limit) {
        return Err(bad("limit", &"must be 1 to 500"));
    }
    match actor {
        Actor::Applicant { credit_code, .. } => {
            if worklist
                .credit_code
                .as_ref()
                .is_some_and(|c| c != credit_code)
            {
                return Err(Problem::forbidden(
                    "own-cases-only",
                    "applicants list their own cases",
                ));
            }
            worklist.credit_code = Some(credit_code.clone());
        }
        Actor::Officer { bureau, .. } => match &worklist.bureau {
            Some(asked) if !(bureau.contains(asked) || asked.contains(bureau)) => {
                return Err(Problem::forbidden(
                    "own-area-only",
                    format!("officers of {bureau} list the cases of their own area"),
                ));
            }
            Some(_) => {}
            // A city officer's worklist is the city's; a county officer's, its city's; the
            // province's, every city's.
            None => worklist.bureau = bureau.city(),
        },
        Actor::Auditor { .. } => {}
    }
    Ok(worklist)
}

fn case_response(view: &CaseView, status: StatusCode) -> Response {
    let mut response = warp::reply::with_status(warp::reply::json(view), status).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", view.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem::bad_request("malformed-body", e.to_string()))
}

fn parse_case_id(id: &str) -> Result<CaseId, Problem> {
    CaseId::parse(id).map_err(|e| Problem::bad_request("invalid-case-id", e.to_string()))
}

/// `If-Match: "3"` (or `W/"3"`, or `3`) names the version the sender saw; `*` matches any.
fn parse_if_match(value: &str) -> Result<Option<u64>, Problem> {
    let value = value.trim();
    if value == "*" {
        return Ok(None);
    }
    let bare = value.trim_start_matches("W/").trim_matches('"');
    bare.parse().map(Some).map_err(|_| {
        Problem::bad_request(
            "invalid-if-match",
            "If-Match takes the case version from its ETag, e.g. \"3\"",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_takes_quoted_weak_and_bare_versions() {
        assert_eq!(parse_if_match("\"3\"").unwrap(), Some(3));
        assert_eq!(parse_if_match("W/\"3\"").unwrap(), Some(3));
        assert_eq!(parse_if_match("3").unwrap(), Some(3));
        assert_eq!(parse_if_match("*").unwrap(), None);
        assert!(parse_if_match("\"three\"").is_err());
    }
}

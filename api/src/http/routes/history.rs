//! For auditors: a case's full history (and its state at any moment), and the whole log.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::values::CaseId;
use projections::log::LoggedEvent;
use projections::personal::OpenedEvent;
use serde_json::{json, Value};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::request::authorization;
use crate::http::request::{get_or_head, only_parameters, page_parameters};
use crate::http::{with_state, AppState};

/// GET /api/v1/cases/{id}/history[?as_of=RFC3339]
pub fn case_history(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases" / String / "history")
        .and(get_or_head())
        .and(with_state(state))
        .and(authorization())
        .and(warp::query::<HashMap<String, String>>())
        .then(
            |id: String, state: AppState, auth: Option<String>, query| async move {
                history(&id, &state, auth, &query)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

/// GET /api/v1/log?after=&limit=
pub fn whole_log(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "log")
        .and(get_or_head())
        .and(with_state(state))
        .and(authorization())
        .and(warp::query::<HashMap<String, String>>())
        .then(|state: AppState, auth: Option<String>, query| async move {
            log_page(&state, auth, &query)
                .await
                .unwrap_or_else(Reply::into_response)
        })
}

/// One event as an auditor reads it: who, when, why, and what; personal fields opened, or
/// `"erased"` and named in `erased_fields`.
fn history_entry(event: &LoggedEvent, opened: &OpenedEvent) -> Value {
    let OpenedEvent {
        payload,
        metadata,
        erased_fields,
    } = opened;
    let get = |key: &str| metadata.get(key).cloned();
    let mut entry = json!({
        "position": event.position,
        "recorded_at": event.recorded_at,
        "sequence": event.sequence,
        "event_type": event.event_type,
        "event_version": event.event_version,
        "payload": payload,
        "actor": {
            "subject": get("actor_subject"),
            "role": get("actor_role"),
            "bureau": get("actor_bureau"),
            "post": get("actor_post"),
            "credit_code": get("actor_credit_code"),
        },
        "command": get("command"),
        "request_id": get("request_id"),
        "requested_at": get("requested_at"),
        "reason": get("reason"),
    });
    if !erased_fields.is_empty() {
        entry["erased_fields"] = json!(erased_fields);
    }
    entry
}

async fn history(
    id: &str,
    state: &AppState,
    auth: Option<String>,
    query: &HashMap<String, String>,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let case_id =
        CaseId::parse(id).map_err(|e| Problem::bad_request("invalid-case-id", e.to_string()))?;
    only_parameters(query, &["as_of"])?;
    let as_of = query
        .get("as_of")
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    Problem::bad_request(
                        "invalid-parameter",
                        format!("as_of must be RFC 3339: {e}"),
                    )
                })
        })
        .transpose()?;
    let history = state
        .ledger
        .case_history(&actor, &case_id, as_of)
        .await?
        .ok_or_else(|| Problem::not_found("case-not-found", format!("no case {case_id}")))?;
    let entries: Vec<Value> = history
        .events
        .iter()
        .zip(&history.opened)
        .map(|(event, opened)| history_entry(event, opened))
        .collect();
    let mut body = json!({ "case_id": case_id, "events": entries });
    if let Some((as_of, state_then)) = history.as_of {
        body["as_of"] = json!(as_of);
        body["state"] = json!(state_then);
    }
    Ok(warp::reply::json(&body).into_response())
}

async fn log_page(
    state: &AppState,
    auth: Option<String>,
    query: &HashMap<String, String>,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let (after, limit) = page_parameters(query)?;
    let page = state.ledger.log_page(&actor, after, limit).await?;
    let entries: Vec<Value> = page
        .events
        .iter()
        .map(|e| {
            json!({
                "position": e.position,
                "recorded_at": e.recorded_at,
                "aggregate_type": e.aggregate_type,
                "aggregate_id": e.aggregate_id,
                "sequence": e.sequence,
                "event_type": e.event_type,
                "event_version": e.event_version,
                "payload": e.payload,
                "metadata": e.metadata,
                "entry": String::from_utf8_lossy(&e.entry()),
                "leaf_hash": BASE64.encode(e.leaf()),
            })
        })
        .collect();
    Ok(
        warp::reply::json(&json!({ "events": entries, "next_after": page.next_after }))
            .into_response(),
    )
}

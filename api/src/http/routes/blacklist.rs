//! The list of seriously untrustworthy entities: public as `/blacklist.json` and as feeds of
//! its listings and removals; a listing is removed early by credit repair through
//! `POST /api/v1/credit-records/{credit_code}/commands`.

use bytes::Bytes;
use domain::values::CreditCode;
use feed::blacklist_feed;
use feed::notice_text::timestamp;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::entry_feeds;
use crate::http::idempotency::{keyed, Done, Write};
use crate::http::problem::Problem;
use crate::http::public_documents::{respond, validators, Rendered, Validators};
use crate::http::request::{answer, get_or_head, parse_body, post_with_body};
use crate::http::{with_state, AppState};

/// GET /blacklist.json
pub fn current(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("blacklist.json")
        .and(get_or_head())
        .and(with_state(state))
        .and(validators())
        .then(|state: AppState, validators: Validators| async move {
            handle_current(&state, &validators)
                .await
                .unwrap_or_else(Reply::into_response)
        })
}

/// GET /feeds/blacklist.rss, /feeds/blacklist.json: listings and removals.
pub fn feeds(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    entry_feeds::route(
        state,
        "blacklist",
        blacklist_feed::head,
        |state| async move {
            let list = state.ledger.blacklist().await?;
            Ok(blacklist_feed::entries(&state.site, &list.changes()))
        },
    )
}

async fn handle_current(state: &AppState, validators: &Validators) -> Result<Response, Problem> {
    let list = state.ledger.blacklist().await?;
    let today = state.ledger.today();
    let body = json!({
        "as_of": today,
        "entries": list.in_force_on(today),
    });
    let body = serde_json::to_string_pretty(&body).map_err(|e| Problem::internal(&e))?;
    let updated = list.changes().first().map(|c| timestamp(c.recorded_at));
    Ok(respond(
        &Rendered::new(body, "application/json", updated),
        validators,
    ))
}

/// A command to an enterprise's credit record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CreditRecordCommand {
    /// Ends the enterprise's listing in force before its term, by credit repair (an approver
    /// of the provincial bureau); the removal is published.
    RemoveFromBlacklist { reason: String },
}

/// POST /api/v1/credit-records/{credit_code}/commands
pub fn command(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "credit-records" / String / "commands")
        .and(with_state(state))
        .and(post_with_body())
        .then(|code: String, state, auth, request_id: String, key, body| {
            answer(
                request_id.clone(),
                handle_command(code, state, auth, request_id, key, body),
            )
        })
}

async fn handle_command(
    code: String,
    state: AppState,
    auth: Option<String>,
    request_id: String,
    key: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let credit_code = CreditCode::parse(&code)
        .map_err(|e| Problem::bad_request("invalid-credit-code", e.to_string()))?;
    let CreditRecordCommand::RemoveFromBlacklist { reason } = parse_body(&body)?;
    let path = format!("/api/v1/credit-records/{credit_code}/commands");
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(key, "POST", &path, &[&body])?,
        case_id: None,
        success: StatusCode::OK,
        request_id,
    };
    let ledger = state.ledger.clone();
    write
        .once(
            &state,
            move |trace, _| async move {
                let entry = ledger
                    .remove_from_blacklist(&actor, &credit_code, reason, trace)
                    .await?;
                let outcome = serde_json::to_value(&entry).map_err(|e| Problem::internal(&e))?;
                Ok(Done {
                    response: warp::reply::json(&outcome).into_response(),
                    outcome,
                })
            },
            |answered| async move { Ok(warp::reply::json(&answered.outcome).into_response()) },
        )
        .await
}

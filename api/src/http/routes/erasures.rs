//! Erasing a data subject's personal information, ordered by an auditor over HTTP (the same
//! as `permit-ledger erase`).

use bytes::Bytes;
use domain::personal_data::DataSubject;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::request::{answer, parse_body, post_with_body};
use crate::http::{with_state, AppState};

/// POST /api/v1/erasures `{"subject": "enterprise:CREDIT-CODE", "reason": "..."}`
pub fn erase_subject(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "erasures")
        .and(with_state(state))
        .and(post_with_body())
        .then(|state, auth, request_id: String, body| {
            answer(request_id, handle_erase(state, auth, body))
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErasureBody {
    subject: String,
    reason: String,
}

async fn handle_erase(
    state: AppState,
    auth: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let body: ErasureBody = parse_body(&body)?;
    let subject: DataSubject =
        body.subject
            .parse()
            .map_err(|e: domain::personal_data::DataSubjectError| {
                Problem::bad_request("invalid-data-subject", e.to_string())
            })?;
    let erased = state
        .ledger
        .erase_on_request(&actor, &subject, body.reason)
        .await?;
    let answer = json!({
        "subject": subject.to_string(),
        "key_id": erased.key_id,
        "recorded": erased.recorded,
    });
    Ok(warp::reply::with_status(warp::reply::json(&answer), StatusCode::CREATED).into_response())
}

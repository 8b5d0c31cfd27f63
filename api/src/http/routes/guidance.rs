//! POST /api/v1/guidance: an enterprise's draft, shown to a guide of the city bureau that
//! will handle it before it is filed. The draft is a case in status `in_guidance`: read,
//! listed, commented on (`comment_materials`) and revised (`revise_draft`) as cases are, and
//! filed with `POST /api/v1/cases` naming it (`guidance_id`).

use bytes::Bytes;
use domain::permit_case::Draft;
use serde_json::Value;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::cases::{filed_response, replay_case};
use crate::http::idempotency::{keyed, Done, Write};
use crate::http::problem::Problem;
use crate::http::request::{answer, parse_body, post_with_body};
use crate::http::{with_state, AppState};

/// POST /api/v1/guidance
pub fn request_guidance(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "guidance")
        .and(with_state(state))
        .and(post_with_body())
        .then(|state, auth, request_id: String, key, body| {
            answer(
                request_id.clone(),
                handle_request(state, auth, request_id, key, body),
            )
        })
}

async fn handle_request(
    state: AppState,
    auth: Option<String>,
    request_id: String,
    key: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let draft: Draft = parse_body(&body)?;
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(key, "POST", "/api/v1/guidance", &[&body])?,
        case_id: Some(state.ledger.new_case_id()),
        success: StatusCode::CREATED,
        request_id,
    };
    let (ledger, replaying) = (state.ledger.clone(), state.clone());
    write
        .once(
            &state,
            move |trace, case_id| async move {
                let case_id = case_id.unwrap_or_else(|| ledger.new_case_id());
                let view = ledger
                    .request_guidance(case_id, actor, draft, trace)
                    .await?;
                Ok(Done {
                    outcome: Value::Null,
                    response: filed_response(&view),
                })
            },
            move |answered| replay_case(replaying, answered),
        )
        .await
}

//! Erasing a data subject's personal information, ordered by an auditor over HTTP (the same
//! as `permit-ledger erase`).

use bytes::Bytes;
use domain::personal_data::DataSubject;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::idempotency::{keyed, Done, Write};
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
        .then(|state, auth, request_id: String, key, body| {
            answer(
                request_id.clone(),
                handle_erase(state, auth, request_id, key, body),
            )
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
    request_id: String,
    key: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let ErasureBody { subject, reason } = parse_body(&body)?;
    let subject: DataSubject =
        subject
            .parse()
            .map_err(|e: domain::personal_data::DataSubjectError| {
                Problem::bad_request("invalid-data-subject", e.to_string())
            })?;
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(key, "POST", "/api/v1/erasures", &[&body])?,
        case_id: None,
        success: StatusCode::CREATED,
        request_id,
    };
    let ledger = state.ledger.clone();
    let erased_subject = subject.clone();
    write
        .once(
            &state,
            move |_, _| async move {
                let erased = ledger.erase_on_request(&actor, &subject, reason).await?;
                let outcome = json!({"key_id": erased.key_id, "recorded": erased.recorded});
                Ok(Done {
                    response: erasure_response(&subject, &outcome),
                    outcome,
                })
            },
            move |answered| async move { Ok(erasure_response(&erased_subject, &answered.outcome)) },
        )
        .await
}

/// 201 with the subject erased, the id of the key destroyed, and whether this request
/// recorded the erasure.
fn erasure_response(subject: &DataSubject, outcome: &serde_json::Value) -> Response {
    let answer = json!({
        "subject": subject.to_string(),
        "key_id": outcome["key_id"],
        "recorded": outcome["recorded"],
    });
    warp::reply::with_status(warp::reply::json(&answer), StatusCode::CREATED).into_response()
}

//! Writes done once and finished once started: every POST runs in a task of its own, so a
//! client that goes away does not cut its command off halfway (it is done, or refused, as if
//! the client had stayed); and a POST sent with `Idempotency-Key` is answered, when sent
//! again, what it was answered the first time, without being done again (see
//! [`crate::ledger::idempotency`]).

use std::future::Future;

use domain::values::CaseId;
use domain::Actor;
use serde_json::Value;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

use crate::http::problem::Problem;
use crate::http::AppState;
use crate::ledger::idempotency::{Answered, Claimed, KeyedRequest};
use crate::ledger::RequestTrace;

/// The header a retried answer carries.
pub const REPLAYED: &str = "idempotent-replayed";

/// The longest idempotency key taken.
const KEY_LIMIT: usize = 255;

/// The `Idempotency-Key` header as sent, read once the sender is authenticated (see
/// [`keyed`]).
pub fn idempotency_key() -> impl Filter<Extract = (Option<String>,), Error = Rejection> + Clone {
    warp::header::optional::<String>("idempotency-key")
}

/// The request `method path` with `parts`, under the key `header` sent, if it sent one: 1 to
/// 255 visible ASCII characters, bare or as a quoted string (the header's structured-field
/// form, `"…"`).
pub fn keyed(
    header: Option<String>,
    method: &str,
    path: &str,
    parts: &[&[u8]],
) -> Result<Option<KeyedRequest>, Problem> {
    header
        .map(|value| parse_key(&value).map(|key| KeyedRequest::new(key, method, path, parts)))
        .transpose()
}

fn parse_key(value: &str) -> Result<String, Problem> {
    let value = value.trim();
    let bare = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let sensible = (1..=KEY_LIMIT).contains(&bare.len())
        && bare
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if sensible {
        Ok(bare.to_owned())
    } else {
        Err(Problem::bad_request(
            "invalid-idempotency-key",
            format!(
                "Idempotency-Key is 1 to {KEY_LIMIT} visible ASCII characters without quotes or \
                 backslashes inside, e.g. a UUID"
            ),
        ))
    }
}

/// A write's answer, and what else the answer is made again from when the write is retried
/// (nothing personal; nothing at all for a write on a case, which is read again).
pub struct Done {
    pub response: Response,
    pub outcome: Value,
}

/// What one write needs to be done once: who sends it, its key if it has one, the case it
/// is about (for a filing, the id it will get) and what it answers when it succeeds.
pub struct Write {
    pub actor: Actor,
    pub keyed: Option<KeyedRequest>,
    pub case_id: Option<CaseId>,
    pub success: StatusCode,
    pub request_id: String,
}

impl Write {
    /// Does the write once, in a task of its own: `handle` does it (with the trace its
    /// events record, and the case it is about: for a filing sent again after its first try
    /// was cut off, the first try's), `replay` answers again what it answered when it was
    /// done before.
    pub async fn once<H, HF, R, RF>(
        self,
        state: &AppState,
        handle: H,
        replay: R,
    ) -> Result<Response, Problem>
    where
        H: FnOnce(RequestTrace, Option<CaseId>) -> HF + Send + 'static,
        HF: Future<Output = Result<Done, Problem>> + Send,
        R: FnOnce(Answered) -> RF + Send + 'static,
        RF: Future<Output = Result<Response, Problem>> + Send,
    {
        state.write_limiter.admit(&self.actor)?;
        let ledger = state.ledger.clone();
        let task = state.work.spawn(async move {
            let Some(keyed) = self.keyed else {
                return handle(self.request_id.into(), self.case_id)
                    .await
                    .map(|done| done.response);
            };
            let claimed = ledger
                .claim_key(&self.actor, &keyed, self.case_id, self.success.as_u16())
                .await?;
            let claim = match claimed {
                Claimed::New(claim) => claim,
                Claimed::Answered(answered) => return answer_again(answered, replay).await,
            };
            let trace = RequestTrace {
                request_id: self.request_id,
                idempotency_claim: Some(claim.claim_id().to_owned()),
            };
            let outcome = handle(trace, claim.case_id.clone()).await;
            let recorded = match &outcome {
                Ok(done) => Some((done.response.status(), done.outcome.clone())),
                Err(problem) if is_final(problem) => Some((problem.status, problem.recorded())),
                Err(_) => None,
            };
            match recorded {
                Some((status, outcome)) => {
                    if let Err(error) = ledger.answer_key(&claim, status.as_u16(), &outcome).await {
                        // The answer goes out; a retry finds the claim unanswered and, once
                        // its lease is over, settles it from the log.
                        tracing::error!(%error, "recording an idempotency key's answer failed");
                    }
                }
                None => ledger.release_key(&claim).await,
            }
            outcome.map(|done| done.response)
        });
        task.await.unwrap_or_else(|failure| {
            Err(Problem::internal(&std::io::Error::other(format!(
                "a write's task failed: {failure}"
            ))))
        })
    }
}

/// Whether a refusal is the request's answer for good (recorded under its key), not one of
/// the moment or of the server (after which the same request may be sent again).
fn is_final(problem: &Problem) -> bool {
    problem.status.is_client_error()
        && !matches!(
            problem.status,
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
        )
        && !matches!(&*problem.rule, "concurrent-change" | "request-in-progress")
}

async fn answer_again<R, RF>(answered: Answered, replay: R) -> Result<Response, Problem>
where
    R: FnOnce(Answered) -> RF,
    RF: Future<Output = Result<Response, Problem>>,
{
    let status = StatusCode::from_u16(answered.status).map_err(|e| Problem::internal(&e))?;
    let mut response = if status.is_success() {
        replay(answered).await?
    } else {
        warp::Reply::into_response(Problem::from_recorded(status, &answered.outcome))
    };
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_bare_or_quoted() {
        assert_eq!(parse_key("abc-123").unwrap(), "abc-123");
        assert_eq!(
            parse_key("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"").unwrap(),
            "8e03978e-40d5-43e8-bc93-6894a57f9324"
        );
        for refused in ["", "\"\"", "a b", "a\"b", "a\\b", "é", &"k".repeat(256)] {
            assert_eq!(
                parse_key(refused).unwrap_err().rule,
                "invalid-idempotency-key",
                "{refused:?}"
            );
        }
    }

    #[test]
    fn only_refusals_of_the_request_itself_are_final() {
        let problem = |status, rule| Problem::new(status, rule, "");
        assert!(is_final(&problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-accepted"
        )));
        assert!(is_final(&problem(StatusCode::FORBIDDEN, "wrong-post")));
        assert!(!is_final(&problem(
            StatusCode::CONFLICT,
            "concurrent-change"
        )));
        assert!(!is_final(&problem(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited"
        )));
        assert!(!is_final(&problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error"
        )));
    }
}

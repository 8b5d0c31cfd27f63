//! Errors as RFC 9457 problem details (`application/problem+json`), each naming the rule
//! that refused the request.

use std::borrow::Cow;

use domain::permit_case::RefusalKind;
use domain::CaseError;
use serde::Serialize;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

use crate::http::tokens::AuthError;
use crate::ledger::permit_numbers::AllocationError;
use crate::ledger::LedgerError;
use domain::personal_data::ErasureError;
use domain::text::TextRefusal;

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// The rule that refused the request, as a stable kebab-case name.
    pub rule: Cow<'static, str>,
    pub detail: String,
    pub request_id: Option<String>,
    /// Seconds after which the request may be sent again, when it may.
    pub retry_after: Option<u64>,
}

/// The problem+json document.
#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "type")]
    type_uri: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

impl Problem {
    pub fn new(status: StatusCode, rule: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            rule: Cow::Borrowed(rule),
            detail: detail.into(),
            request_id: None,
            retry_after: None,
        }
    }

    /// Says the request may be sent again after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// What a recorded answer keeps of this problem (the request id is the next request's).
    pub fn recorded(&self) -> serde_json::Value {
        serde_json::json!({"rule": self.rule, "detail": self.detail})
    }

    /// The problem recorded as `outcome` with `status` (see [`Self::recorded`]).
    pub fn from_recorded(status: StatusCode, outcome: &serde_json::Value) -> Self {
        let text = |name: &str| {
            outcome
                .get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            status,
            rule: Cow::Owned(text("rule")),
            detail: text("detail"),
            request_id: None,
            retry_after: None,
        }
    }

    pub fn with_request_id(mut self, request_id: &str) -> Self {
        self.request_id = Some(request_id.to_owned());
        self
    }

    pub fn bad_request(rule: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, rule, detail)
    }

    pub fn forbidden(rule: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, rule, detail)
    }

    pub fn not_found(rule: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, rule, detail)
    }

    /// An opaque 500: the cause is logged with the request id, never sent.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(cause = %chain, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "the server failed; the cause is in its log under this request id",
        )
    }
}

impl warp::Reply for Problem {
    fn into_response(self) -> Response {
        let status = self.status;
        let document = Document {
            type_uri: format!("/problems/{}", self.rule),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: &self.detail,
            rule: &self.rule,
            request_id: self.request_id.as_deref(),
        };
        let mut response =
            warp::reply::with_status(warp::reply::json(&document), status).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        // Not ready yet (leaves not recorded, the store not answering): try again soon.
        let retry_after = self
            .retry_after
            .or((status == StatusCode::SERVICE_UNAVAILABLE).then_some(1));
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<AuthError> for Problem {
    fn from(error: AuthError) -> Self {
        let rule = match error {
            AuthError::Missing => "token-required",
            AuthError::Invalid(_) => "token-invalid",
        };
        Problem::new(StatusCode::UNAUTHORIZED, rule, error.to_string())
    }
}

impl From<CaseError> for Problem {
    fn from(error: CaseError) -> Self {
        Problem::new(
            refusal_status(error.kind()),
            error.rule(),
            error.to_string(),
        )
    }
}

/// The status a domain refusal reaches its sender with.
fn refusal_status(kind: RefusalKind) -> StatusCode {
    match kind {
        RefusalKind::Forbidden => StatusCode::FORBIDDEN,
        RefusalKind::Conflict => StatusCode::CONFLICT,
        RefusalKind::NotFound => StatusCode::NOT_FOUND,
        RefusalKind::Rule => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalKind::Malformed => StatusCode::BAD_REQUEST,
    }
}

impl From<LedgerError> for Problem {
    fn from(error: LedgerError) -> Self {
        match error {
            LedgerError::Refused(refusal) => refusal.into(),
            LedgerError::CreditRefused(refusal) => Problem::new(
                refusal_status(refusal.kind()),
                refusal.rule(),
                refusal.to_string(),
            ),
            LedgerError::InspectionRefused(refusal) => Problem::new(
                refusal_status(refusal.kind()),
                refusal.rule(),
                refusal.to_string(),
            ),
            LedgerError::NotPermitted { rule, detail } => Problem::forbidden(rule, detail),
            LedgerError::Query(query) => query.into(),
            LedgerError::Conflict => {
                Problem::new(StatusCode::CONFLICT, "concurrent-change", error.to_string())
            }
            LedgerError::Allocation(AllocationError::SerialsExhausted { .. }) => Problem::new(
                StatusCode::CONFLICT,
                "permit-serials-exhausted",
                error.to_string(),
            ),
            LedgerError::NoSuchSubject(_) => {
                Problem::not_found("no-personal-data", error.to_string())
            }
            LedgerError::ErasureRefused(ErasureError::AlreadyErased(_)) => {
                Problem::new(StatusCode::CONFLICT, "already-erased", error.to_string())
            }
            LedgerError::ErasureRefused(ErasureError::Reason(TextRefusal::Empty)) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "required-field",
                "reason: an erasure states its reason",
            ),
            LedgerError::ErasureRefused(ErasureError::Reason(refusal)) => {
                Problem::bad_request(refusal.rule(), format!("reason: {refusal}"))
            }
            LedgerError::IdempotencyKeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                error.to_string(),
            ),
            LedgerError::RequestInProgress => Problem::new(
                StatusCode::CONFLICT,
                "request-in-progress",
                error.to_string(),
            )
            .retry_after(1),
            other => Problem::internal(&other),
        }
    }
}

impl From<projections::case_queries::QueryError> for Problem {
    fn from(error: projections::case_queries::QueryError) -> Self {
        match error {
            not_yet @ projections::case_queries::QueryError::LeavesNotRecorded { .. } => {
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "leaves-not-yet-recorded",
                    format!("{not_yet}; try again in a moment"),
                )
            }
            other => Problem::internal(&other),
        }
    }
}

#[cfg(test)]
mod tests {
    use projections::case_queries::QueryError;
    use warp::Reply;

    use super::*;

    #[test]
    fn leaves_not_yet_recorded_ask_the_client_to_come_back_in_a_second() {
        let problem = Problem::from(QueryError::LeavesNotRecorded {
            after: 0,
            through: 700,
            found: 512,
        });
        assert_eq!(problem.rule, "leaves-not-yet-recorded");
        assert!(problem.detail.contains("700"), "{}", problem.detail);
        let response = problem.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}

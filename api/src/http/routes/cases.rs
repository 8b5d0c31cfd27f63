//! Cases: file an application, send a command, read a case, list a worklist.

use std::collections::HashMap;

use bytes::Bytes;
use domain::permit_case::Application;
use domain::values::CaseId;
use domain::CaseAction;
use projections::CaseView;
use serde::de::{Error as _, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::worklist_query;
use crate::http::idempotency::{keyed, Done, Write};
use crate::http::problem::Problem;
use crate::http::request::{
    answer, authorization, get_or_head, parse_body, post_with_body, request_id,
};
use crate::http::{with_state, AppState};
use crate::ledger::idempotency::Answered;
use crate::ledger::CaseRequest;

/// POST /api/v1/cases
pub fn file_application(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases")
        .and(with_state(state))
        .and(post_with_body())
        .then(|state, auth, request_id: String, key, body| {
            answer(
                request_id.clone(),
                handle_file(state, auth, request_id, key, body),
            )
        })
}

/// POST /api/v1/cases/{id}/commands
pub fn send_command(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases" / String / "commands")
        .and(with_state(state))
        .and(post_with_body())
        .and(warp::header::optional::<String>("if-match"))
        .then(|id, state, auth, request_id: String, key, body, if_match| {
            let sent = Sent {
                request_id: request_id.clone(),
                key,
                if_match,
                body,
            };
            answer(request_id, handle_command(id, state, auth, sent))
        })
}

/// GET /api/v1/cases/{id}
pub fn read_case(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases" / String)
        .and(get_or_head())
        .and(with_state(state))
        .and(authorization())
        .and(request_id())
        .then(|id, state, auth, request_id: String| {
            answer(request_id, handle_read(id, state, auth))
        })
}

/// GET /api/v1/cases?status=&pending=&bureau=&item=&credit_code=&warning=&limit=&offset=
pub fn list_cases(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "cases")
        .and(get_or_head())
        .and(with_state(state))
        .and(authorization())
        .and(request_id())
        .and(warp::query::<HashMap<String, String>>())
        .then(|state, auth, request_id: String, query| {
            answer(request_id, handle_list(state, auth, query))
        })
}

/// A command's body as a client sends it, `{"type": "...", ...}`: any action of the case,
/// but filing has a route of its own, and an issuance names no number (the ledger
/// allocates it).
// One per request, moved once into the ledger: boxing the action would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum CommandBody {
    FileApplication,
    IssuePermit {
        scope: String,
        permit_number: Option<IgnoredAny>,
    },
    Act(CaseAction),
}

/// The fields of `{"type": "issue_permit", ...}` as a client may send them.
#[derive(Deserialize)]
struct IssuanceBody {
    scope: String,
    #[serde(default)]
    permit_number: Option<IgnoredAny>,
}

/// By its `type`, as serde's internally tagged enums are read, but with the refusals of
/// [`CaseAction`] itself (an unknown field or type named as such) for every other action.
impl<'de> Deserialize<'de> for CommandBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let body = serde_json::Value::deserialize(deserializer)?;
        let parsed = match body.get("type").and_then(serde_json::Value::as_str) {
            Some("file_application") => Ok(CommandBody::FileApplication),
            Some("issue_permit") => {
                IssuanceBody::deserialize(body).map(|issuance| CommandBody::IssuePermit {
                    scope: issuance.scope,
                    permit_number: issuance.permit_number,
                })
            }
            _ => CaseAction::deserialize(body).map(CommandBody::Act),
        };
        parsed.map_err(D::Error::custom)
    }
}

impl TryFrom<CommandBody> for CaseRequest {
    type Error = Problem;

    fn try_from(body: CommandBody) -> Result<Self, Problem> {
        match body {
            CommandBody::FileApplication => Err(Problem::bad_request(
                "file-with-post-cases",
                "applications are filed with POST /api/v1/cases",
            )),
            CommandBody::IssuePermit {
                permit_number: Some(_),
                ..
            } => Err(Problem::bad_request(
                "permit-number-allocated",
                "permit numbers are allocated by the ledger; send only the scope",
            )),
            CommandBody::IssuePermit { scope, .. } => Ok(CaseRequest::IssuePermit { scope }),
            CommandBody::Act(action) => Ok(CaseRequest::Act(action)),
        }
    }
}

#[tracing::instrument(skip_all, fields(request_id))]
async fn handle_file(
    state: AppState,
    auth: Option<String>,
    request_id: String,
    key: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let application: Application = parse_body(&body)?;
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(key, "POST", "/api/v1/cases", &[&body])?,
        // A guided filing is filed on its draft's case; any other on a new one.
        case_id: Some(
            application
                .guidance_id
                .clone()
                .unwrap_or_else(|| state.ledger.new_case_id()),
        ),
        success: StatusCode::CREATED,
        request_id,
    };
    let (ledger, replaying) = (state.ledger.clone(), state.clone());
    write
        .once(
            &state,
            move |trace, case_id| async move {
                let case_id = case_id.unwrap_or_else(|| ledger.new_case_id());
                let view = ledger.file_as(case_id, actor, application, trace).await?;
                Ok(Done {
                    outcome: Value::Null,
                    response: filed_response(&view),
                })
            },
            move |answered| replay_case(replaying, answered),
        )
        .await
}

/// What a command's request carries besides its case and token.
struct Sent {
    request_id: String,
    key: Option<String>,
    if_match: Option<String>,
    body: Bytes,
}

#[tracing::instrument(skip_all, fields(case_id = %id))]
async fn handle_command(
    id: String,
    state: AppState,
    auth: Option<String>,
    sent: Sent,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let case_id = parse_case_id(&id)?;
    let expected_version = sent
        .if_match
        .as_deref()
        .map(parse_if_match)
        .transpose()?
        .flatten();
    let request = CaseRequest::try_from(parse_body::<CommandBody>(&sent.body)?)?;
    let path = format!("/api/v1/cases/{case_id}/commands");
    let if_match = sent.if_match.unwrap_or_default();
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(sent.key, "POST", &path, &[if_match.as_bytes(), &sent.body])?,
        case_id: Some(case_id.clone()),
        success: StatusCode::OK,
        request_id: sent.request_id,
    };
    let (ledger, replaying) = (state.ledger.clone(), state.clone());
    write
        .once(
            &state,
            move |trace, _| async move {
                let view = ledger
                    .request(case_id, actor, request, expected_version, trace)
                    .await?;
                Ok(Done {
                    outcome: Value::Null,
                    response: case_response(&view, StatusCode::OK),
                })
            },
            move |answered| replay_case(replaying, answered),
        )
        .await
}

/// A filed case's answer: 201, its view, and where it is read.
pub(super) fn filed_response(view: &CaseView) -> Response {
    let mut response = case_response(view, StatusCode::CREATED);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", view.case_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A write on a case answered again: the case as it stands now, with the status of the
/// first answer.
pub(super) async fn replay_case(state: AppState, answered: Answered) -> Result<Response, Problem> {
    let missing = || Problem::not_found("case-not-found", "the case this key answered is gone");
    let case_id = answered.case_id.ok_or_else(missing)?;
    let view = state.ledger.case(&case_id).await?.ok_or_else(missing)?;
    Ok(if answered.status == StatusCode::CREATED.as_u16() {
        filed_response(&view)
    } else {
        case_response(&view, StatusCode::OK)
    })
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
        .case_for(&actor, &case_id)
        .await?
        .ok_or_else(|| Problem::not_found("case-not-found", format!("no case {case_id}")))?;
    Ok(case_response(&view, StatusCode::OK))
}

async fn handle_list(
    state: AppState,
    auth: Option<String>,
    query: HashMap<String, String>,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let worklist = worklist_query::parse(&query)?;
    let (limit, offset) = (worklist.limit, worklist.offset);
    let cases = state.ledger.worklist_for(&actor, worklist).await?;
    // At most WORKLIST_BYTES of cases (each serialised once): the rest is the next page,
    // from next_offset.
    let mut kept: Vec<String> = Vec::with_capacity(cases.len());
    let mut bytes = 0;
    for case in &cases {
        let json = serde_json::to_string(case).map_err(|e| Problem::internal(&e))?;
        bytes += json.len() + 1;
        if bytes > WORKLIST_BYTES && !kept.is_empty() {
            break;
        }
        kept.push(json);
    }
    let next_offset = if kept.len() < cases.len() {
        format!(r#","next_offset":{}"#, offset as usize + kept.len())
    } else {
        String::new()
    };
    let body = format!(
        r#"{{"cases":[{}],"limit":{limit},"offset":{offset}{next_offset}}}"#,
        kept.join(",")
    );
    let mut response = Response::new(body.into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// The most bytes of cases one worklist response carries; a longer page is cut short and
/// says where the next one starts (`next_offset`).
pub const WORKLIST_BYTES: usize = 4 * 1024 * 1024;

fn case_response(view: &CaseView, status: StatusCode) -> Response {
    let mut response = warp::reply::with_status(warp::reply::json(view), status).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", view.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
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

    fn request(body: &str) -> Result<CaseRequest, Problem> {
        CaseRequest::try_from(parse_body::<CommandBody>(body.as_bytes())?)
    }

    #[test]
    fn a_command_body_names_an_action_or_an_issuance_without_its_number() {
        assert!(matches!(
            request(r#"{"type": "accept"}"#),
            Ok(CaseRequest::Act(CaseAction::Accept {}))
        ));
        assert!(matches!(
            request(r#"{"type": "issue_permit", "scope": "复合肥料"}"#),
            Ok(CaseRequest::IssuePermit { scope }) if scope == "复合肥料"
        ));
        let rule = |body| request(body).unwrap_err().rule;
        assert_eq!(
            rule(
                r#"{"type": "issue_permit", "scope": "s", "permit_number": "XK-003-370100-2026-00001"}"#
            ),
            "permit-number-allocated"
        );
        assert_eq!(
            rule(r#"{"type": "file_application"}"#),
            "file-with-post-cases"
        );
        assert_eq!(rule(r#"{"type": "issue_permit"}"#), "malformed-body");
        assert_eq!(rule(r#"{"type": "accept", "by": "me"}"#), "malformed-body");
        assert_eq!(rule(r#"{"type": "teleport"}"#), "malformed-body");
        let detail = |body| request(body).unwrap_err().detail;
        assert!(detail(r#"{"type": "accept", "by": "me"}"#).contains("unknown field `by`"));
        assert!(detail(r#"{"type": "teleport"}"#).contains("unknown variant `teleport`"));
        assert!(detail(r#"{"type": "deny"}"#).contains("missing field `reason`"));
    }

    #[test]
    fn if_match_takes_quoted_weak_and_bare_versions() {
        assert_eq!(parse_if_match("\"3\"").unwrap(), Some(3));
        assert_eq!(parse_if_match("W/\"3\"").unwrap(), Some(3));
        assert_eq!(parse_if_match("3").unwrap(), Some(3));
        assert_eq!(parse_if_match("*").unwrap(), None);
        assert!(parse_if_match("\"three\"").is_err());
    }
}

//! The OpenAPI 3.1 description of every route (`GET /openapi.json`), its schemas generated
//! from the request and response types themselves (`utoipa`), so that it cannot drift from
//! what is read and written. Each operation is described by a function below, named after
//! the route it describes; [`ROUTES`] lists them, and a test holds the two together with the
//! server.

use std::collections::BTreeMap;

use domain::permit_case::{Application, Draft};
use domain::supervision::Warning;
use domain::CaseAction;
use projections::blacklist::BlacklistEntry;
use projections::supervision::Efficiency;
use projections::CaseView;
use serde::Serialize;
use utoipa::openapi::response::{Response as ApiResponse, ResponseBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};
use warp::http::{header, HeaderValue};
use warp::reply::Response;
use warp::{Filter, Rejection};

use crate::http::request::get_or_head;
use crate::http::routes::blacklist::CreditRecordCommand;
use crate::http::routes::inspections::PlanCommand;
use crate::ledger::PlanRequest;

mod credit;
mod supervision;

/// Every path the server answers, as the document names it.
pub const ROUTES: &[&str] = &[
    "/healthz",
    "/openapi.json",
    "/api/v1/items",
    "/api/v1/cases",
    "/api/v1/cases/{id}",
    "/api/v1/cases/{id}/commands",
    "/api/v1/guidance",
    "/api/v1/credit-records/{credit_code}/commands",
    "/api/v1/inspections/plans",
    "/api/v1/inspections/plans/{id}/commands",
    "/api/v1/cases/{id}/history",
    "/api/v1/log",
    "/api/v1/erasures",
    "/api/v1/supervision/efficiency",
    "/api/v1/supervision/efficiency.csv",
    "/statistics.json",
    "/blacklist.json",
    "/inspections.json",
    "/inspections/{plan}",
    "/feeds/{feed}",
    "/listings/{day}",
    "/permits/{number}",
    "/transparency/key",
    "/transparency/checkpoint",
    "/transparency/checkpoint/{size}",
    "/transparency/proof/{kind}",
    "/tile/{level}/{index}",
    "/transparency/checkpoints",
];

/// The route template `path` belongs to (`/api/v1/cases/{id}` for a case's path), if any.
pub fn template_of(path: &str) -> Option<&'static str> {
    ROUTES.iter().copied().find(|template| {
        let mut parts = template.trim_start_matches('/').split('/');
        let mut segments = path.trim_start_matches('/').split('/');
        loop {
            match (parts.next(), segments.next()) {
                (None, None) => return true,
                (Some(part), Some(segment)) if part.starts_with('{') || part == segment => {}
                _ => return false,
            }
        }
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Permit Ledger",
        description = "An event-sourced ledger of administrative permit cases with a public \
                       transparency feed. Errors are application/problem+json (RFC 9457) with \
                       a `rule` naming what refused the request."
    ),
    paths(
        healthz, openapi_json, items, file_application, request_guidance, read_case,
        send_command, case_history,
        list_cases, whole_log, erase_subject, feeds, listings, permit, transparency_key,
        latest_checkpoint, checkpoint_of_size, proof, supervision::efficiency,
        supervision::efficiency_csv, supervision::statistics, credit::blacklist,
        credit::credit_record_command, credit::create_plan, credit::plan_command, credit::plans,
        credit::plan, tile, checkpoints
    ),
    components(schemas(ProblemDetails, CaseView, Application, Draft, CaseAction, ErasureRequest,
        Efficiency, BlacklistEntry, CreditRecordCommand, PlanRequest, PlanCommand)),
    modifiers(&BearerTokens)
)]
struct ApiDoc;

/// The document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// GET /openapi.json
pub fn route() -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let body = document().to_json().unwrap_or_default();
    warp::path!("openapi.json").and(get_or_head()).map(move || {
        let mut response = Response::new(body.clone().into());
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    })
}

struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// A problem document (RFC 9457).
#[derive(Serialize, ToSchema)]
pub struct ProblemDetails {
    /// `/problems/{rule}`.
    #[serde(rename = "type")]
    type_uri: String,
    title: String,
    status: u16,
    detail: String,
    /// The rule that refused the request.
    rule: String,
    request_id: Option<String>,
}

/// `POST /api/v1/erasures`.
#[derive(Serialize, ToSchema)]
pub struct ErasureRequest {
    /// `enterprise:CREDIT-CODE`, `officer:SUBJECT` or `auditor:SUBJECT`.
    subject: String,
    reason: String,
}

/// Problem responses, by status.
fn problems(statuses: &[(u16, &str)]) -> BTreeMap<String, RefOr<ApiResponse>> {
    statuses
        .iter()
        .map(|(status, description)| {
            let response = ResponseBuilder::new()
                .description(*description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(ProblemDetails::schema()))
                        .build(),
                )
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

const MALFORMED: (u16, &str) = (400, "the request cannot be read (`rule` says why)");
const UNAUTHENTICATED: (u16, &str) = (401, "no valid bearer token");
const FORBIDDEN: (u16, &str) = (403, "not this sender's to do");
const NOT_FOUND: (u16, &str) = (404, "no such thing, or none this sender may see");
const TIMED_OUT: (u16, &str) = (408, "the body did not arrive in time");
const CONFLICT: (u16, &str) = (409, "the case changed, or the first try is under way");
const TOO_LARGE: (u16, &str) = (413, "the body is over 64 KiB");
const UNSUPPORTED: (u16, &str) = (415, "the body is not uncompressed JSON");
const REFUSED: (u16, &str) = (422, "a rule refused it");
const RATE_LIMITED: (u16, &str) = (429, "the sender's writes this minute are used up");
const LENGTH_REQUIRED: (u16, &str) = (411, "send Content-Length");
const UNAVAILABLE: (u16, &str) = (503, "not ready yet; try again in a moment");

/// What any write may be refused with.
struct WriteProblems;

impl IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        problems(&[
            MALFORMED,
            UNAUTHENTICATED,
            FORBIDDEN,
            NOT_FOUND,
            TIMED_OUT,
            CONFLICT,
            LENGTH_REQUIRED,
            TOO_LARGE,
            UNSUPPORTED,
            REFUSED,
            RATE_LIMITED,
        ])
    }
}

/// What a read with a token may be refused with.
struct ReadProblems;

impl IntoResponses for ReadProblems {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        problems(&[
            MALFORMED,
            UNAUTHENTICATED,
            FORBIDDEN,
            NOT_FOUND,
            UNAVAILABLE,
        ])
    }
}

/// What a public read may be refused with.
struct PublicProblems;

impl IntoResponses for PublicProblems {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        problems(&[MALFORMED, NOT_FOUND, UNAVAILABLE])
    }
}

/// What a public document may answer besides itself: 304 to a validator, or a problem.
struct DocumentAnswers;

impl IntoResponses for DocumentAnswers {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        let mut responses = PublicProblems::responses();
        responses.insert(
            "304".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description("unchanged since the validator sent")
                    .build(),
            ),
        );
        responses
    }
}

/// Headers every write may carry.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct WriteHeaders {
    /// Send the write again under the same key to get its first answer (1-255 visible
    /// ASCII characters).
    #[param(rename = "Idempotency-Key")]
    idempotency_key: Option<String>,
}

#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "store kind and positions"), (status = 503, description = "the store does not answer")))]
#[allow(dead_code)]
fn healthz() {}

#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "this document")))]
#[allow(dead_code)]
fn openapi_json() {}

#[utoipa::path(get, path = "/api/v1/items", tag = "cases",
    responses((status = 200, description = "the item catalogue: codes, limits, materials, commitment allowed")))]
#[allow(dead_code)]
fn items() {}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(WriteHeaders), request_body = Application,
    responses((status = 201, description = "filed", body = CaseView,
        headers(("Location" = String, description = "where the case is read"))), WriteProblems))]
#[allow(dead_code)]
fn file_application() {}

#[utoipa::path(post, path = "/api/v1/guidance", tag = "cases", security(("bearer" = [])),
    params(WriteHeaders), request_body = Draft,
    responses((status = 201, description = "a draft under online guidance: a case in_guidance", body = CaseView,
        headers(("Location" = String, description = "where the case is read"))), WriteProblems))]
#[allow(dead_code)]
fn request_guidance() {}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the case id")),
    responses((status = 200, description = "the case", body = CaseView,
        headers(("ETag" = String, description = "the case's version"))), ReadProblems))]
#[allow(dead_code)]
fn read_case() {}

#[utoipa::path(post, path = "/api/v1/cases/{id}/commands", tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the case id"),
        ("If-Match" = Option<String>, Header, description = "the version the command is for"),
        WriteHeaders),
    request_body(content = CaseAction, description = "one command; `file_application` is \
        POST /api/v1/cases, and an issuance names only its scope"),
    responses((status = 200, description = "the case after the command", body = CaseView), WriteProblems))]
#[allow(dead_code)]
fn send_command() {}

#[utoipa::path(get, path = "/api/v1/cases/{id}/history", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path, description = "the case id"),
        ("as_of" = Option<String>, Query, description = "RFC 3339: the case as it then stood")),
    responses((status = 200, description = "every event of the case, opened"), ReadProblems))]
#[allow(dead_code)]
fn case_history() {}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(("status" = Option<String>, Query), ("bureau" = Option<String>, Query),
        ("item" = Option<String>, Query), ("credit_code" = Option<String>, Query),
        ("warning" = Option<Warning>, Query, description = "only the open cases at this warning today"),
        ("pending" = Option<String>, Query, description = "only the permits awaiting an amendment decision (amendment), a renewal's acceptance (renewal) or its decision (renewal_decision)"),
        ("check" = Option<String>, Query, description = "only the permits whose check after issuance is due, or overdue today"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, minimum = 0, maximum = 4_294_967_295_i64)),
    responses((status = 200, description = "a page of the worklist, most urgent first"), ReadProblems))]
#[allow(dead_code)]
fn list_cases() {}

#[utoipa::path(get, path = "/api/v1/log", tag = "audit", security(("bearer" = [])),
    params(("after" = Option<i64>, Query, minimum = 0),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000)),
    responses((status = 200, description = "the log in position order"), ReadProblems))]
#[allow(dead_code)]
fn whole_log() {}

#[utoipa::path(post, path = "/api/v1/erasures", tag = "audit", security(("bearer" = [])),
    params(WriteHeaders), request_body = ErasureRequest,
    responses((status = 201, description = "the subject's key is destroyed"), WriteProblems))]
#[allow(dead_code)]
fn erase_subject() {}

#[utoipa::path(get, path = "/feeds/{feed}", tag = "public",
    params(("feed" = String, Path, description = "permits.rss, permits.json, daily.rss, daily.json, blacklist.rss, blacklist.json, inspections.rss or inspections.json"),
        ("bureau" = Option<String>, Query), ("item" = Option<String>, Query),
        ("kind" = Option<String>, Query, description = "only the notices of this kind: issued, amended, renewed, cancelled, expired or revoked")),
    responses((status = 200, description = "RSS 2.0 or JSON Feed 1.1"), DocumentAnswers))]
#[allow(dead_code)]
fn feeds() {}

#[utoipa::path(get, path = "/listings/{day}", tag = "public",
    params(("day" = String, Path, description = "YYYY-MM-DD.rss or YYYY-MM-DD.json")),
    responses((status = 200, description = "the day's listing"), DocumentAnswers))]
#[allow(dead_code)]
fn listings() {}

#[utoipa::path(get, path = "/permits/{number}", tag = "public",
    params(("number" = String, Path, description = "a permit number")),
    responses((status = 200, description = "the permit as its published notices leave it, and those notices in order"), DocumentAnswers))]
#[allow(dead_code)]
fn permit() {}

#[utoipa::path(get, path = "/transparency/key", tag = "public",
    responses((status = 200, description = "the log's verifier key", content_type = "text/plain")))]
#[allow(dead_code)]
fn transparency_key() {}

#[utoipa::path(get, path = "/transparency/checkpoint", tag = "public",
    responses((status = 200, description = "the latest signed checkpoint", content_type = "text/plain"),
        PublicProblems))]
#[allow(dead_code)]
fn latest_checkpoint() {}

#[utoipa::path(get, path = "/transparency/checkpoint/{size}", tag = "public",
    params(("size" = i64, Path, description = "the tree size")),
    responses((status = 200, description = "the checkpoint of that size", content_type = "text/plain"),
        PublicProblems))]
#[allow(dead_code)]
fn checkpoint_of_size() {}

#[utoipa::path(get, path = "/transparency/proof/{kind}", tag = "public",
    params(("kind" = String, Path, description = "inclusion or consistency"),
        ("index" = Option<i64>, Query), ("size" = Option<i64>, Query),
        ("from" = Option<i64>, Query), ("to" = Option<i64>, Query)),
    responses((status = 200, description = "an RFC 6962 proof"), PublicProblems))]
#[allow(dead_code)]
fn proof() {}

#[utoipa::path(get, path = "/transparency/checkpoints", tag = "public",
    params(("after" = Option<i64>, Query, description = "list the checkpoints larger than this size"),
        ("limit" = Option<i64>, Query, description = "at most this many (1 to 1000, default 100)")),
    responses((status = 200, description = "signed checkpoints, smallest first, each with \
        its size, root (base64), time and the URL of its signed note; `next_after` when more \
        follow"), PublicProblems))]
#[allow(dead_code)]
fn checkpoints() {}

#[utoipa::path(get, path = "/tile/{level}/{index}", tag = "public",
    params(("level" = String, Path, description = "the tile level, 0 for leaf hashes"),
        ("index" = String, Path, description = "the tile index in groups of three digits, \
        all but the last prefixed with x (x001/234 is 1234); `.p/W` after it for a partial \
        tile of W hashes")),
    responses((status = 200, description = "the tile's hashes, 32 bytes each (C2SP \
        tlog-tiles), immutable", content_type = "application/octet-stream"), PublicProblems))]
#[allow(dead_code)]
fn tile() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route_and_no_other() {
        let document = document();
        let mut documented: Vec<&str> = document.paths.paths.keys().map(String::as_str).collect();
        documented.sort_unstable();
        let mut routes = ROUTES.to_vec();
        routes.sort_unstable();
        assert_eq!(documented, routes);
        assert_eq!(serde_json::to_value(&document).unwrap()["openapi"], "3.1.0");
    }
}

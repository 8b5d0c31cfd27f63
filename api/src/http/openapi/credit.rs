//! The credit supervision routes as the document describes them.

use projections::blacklist::BlacklistEntry;

use super::{DocumentAnswers, WriteHeaders, WriteProblems};
use crate::http::routes::blacklist::CreditRecordCommand;
use crate::http::routes::inspections::PlanCommand;
use crate::ledger::PlanRequest;

#[utoipa::path(get, path = "/blacklist.json", tag = "public",
    responses((status = 200, description = "the list of seriously untrustworthy entities in \
        force today (`as_of`, `entries`), newest listing first"), DocumentAnswers))]
#[allow(dead_code)]
pub(super) fn blacklist() {}

#[utoipa::path(post, path = "/api/v1/credit-records/{credit_code}/commands", tag = "credit",
    security(("bearer" = [])),
    params(("credit_code" = String, Path, description = "the enterprise's unified social credit code"),
        WriteHeaders),
    request_body = CreditRecordCommand,
    responses((status = 200, description = "the listing as removed", body = BlacklistEntry),
        WriteProblems))]
#[allow(dead_code)]
pub(super) fn credit_record_command() {}

#[utoipa::path(post, path = "/api/v1/inspections/plans", tag = "credit",
    security(("bearer" = [])), params(WriteHeaders), request_body = PlanRequest,
    responses((status = 201, description = "the plan's public document (population fixed, not \
        drawn yet)", headers(("Location" = String, description = "where the plan is public"))),
        WriteProblems))]
#[allow(dead_code)]
pub(super) fn create_plan() {}

#[utoipa::path(post, path = "/api/v1/inspections/plans/{id}/commands", tag = "credit",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the plan id"), WriteHeaders),
    request_body = PlanCommand,
    responses((status = 200, description = "the plan's public document"), WriteProblems))]
#[allow(dead_code)]
pub(super) fn plan_command() {}

#[utoipa::path(get, path = "/inspections.json", tag = "public",
    responses((status = 200, description = "every inspection plan, newest first"),
        DocumentAnswers))]
#[allow(dead_code)]
pub(super) fn plans() {}

#[utoipa::path(get, path = "/inspections/{plan}", tag = "public",
    params(("plan" = String, Path, description = "the plan id and `.json`")),
    responses((status = 200, description = "the plan, its population and digest, the seed's \
        signed checkpoint, the draw and the results"), DocumentAnswers))]
#[allow(dead_code)]
pub(super) fn plan() {}

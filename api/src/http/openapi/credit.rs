//! The credit supervision routes as the document describes them.

use projections::blacklist::BlacklistEntry;

use super::{DocumentAnswers, WriteHeaders, WriteProblems};
use crate::http::routes::blacklist::CreditRecordCommand;

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

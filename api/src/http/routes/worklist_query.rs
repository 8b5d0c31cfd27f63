//! The worklist a query string asks for: `GET /api/v1/cases?status=&pending=&check=&bureau=
//! &item=&credit_code=&warning=&limit=&offset=`.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::supervision::Warning;
use domain::values::{BureauCode, CreditCode, ItemCode};
use domain::CaseStatus;
use projections::case_queries::Worklist;

use crate::http::problem::Problem;
use crate::http::request::only_parameters;

/// What a permit may await from its bureau (`?pending=`).
const PENDING: [&str; 3] = ["amendment", "renewal", "renewal_decision"];

/// Where a permit's check after issuance stands (`?check=`).
const CHECK: [&str; 2] = ["due", "overdue"];

/// The worklist a query asks for (the ledger narrows it to what its actor may see).
pub fn parse(query: &HashMap<String, String>) -> Result<Worklist, Problem> {
    const KNOWN: [&str; 9] = [
        "status",
        "pending",
        "check",
        "bureau",
        "item",
        "credit_code",
        "warning",
        "limit",
        "offset",
    ];
    only_parameters(query, &KNOWN)?;
    let bad = |name: &str, e: &dyn std::fmt::Display| {
        Problem::bad_request("invalid-parameter", format!("{name}: {e}"))
    };
    let worklist = Worklist {
        status: query
            .get("status")
            .map(|s| CaseStatus::parse(s).ok_or_else(|| bad("status", &"not a case status")))
            .transpose()?,
        bureau: query
            .get("bureau")
            .map(|b| BureauCode::parse(b))
            .transpose()
            .map_err(|e| bad("bureau", &e))?,
        item_code: query
            .get("item")
            .map(|i| ItemCode::parse(i))
            .transpose()
            .map_err(|e| bad("item", &e))?,
        credit_code: query
            .get("credit_code")
            .map(|c| CreditCode::parse(c))
            .transpose()
            .map_err(|e| bad("credit_code", &e))?,
        warning: query
            .get("warning")
            .map(|w| {
                Warning::parse(w)
                    .ok_or_else(|| bad("warning", &"not one of on_track, yellow, red, breach"))
            })
            .transpose()?,
        pending: query
            .get("pending")
            .map(|p| {
                PENDING.into_iter().find(|known| known == p).ok_or_else(|| {
                    bad(
                        "pending",
                        &"not one of amendment, renewal, renewal_decision",
                    )
                })
            })
            .transpose()?,
        check: query
            .get("check")
            .map(|c| {
                CHECK
                    .into_iter()
                    .find(|known| known == c)
                    .ok_or_else(|| bad("check", &"not one of due, overdue"))
            })
            .transpose()?,
        // The ledger reads warnings on its own business date.
        today: NaiveDate::default(),
        limit: query
            .get("limit")
            .map(|l| l.parse())
            .transpose()
            .map_err(|e| bad("limit", &e))?
            .unwrap_or(50),
        offset: query
            .get("offset")
            .map(|o| o.parse())
            .transpose()
            .map_err(|e| bad("offset", &e))?
            .unwrap_or(0),
    };
    if !(1..=500).contains(&worklist.limit) {
        return Err(bad("limit", &"must be 1 to 500"));
    }
    Ok(worklist)
}

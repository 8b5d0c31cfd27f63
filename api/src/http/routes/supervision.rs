//! Supervision of time: the bureaus' efficiency for officers and auditors (JSON or CSV), and
//! the public statistics of the published periods.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::values::{BureauCode, ItemCode};
use projections::supervision::EfficiencyQuery;
use serde_json::{json, Value};
use warp::http::{header, HeaderValue};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::public_documents::{respond, validators, Document, Rendered, Validators};
use crate::http::request::{authorization, get_or_head, only_parameters};
use crate::http::routes::efficiency_csv::to_csv;
use crate::http::{with_state, AppState};
use crate::ledger::month_start;

/// The longest range one request may sum: ten years of days.
const MAX_RANGE_DAYS: i64 = 3_660;

/// GET /api/v1/supervision/efficiency[.csv]?from=&to=&bureau=&item=
pub fn efficiency(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "supervision" / String)
        .and(get_or_head())
        .and(with_state(state))
        .and(authorization())
        .and(warp::header::optional::<String>("accept"))
        .and(warp::query::<HashMap<String, String>>())
        .then(
            |file: String, state: AppState, auth: Option<String>, accept, query| async move {
                answer_efficiency(&file, &state, auth, accept, &query)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

/// GET /statistics.json
pub fn statistics(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("statistics.json")
        .and(get_or_head())
        .and(with_state(state))
        .and(validators())
        .then(|state: AppState, validators| async move {
            answer_statistics(&state, &validators)
                .await
                .unwrap_or_else(Reply::into_response)
        })
}

async fn answer_efficiency(
    file: &str,
    state: &AppState,
    auth: Option<String>,
    accept: Option<String>,
    query: &HashMap<String, String>,
) -> Result<Response, Problem> {
    let csv = match file {
        "efficiency" => accept.as_deref().is_some_and(asks_for_csv),
        "efficiency.csv" => true,
        _ => {
            return Err(Problem::not_found(
                "no-such-figures",
                "the supervision figures are at /api/v1/supervision/efficiency (or .csv)",
            ))
        }
    };
    let actor = state.keys.authenticate(auth.as_deref())?;
    let asked = parse_query(query, state.ledger.today())?;
    let figures = state.ledger.efficiency_for(&actor, asked).await?;
    let (body, content_type) = if csv {
        (to_csv(&figures), "text/csv; charset=utf-8")
    } else {
        (
            serde_json::to_string(&figures).map_err(|e| Problem::internal(&e))?,
            "application/json",
        )
    };
    let mut response = Response::new(body.into());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    Ok(response)
}

/// Whether an `Accept` header prefers CSV: it names `text/csv` before any JSON type.
fn asks_for_csv(accept: &str) -> bool {
    accept
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .find(|t| *t == "text/csv" || t.ends_with("/json"))
        .is_some_and(|t| t == "text/csv")
}

fn parse_query(
    query: &HashMap<String, String>,
    today: NaiveDate,
) -> Result<EfficiencyQuery, Problem> {
    const KNOWN: [&str; 4] = ["from", "to", "bureau", "item"];
    only_parameters(query, &KNOWN)?;
    let bad = |name: &str, e: &dyn std::fmt::Display| {
        Problem::bad_request("invalid-parameter", format!("{name}: {e}"))
    };
    let date = |name: &str| {
        query
            .get(name)
            .map(|d| domain::iso_date::parse(d).map_err(|e| bad(name, &e)))
            .transpose()
    };
    let to = date("to")?.unwrap_or(today);
    let from = date("from")?.unwrap_or_else(|| month_start(to));
    if from > to {
        return Err(Problem::bad_request(
            "invalid-range",
            format!("from {from} is after to {to}"),
        ));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(Problem::bad_request(
            "invalid-range",
            format!("a range covers at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok(EfficiencyQuery {
        from,
        to,
        bureau: query
            .get("bureau")
            .map(|b| BureauCode::parse(b))
            .transpose()
            .map_err(|e| bad("bureau", &e))?,
        item: query
            .get("item")
            .map(|i| ItemCode::parse(i))
            .transpose()
            .map_err(|e| bad("item", &e))?,
        today,
    })
}

async fn answer_statistics(state: &AppState, validators: &Validators) -> Result<Response, Problem> {
    let document = Document::Statistics;
    let generation = state.render_cache.generation(&state.ledger).await?;
    if let Some(rendered) = state.render_cache.get(&document, generation) {
        return Ok(respond(&rendered, validators));
    }
    let statistics = state.ledger.published_statistics().await?;
    let updated = statistics
        .latest
        .as_ref()
        .and_then(|day| day.published_at.parse::<DateTime<Utc>>().ok());
    let periods: Vec<Value> = statistics
        .periods
        .iter()
        .map(|p| {
            json!({
                "period": p.period,
                "from": p.figures.from,
                "to": p.figures.to,
                "rows": p.figures.rows.iter().map(|row| json!({
                    "bureau": row.bureau,
                    "bureau_name": row.bureau_name,
                    "item_code": row.item_code,
                    "item_name": row.item_name,
                    "figures": public_figures(&row.figures),
                })).collect::<Vec<_>>(),
                "total": public_figures(&p.figures.total),
            })
        })
        .collect();
    let body = json!({ "periods": periods }).to_string();
    let rendered = Rendered::new(body, "application/json", updated);
    state
        .render_cache
        .put(document, generation, rendered.clone());
    Ok(respond(&rendered, validators))
}

/// The figures of a published period: what was decided and filed then, not the cases open
/// now, nor the checks still to be made (which change every day and are not of the period).
fn public_figures(figures: &projections::supervision::Figures) -> Value {
    let mut value = json!(figures);
    if let Some(object) = value.as_object_mut() {
        object.remove("open_by_warning");
        object.remove("open_checks");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_chosen_only_when_preferred_to_json() {
        assert!(asks_for_csv("text/csv"));
        assert!(asks_for_csv("text/csv;q=0.9, application/json;q=0.5"));
        assert!(!asks_for_csv("application/json, text/csv"));
        assert!(!asks_for_csv("*/*"));
    }
}

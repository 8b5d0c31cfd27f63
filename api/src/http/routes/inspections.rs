//! "Double random, one public": approvers make inspection plans, drawn inspectors record
//! results, and every plan is public with its population, seed, draw and results.

use bytes::Bytes;
use domain::inspection::InspectionResult;
use domain::values::{CaseId, PermitNumber};
use feed::inspections_feed;
use feed::notice_text::timestamp;
use projections::inspections::PlanDocument;
use serde::Deserialize;
use serde_json::{json, Value};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::entry_feeds;
use crate::http::idempotency::{keyed, Done, Write};
use crate::http::problem::Problem;
use crate::http::public_documents::{respond, validators, Rendered, Validators};
use crate::http::request::{answer, get_or_head, parse_body, post_with_body};
use crate::http::{with_state, AppState};
use crate::ledger::PlanRequest;

/// A command to an inspection plan.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PlanCommand {
    /// A drawn inspector's result on one target; the findings stay private.
    RecordInspectionResult {
        #[schema(value_type = String)]
        permit_number: PermitNumber,
        result: InspectionResult,
        findings: String,
    },
}

/// POST /api/v1/inspections/plans
pub fn create_plan(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "inspections" / "plans")
        .and(with_state(state))
        .and(post_with_body())
        .then(|state, auth, request_id: String, key, body| {
            answer(
                request_id.clone(),
                handle_create(state, auth, request_id, key, body),
            )
        })
}

/// POST /api/v1/inspections/plans/{id}/commands
pub fn plan_command(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "inspections" / "plans" / String / "commands")
        .and(with_state(state))
        .and(post_with_body())
        .then(
            |plan_id: String, state, auth, request_id: String, key, body| {
                answer(
                    request_id.clone(),
                    handle_command(plan_id, state, auth, request_id, key, body),
                )
            },
        )
}

/// GET /inspections/{id}.json and /inspections.json
pub fn public_plans(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let one = warp::path!("inspections" / String)
        .and(get_or_head())
        .and(with_state(state.clone()))
        .and(validators())
        .then(
            |file: String, state: AppState, validators: Validators| async move {
                handle_plan(&file, &state, &validators)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        );
    let all = warp::path!("inspections.json")
        .and(get_or_head())
        .and(with_state(state))
        .and(validators())
        .then(|state: AppState, validators: Validators| async move {
            handle_list(&state, &validators)
                .await
                .unwrap_or_else(Reply::into_response)
        });
    one.or(all).unify()
}

/// GET /feeds/inspections.rss, /feeds/inspections.json: plans made, drawn, results.
pub fn feeds(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    entry_feeds::route(
        state,
        "inspections",
        inspections_feed::head,
        |state| async move {
            let documents = state.ledger.plan_documents().await?;
            Ok(inspections_feed::entries(&state.site, &documents))
        },
    )
}

fn json_body(value: &impl serde::Serialize) -> Result<String, Problem> {
    serde_json::to_string_pretty(value).map_err(|e| Problem::internal(&e))
}

/// A plan's document as a write answers it: `status`, the JSON, and where it is public.
fn plan_response(document: &PlanDocument, status: StatusCode) -> Response {
    let mut response =
        warp::reply::with_status(warp::reply::json(document), status).into_response();
    let location = format!("/inspections/{}.json", document.plan_id);
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

async fn handle_create(
    state: AppState,
    auth: Option<String>,
    request_id: String,
    key: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let request: PlanRequest = parse_body(&body)?;
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(key, "POST", "/api/v1/inspections/plans", &[&body])?,
        case_id: Some(state.ledger.new_case_id()),
        success: StatusCode::CREATED,
        request_id,
    };
    let (ledger, replaying) = (state.ledger.clone(), state.ledger.clone());
    write
        .once(
            &state,
            move |trace, id: Option<CaseId>| async move {
                let plan_id = id.unwrap_or_else(|| ledger.new_case_id()).to_string();
                let document = ledger
                    .create_inspection_plan(plan_id, &actor, request, trace)
                    .await?;
                Ok(Done {
                    response: plan_response(&document, StatusCode::CREATED),
                    outcome: Value::Null,
                })
            },
            move |answered| async move {
                let missing = || Problem::not_found("plan-not-found", "the plan is gone");
                let plan_id = answered.case_id.ok_or_else(missing)?.to_string();
                let document = replaying
                    .plan_document(&plan_id)
                    .await?
                    .ok_or_else(missing)?;
                Ok(plan_response(&document, StatusCode::CREATED))
            },
        )
        .await
}

async fn handle_command(
    plan_id: String,
    state: AppState,
    auth: Option<String>,
    request_id: String,
    key: Option<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let actor = state.keys.authenticate(auth.as_deref())?;
    let plan = CaseId::parse(&plan_id)
        .map_err(|_| Problem::not_found("plan-not-found", "no inspection plan has this id"))?;
    let plan_id = plan.to_string();
    let PlanCommand::RecordInspectionResult {
        permit_number,
        result,
        findings,
    } = parse_body(&body)?;
    let path = format!("/api/v1/inspections/plans/{plan_id}/commands");
    let write = Write {
        actor: actor.clone(),
        keyed: keyed(key, "POST", &path, &[&body])?,
        case_id: Some(plan),
        success: StatusCode::OK,
        request_id,
    };
    let (ledger, replaying) = (state.ledger.clone(), state.ledger.clone());
    let replay_id = plan_id.clone();
    write
        .once(
            &state,
            move |trace, _| async move {
                let document = ledger
                    .record_inspection_result(
                        &plan_id,
                        &actor,
                        permit_number,
                        result,
                        findings,
                        trace,
                    )
                    .await?;
                Ok(Done {
                    response: warp::reply::json(&document).into_response(),
                    outcome: Value::Null,
                })
            },
            move |_| async move {
                let missing = || Problem::not_found("plan-not-found", "the plan is gone");
                let document = replaying
                    .plan_document(&replay_id)
                    .await?
                    .ok_or_else(missing)?;
                Ok(warp::reply::json(&document).into_response())
            },
        )
        .await
}

async fn handle_plan(
    file: &str,
    state: &AppState,
    validators: &Validators,
) -> Result<Response, Problem> {
    let not_found = || {
        Problem::not_found(
            "plan-not-found",
            "no inspection plan has this id (plans are /inspections/{id}.json)",
        )
    };
    let id = file.strip_suffix(".json").ok_or_else(not_found)?;
    let id = CaseId::parse(id).map_err(|_| not_found())?;
    let document = state
        .ledger
        .plan_document(id.as_str())
        .await?
        .ok_or_else(not_found)?;
    let updated = Some(timestamp(document.updated_at()));
    let rendered = Rendered::new(json_body(&document)?, "application/json", updated);
    Ok(respond(&rendered, validators))
}

async fn handle_list(state: &AppState, validators: &Validators) -> Result<Response, Problem> {
    let documents = state.ledger.plan_documents().await?;
    let plans: Vec<Value> = documents
        .iter()
        .rev()
        .map(|plan| {
            json!({
                "plan_id": plan.plan_id,
                "name": plan.name,
                "area": plan.area,
                "area_name": plan.area_name,
                "items": plan.items,
                "created_on": plan.created_on,
                "population": plan.population.permits.len(),
                "sample_size": plan.sample_size,
                "drawn_on": plan.draw.as_ref().map(|d| d.drawn_on),
                "results": plan.results.len(),
                "url": state.site.url(&format!("/inspections/{}.json", plan.plan_id)),
            })
        })
        .collect();
    let updated = documents.iter().map(|d| timestamp(d.updated_at())).max();
    let rendered = Rendered::new(
        json_body(&json!({ "plans": plans }))?,
        "application/json",
        updated,
    );
    Ok(respond(&rendered, validators))
}

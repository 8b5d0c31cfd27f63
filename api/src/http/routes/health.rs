use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::request::get_or_head;
use crate::http::{with_state, AppState};

/// GET /healthz
pub fn healthz(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("healthz")
        .and(get_or_head())
        .and(with_state(state))
        .then(handle)
}

async fn handle(state: AppState) -> Response {
    match state.ledger.positions().await {
        Ok(positions) => warp::reply::json(&json!({
            "status": "ok",
            "store": positions.store,
            "log_position": positions.log,
            "projected_position": positions.projected,
        }))
        .into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                "the database does not answer",
            )
            .into_response()
        }
    }
}

use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::{with_state, AppState};

/// GET /healthz
pub fn healthz(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("healthz")
        .and(warp::get())
        .and(with_state(state))
        .then(handle)
}

async fn handle(state: AppState) -> Response {
    let ledger = &state.ledger;
    let positions = async {
        let log = projections::log::head_position(ledger.db()).await?;
        let projected = ledger.projector().checkpoint().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((log, projected))
    };
    match positions.await {
        Ok((log, projected)) => warp::reply::json(&json!({
            "status": "ok",
            "store": ledger.db().kind(),
            "log_position": log,
            "projected_position": projected,
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

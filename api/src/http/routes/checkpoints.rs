//! GET /transparency/checkpoints?after=&limit=: every signed checkpoint, smallest first, a
//! page at a time (each links to its signed note).

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::json;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::request::{get_or_head, page_parameters};
use crate::http::{with_state, AppState};

pub fn list(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("transparency" / "checkpoints")
        .and(get_or_head())
        .and(with_state(state))
        .and(warp::query::<HashMap<String, String>>())
        .then(
            |state: AppState, query: HashMap<String, String>| async move {
                handle_list(&state, &query)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

async fn handle_list(
    state: &AppState,
    query: &HashMap<String, String>,
) -> Result<Response, Problem> {
    let (after, limit) = page_parameters(query)?;
    let page =
        projections::transparency::checkpoints_after(state.ledger.db(), after, limit).await?;
    let next_after = (page.len() as i64 == limit)
        .then(|| page.last().map(|c| c.size))
        .flatten();
    let checkpoints: Vec<_> = page
        .iter()
        .map(|c| {
            json!({
                "size": c.size,
                "root": BASE64.encode(c.root),
                "made_at": c.made_at,
                "note": state.site.checkpoint_url(c.size),
            })
        })
        .collect();
    Ok(
        warp::reply::json(&json!({"checkpoints": checkpoints, "next_after": next_after}))
            .into_response(),
    )
}

use crate::http::request::get_or_head;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::{with_state, AppState};

/// GET /api/v1/items
///
/// The item catalogue: codes, limits, materials to file, whether a commitment is allowed.
pub fn items(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("api" / "v1" / "items")
        .and(get_or_head())
        .and(with_state(state))
        .map(|state: AppState| {
            let catalogue = &state.ledger.services().catalogue;
            let items: Vec<_> = catalogue.items().collect();
            warp::reply::json(&serde_json::json!({
                "jurisdiction": catalogue.jurisdiction(),
                "permit_life": catalogue.permit_life(),
                "items": items,
            }))
            .into_response()
        })
}

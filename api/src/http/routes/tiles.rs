//! GET /tile/<L>/<N>[.p/<W>]: the log's Merkle tree as C2SP tlog-tiles hash tiles, beside
//! `/transparency/checkpoint`, so that a mirror or a CDN can serve the hashes and any
//! tlog-tiles client can compute proofs. Every tile is immutable once it exists (a partial
//! tile of width W is the same bytes forever too). Entry bundles are not served: they would
//! be the events, and the events hold sealed personal data.

use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::public_documents::{respond, validators, Rendered, Validators};
use crate::http::request::get_or_head;
use crate::http::{with_state, AppState};
use domain::transparency::tiles::Tile;

/// GET /tile/...
pub fn tile(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path("tile")
        .and(warp::path::tail())
        .and(get_or_head())
        .and(with_state(state))
        .and(validators())
        .then(
            |tail: warp::path::Tail, state: AppState, validators: Validators| async move {
                handle_tile(tail.as_str(), &state, &validators)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

async fn handle_tile(
    path: &str,
    state: &AppState,
    validators: &Validators,
) -> Result<Response, Problem> {
    if path.starts_with("entries/") || path == "entries" {
        return Err(Problem::not_found(
            "entry-bundles-not-public",
            "the log's entries hold sealed personal data: only the hash tiles are public",
        ));
    }
    let tile = Tile::parse(path).ok_or_else(|| {
        Problem::not_found(
            "no-such-tile",
            "tiles are /tile/<L>/<N>[.p/<W>] (C2SP tlog-tiles), N in groups of three digits",
        )
    })?;
    let bytes = state.ledger.tile(&tile).await?.ok_or_else(|| {
        Problem::not_found(
            "tile-not-yet",
            format!("the log has not grown to {} yet", tile.path()),
        )
    })?;
    Ok(respond(
        &Rendered::immutable(bytes, "application/octet-stream"),
        validators,
    ))
}

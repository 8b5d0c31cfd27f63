//! The log's public key, signed checkpoints and Merkle proofs. No token needed.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::json;
use warp::http::{header, HeaderValue};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::request::get_or_head;
use crate::http::{with_state, AppState};

fn text(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// GET /transparency/key
pub fn key(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("transparency" / "key")
        .and(get_or_head())
        .and(with_state(state))
        .map(|state: AppState| text(format!("{}\n", state.ledger.signer().verifier().vkey())))
}

/// GET /transparency/checkpoint and /transparency/checkpoint/{size}
pub fn checkpoint(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let latest = warp::path!("transparency" / "checkpoint").map(|| None);
    let sized = warp::path!("transparency" / "checkpoint" / i64).map(Some);
    latest
        .or(sized)
        .unify()
        .and(get_or_head())
        .and(with_state(state))
        .then(|size: Option<i64>, state: AppState| async move {
            match state.ledger.checkpoint(size).await {
                Ok(Some(checkpoint)) => text(checkpoint.note),
                Ok(None) => Problem::not_found(
                    "no-such-checkpoint",
                    "no checkpoint of that size: one is signed at every daily publication, and \
                     whenever the log has grown for a while (see /transparency/checkpoints)",
                )
                .into_response(),
                Err(error) => Problem::internal(&error).into_response(),
            }
        })
}

/// GET /transparency/proof/inclusion?index=&size= and /transparency/proof/consistency?from=&to=
pub fn proofs(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("transparency" / "proof" / String)
        .and(get_or_head())
        .and(with_state(state))
        .and(warp::query::<HashMap<String, String>>())
        .then(
            |kind: String, state: AppState, query: HashMap<String, String>| async move {
                proof(&kind, &state, &query)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

fn number(query: &HashMap<String, String>, name: &'static str) -> Result<i64, Problem> {
    query
        .get(name)
        .ok_or_else(|| Problem::bad_request("missing-parameter", format!("{name} is required")))?
        .parse::<i64>()
        .map_err(|_| {
            Problem::bad_request(
                "invalid-parameter",
                format!("{name} must be a whole number"),
            )
        })
}

async fn proof(
    kind: &str,
    state: &AppState,
    query: &HashMap<String, String>,
) -> Result<Response, Problem> {
    let head = state.ledger.log_size().await?;
    let encode = |hashes: Vec<domain::transparency::Hash>| -> Vec<String> {
        hashes.iter().map(|h| BASE64.encode(h)).collect()
    };
    match kind {
        "inclusion" => {
            let (index, size) = (number(query, "index")?, number(query, "size")?);
            if !(1..=head).contains(&size) || !(0..size).contains(&index) {
                return Err(Problem::bad_request(
                    "out-of-range",
                    format!("need 0 <= index < size <= {head} (index is the position minus one)"),
                ));
            }
            let (leaf, proof) = state
                .ledger
                .inclusion_proof(index as usize, size as usize)
                .await?;
            Ok(warp::reply::json(&json!({
                "index": index,
                "size": size,
                "leaf_hash": BASE64.encode(leaf),
                "proof": encode(proof),
            }))
            .into_response())
        }
        "consistency" => {
            let (from, to) = (number(query, "from")?, number(query, "to")?);
            if !(1..=head).contains(&to) || !(1..=to).contains(&from) {
                return Err(Problem::bad_request(
                    "out-of-range",
                    format!("need 1 <= from <= to <= {head}"),
                ));
            }
            let proof = state
                .ledger
                .consistency_proof(from as usize, to as usize)
                .await?;
            Ok(warp::reply::json(&json!({
                "from": from,
                "to": to,
                "proof": encode(proof),
            }))
            .into_response())
        }
        _ => Err(Problem::not_found(
            "no-such-proof",
            "proofs are inclusion and consistency",
        )),
    }
}

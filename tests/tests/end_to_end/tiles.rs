//! The log's hashes as C2SP tlog-tiles: proofs computed from the served tiles by an
//! independent implementation (here, not the server's Merkle code) equal the served ones, a
//! tile's bytes never change as the log grows, and the static export holds the same bytes.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::{assert_problem, credit, on_both_stores, spawn_app, Store, TestApp};

on_both_stores!(tiles_give_the_checkpoint_and_the_proofs_and_never_change,);

type Hash = [u8; 32];

/// RFC 6962's tree hash, written from the RFC for this test.
fn tree_hash(leaves: &[Hash]) -> Hash {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let mut k = 1;
    while k * 2 < leaves.len() {
        k *= 2;
    }
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(tree_hash(&leaves[..k]));
    hasher.update(tree_hash(&leaves[k..]));
    hasher.finalize().into()
}

/// RFC 6962 2.1.1's audit path of leaf `m` in `leaves`.
fn audit_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let mut k = 1;
    while k * 2 < leaves.len() {
        k *= 2;
    }
    if m < k {
        let mut path = audit_path(m, &leaves[..k]);
        path.push(tree_hash(&leaves[k..]));
        path
    } else {
        let mut path = audit_path(m - k, &leaves[k..]);
        path.push(tree_hash(&leaves[..k]));
        path
    }
}

fn hashes(bytes: &[u8]) -> Vec<Hash> {
    assert_eq!(bytes.len() % 32, 0);
    bytes.chunks(32).map(|c| c.try_into().unwrap()).collect()
}

async fn tile(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/{path}")))
        .send()
        .await
        .unwrap()
}

async fn tile_bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let response = tile(app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    response.bytes().await.unwrap().to_vec()
}

async fn cases(app: &TestApp, from: usize, to: usize) {
    for n in from..to {
        app.issued_case(
            &credit(&format!("9137010{n:03}A3C4F5G")),
            &format!("济南第{n}化工有限公司"),
        )
        .await;
    }
}

async fn tiles_give_the_checkpoint_and_the_proofs_and_never_change(store: Store) {
    let app = spawn_app(store).await;
    cases(&app, 0, 60).await;
    app.ledger.catch_up().await.unwrap();
    let size = app.log_head().await as usize;
    assert!(
        size > 256 && size < 512,
        "{size} events: one full leaf tile and a partial one"
    );
    app.ledger.checkpoint_at(size as i64).await.unwrap();
    let note = app
        .public_text(&format!("/transparency/checkpoint/{size}"))
        .await;
    let root: Hash = BASE64
        .decode(note.lines().nth(2).unwrap())
        .unwrap()
        .try_into()
        .unwrap();

    // A tlog-tiles client: the leaf tiles of the tree of `size`, then its root and proofs.
    let full = tile_bytes(&app, "tile/0/000").await;
    let partial_path = format!("tile/0/001.p/{}", size - 256);
    let partial = tile_bytes(&app, &partial_path).await;
    let mut leaves = hashes(&full);
    leaves.extend(hashes(&partial));
    assert_eq!(leaves.len(), size);
    assert_eq!(
        tree_hash(&leaves),
        root,
        "the tiles give the checkpoint's root"
    );
    let level1 = tile_bytes(&app, "tile/1/000.p/1").await;
    assert_eq!(hashes(&level1), [tree_hash(&leaves[..256])]);
    for index in [0, 5, 255, 256, size - 1] {
        let served = app
            .public_json(&format!(
                "/transparency/proof/inclusion?index={index}&size={size}"
            ))
            .await;
        let computed: Vec<String> = audit_path(index, &leaves)
            .iter()
            .map(|h| BASE64.encode(h))
            .collect();
        assert_eq!(
            served["proof"],
            serde_json::json!(computed),
            "index {index}"
        );
        assert_eq!(served["leaf_hash"], BASE64.encode(leaves[index]));
    }

    // Not there yet, not a tile, or not public.
    for (path, rule) in [
        ("tile/0/002", "tile-not-yet"),
        ("tile/0/001", "tile-not-yet"),
        ("tile/0/0001", "no-such-tile"),
        ("tile/0/x000/001", "no-such-tile"),
        ("tile/entries/000", "entry-bundles-not-public"),
    ] {
        assert_problem(tile(&app, path).await, StatusCode::NOT_FOUND, rule).await;
    }
    let head = app
        .client
        .head(app.url("/tile/0/000"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);

    // The static export holds the same bytes, beside the checkpoint it is the tree of.
    let dir = std::env::temp_dir().join(format!("permit-ledger-tiles-{}", uuid::Uuid::now_v7()));
    let (exported, _) = app.ledger.export_tiles(&dir).await.unwrap();
    assert_eq!(exported as usize, size);
    assert_eq!(std::fs::read(dir.join("tile/0/000")).unwrap(), full);
    assert_eq!(std::fs::read(dir.join(&partial_path)).unwrap(), partial);
    assert_eq!(
        std::fs::read_to_string(dir.join("checkpoint")).unwrap(),
        note
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // The log grows: every tile served before is the same bytes.
    cases(&app, 60, 70).await;
    app.ledger.catch_up().await.unwrap();
    assert_eq!(tile_bytes(&app, "tile/0/000").await, full);
    assert_eq!(tile_bytes(&app, &partial_path).await, partial);
    assert_eq!(tile_bytes(&app, "tile/1/000.p/1").await, level1);
}

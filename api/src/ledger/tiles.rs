//! The log's Merkle tree as C2SP tlog-tiles hash tiles, served and exported: hashes only
//! (entry bundles would hold the events, with their sealed personal data: they are not
//! public).

use std::path::Path;

use anyhow::Context;
use domain::transparency::tiles::Tile;

use super::{Ledger, LedgerError};

impl Ledger {
    /// The bytes of `tile` (its hashes, concatenated), if the leaves recorded so far make it.
    pub async fn tile(&self, tile: &Tile) -> Result<Option<Vec<u8>>, LedgerError> {
        let recorded = self.positions().await?.projected;
        if !tile.within(recorded.max(0) as u64) {
            return Ok(None);
        }
        let hashes = self.merkle_blocks().tile_hashes(self.db(), tile).await?;
        Ok(Some(hashes.concat()))
    }

    /// Writes the tree of the whole log as static files under `dir`: `checkpoint` (signed
    /// now if it is not yet) and every tile of its size, full and partial, at their paths.
    /// Returns the checkpoint's size and the tiles written.
    pub async fn export_tiles(&self, dir: &Path) -> anyhow::Result<(i64, usize)> {
        self.catch_up().await?;
        let size = projections::log::head_position(self.db()).await?;
        anyhow::ensure!(size > 0, "the log is empty: there is no tree to tile");
        let checkpoint = self.checkpoint_at(size).await?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::write(dir.join("checkpoint"), &checkpoint.note)?;
        let tiles = Tile::all_of(size as u64);
        for tile in &tiles {
            let bytes = self
                .tile(tile)
                .await?
                .context("a tile of the exported tree is not recorded")?;
            let path = dir.join(tile.path());
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, bytes)?;
        }
        Ok((size, tiles.len()))
    }
}

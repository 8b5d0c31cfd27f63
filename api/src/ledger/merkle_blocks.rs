//! The hashes Merkle proofs are made of, without reading the whole log for every proof.
//!
//! Each hash of a proof is the Merkle tree hash of a range of leaves, and that is made of
//! perfect subtrees, each starting at a multiple of its size
//! ([`domain::transparency::perfect_subtrees`]). A perfect subtree of a block (256 leaves)
//! or more is hashed from the roots of its blocks, kept in memory once read: 32 bytes a
//! block, 125 KB for a million events. A smaller one is hashed from its leaves, read for the
//! proof (within one block). Recorded leaves are never rewritten, so a kept root never goes
//! stale; the signed checkpoints are still made from every leaf, which checks them all.

use std::collections::BTreeMap;
use std::ops::Range;

use domain::transparency::tiles::Tile;
use domain::transparency::{
    consistency_proof_ranges, inclusion_proof_ranges, perfect_subtrees, root, root_of_subtrees,
    Hash,
};
use projections::case_queries::QueryError;
use projections::transparency::leaves_between;
use projections::Db;
use tokio::sync::Mutex;

/// Leaves in a block.
const BLOCK: usize = 256;

/// The roots of the log's first blocks, in order.
pub struct MerkleBlocks {
    roots: Mutex<Vec<Hash>>,
    /// Blocks read in one query while catching up with the log.
    blocks_per_read: usize,
}

impl Default for MerkleBlocks {
    /// Reads 256 blocks (65,536 leaves, 4 MB of hex text) at a time.
    fn default() -> Self {
        Self::reading(256)
    }
}

impl MerkleBlocks {
    fn reading(blocks_per_read: usize) -> Self {
        Self {
            roots: Mutex::new(Vec::new()),
            blocks_per_read,
        }
    }

    /// Keeps the roots of every complete block of the first `size` leaves (all recorded),
    /// reading those it does not keep yet: so that proofs find them ready.
    pub async fn keep_up(&self, db: &Db, size: i64) -> Result<(), QueryError> {
        self.read_blocks(db, size.max(0) as usize / BLOCK).await
    }

    /// How many block roots are kept.
    #[cfg(test)]
    async fn kept(&self) -> usize {
        self.roots.lock().await.len()
    }

    /// Extends the kept roots to the first `blocks` blocks of the log, `blocks_per_read` a
    /// query, each read under the lock on its own (a proof that needs fewer waits for one).
    async fn read_blocks(&self, db: &Db, blocks: usize) -> Result<(), QueryError> {
        loop {
            let mut roots = self.roots.lock().await;
            if roots.len() >= blocks {
                return Ok(());
            }
            let (first, last) = (roots.len(), blocks.min(roots.len() + self.blocks_per_read));
            let leaves = leaves_between(db, (first * BLOCK) as i64, (last * BLOCK) as i64).await?;
            roots.extend(leaves.chunks(BLOCK).map(root));
        }
    }

    /// The hashes of `tile`, whose leaves must all be recorded: leaf hashes at level 0, at
    /// level 1 the kept block roots, above them the roots of runs of blocks.
    pub async fn tile_hashes(&self, db: &Db, tile: &Tile) -> Result<Vec<Hash>, QueryError> {
        let ranges = tile.hash_ranges().unwrap_or_default();
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            return Ok(Vec::new());
        };
        if tile.level == 0 {
            return leaves_between(db, first.start as i64, last.end as i64).await;
        }
        self.read_blocks(db, last.end as usize / BLOCK).await?;
        let roots = self.roots.lock().await;
        Ok(ranges
            .iter()
            .map(|r| root(&roots[r.start as usize / BLOCK..r.end as usize / BLOCK]))
            .collect())
    }

    /// The root of the tree of the first `size` leaves (all recorded), from the kept block
    /// roots and the leaves of the last block.
    pub async fn tree_root(&self, db: &Db, size: usize) -> Result<Hash, QueryError> {
        let whole: Range<usize> = 0..size;
        let hashes = self.range_hashes(db, std::slice::from_ref(&whole)).await?;
        Ok(hashes.into_iter().next().unwrap_or_else(|| root(&[])))
    }

    /// The hash of leaf `index` and its audit path in the tree of the first `size` leaves
    /// (RFC 6962 2.1.1); `index < size`, all recorded.
    pub async fn inclusion(
        &self,
        db: &Db,
        index: usize,
        size: usize,
    ) -> Result<(Hash, Vec<Hash>), QueryError> {
        let ranges: Vec<Range<usize>> = std::iter::once(index..index + 1)
            .chain(inclusion_proof_ranges(index, size))
            .collect();
        let mut path = self.range_hashes(db, &ranges).await?;
        let leaf = path.remove(0);
        Ok((leaf, path))
    }

    /// The proof that the tree of the first `old_size` leaves is a prefix of the tree of the
    /// first `size` (RFC 6962 2.1.2); `0 < old_size <= size`, all recorded.
    pub async fn consistency(
        &self,
        db: &Db,
        old_size: usize,
        size: usize,
    ) -> Result<Vec<Hash>, QueryError> {
        self.range_hashes(db, &consistency_proof_ranges(old_size, size))
            .await
    }

    /// The Merkle tree hash of each of `ranges`, ranges of a proof; an error unless all
    /// their leaves are recorded.
    async fn range_hashes(
        &self,
        db: &Db,
        ranges: &[Range<usize>],
    ) -> Result<Vec<Hash>, QueryError> {
        let subtrees: Vec<Vec<Range<usize>>> =
            ranges.iter().cloned().map(perfect_subtrees).collect();
        let all = || subtrees.iter().flatten();
        // A small subtree lies within one block: the leaves of each such block are read
        // once, as far as its subtrees need.
        let mut reach: BTreeMap<usize, usize> = BTreeMap::new();
        for subtree in all().filter(|s| s.len() < BLOCK) {
            let end = reach.entry(subtree.start / BLOCK).or_default();
            *end = (*end).max(subtree.end);
        }
        let mut block_leaves: BTreeMap<usize, Vec<Hash>> = BTreeMap::new();
        for (block, end) in reach {
            let leaves = leaves_between(db, (block * BLOCK) as i64, end as i64).await?;
            block_leaves.insert(block, leaves);
        }
        // A large one is made of whole blocks, hashed from their kept roots.
        if let Some(blocks) = all()
            .filter(|s| s.len() >= BLOCK)
            .map(|s| s.end / BLOCK)
            .max()
        {
            self.read_blocks(db, blocks).await?;
        }
        let roots = self.roots.lock().await;
        let hash = |subtree: &Range<usize>| {
            let block = subtree.start / BLOCK;
            if subtree.len() >= BLOCK {
                root(&roots[block..subtree.end / BLOCK])
            } else {
                let first = block * BLOCK;
                root(&block_leaves[&block][subtree.start - first..subtree.end - first])
            }
        };
        Ok(subtrees
            .iter()
            .map(|parts| root_of_subtrees(&parts.iter().map(hash).collect::<Vec<_>>()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use domain::transparency::{consistency_proof, inclusion_proof};

    use super::*;

    /// Records made-up leaves for the positions after `after` up to `through`.
    async fn record_leaves(db: &Db, after: i64, through: i64) {
        let leaf =
            |position: i64| hex::encode(domain::transparency::leaf_hash(&position.to_be_bytes()));
        // A few hundred rows a statement: SQLite binds at most 32,766 parameters.
        let positions: Vec<i64> = (after + 1..=through).collect();
        for chunk in positions.chunks(500) {
            projections::on_db!(db, |pool| {
                let mut insert =
                    sqlx::QueryBuilder::new("INSERT INTO ledger_leaves (position, leaf) ");
                insert.push_values(chunk, |mut row, &position| {
                    row.push_bind(position).push_bind(leaf(position));
                });
                insert.build().execute(pool).await.unwrap();
            });
        }
    }

    async fn proofs_from_kept_blocks_equal_proofs_from_every_leaf(db: &Db) {
        // Two blocks a read, so that catching up takes several reads.
        let blocks = MerkleBlocks::reading(2);
        record_leaves(db, 0, 1_000).await;
        let sizes = [1, 2, 255, 256, 257, 511, 512, 1_000];
        for size in sizes {
            let all = projections::transparency::leaves(db, size as i64)
                .await
                .unwrap();
            for index in [0, size / 2, size - 1] {
                let (leaf, path) = blocks.inclusion(db, index, size).await.unwrap();
                assert_eq!(leaf, all[index], "leaf {index} of {size}");
                assert_eq!(path, inclusion_proof(index, &all), "leaf {index} of {size}");
                let from = index + 1;
                let proof = blocks.consistency(db, from, size).await.unwrap();
                assert_eq!(proof, consistency_proof(from, &all), "{from} to {size}");
            }
        }
        // Keeping up reads the complete blocks of what is recorded, and only those.
        let fresh = MerkleBlocks::reading(2);
        fresh.keep_up(db, 1_000).await.unwrap();
        assert_eq!(fresh.kept().await, 3);
        assert_eq!(blocks.kept().await, 3);
        // Leaves not recorded yet are refused, not guessed, and served once recorded.
        let refused = blocks.consistency(db, 600, 1_600).await.unwrap_err();
        assert!(
            matches!(refused, QueryError::LeavesNotRecorded { .. }),
            "{refused}"
        );
        record_leaves(db, 1_000, 2_100).await;
        let all = projections::transparency::leaves(db, 1_600).await.unwrap();
        let proof = blocks.consistency(db, 600, 1_600).await.unwrap();
        assert_eq!(proof, consistency_proof(600, &all));
    }

    test_support::on_both_stores!(db: proofs_from_kept_blocks_equal_proofs_from_every_leaf);
}

//! Signed checkpoints of the log. The signing key is made on first start and kept in the data
//! directory; a checkpoint is signed only after every stored event still hashes to the leaf
//! recorded when it was first projected, and only if the tree extends the last checkpoint.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use domain::transparency::{root, Checkpoint, NoteSigner};
use projections::log;
use projections::transparency::{self, StoredCheckpoint};
use rand::RngCore;

use crate::ledger::clock::log_timestamp;
use crate::ledger::{Ledger, LedgerError};

const KEY_FILE: &str = "checkpoint-key";

/// The checkpoint signer of the log at `origin`, its Ed25519 seed in `data_dir/checkpoint-key`
/// (made, owner-only, on first use).
pub fn load_or_create_signer(data_dir: &Path, origin: &str) -> io::Result<NoteSigner> {
    let path = data_dir.join(KEY_FILE);
    if !path.exists() {
        fs::create_dir_all(data_dir)?;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => file.write_all(hex::encode(seed).as_bytes())?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    let text = fs::read_to_string(&path)?;
    let seed: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a 32-byte hex seed", path.display()),
            )
        })?;
    Ok(NoteSigner::from_seed(origin, &seed))
}

impl Ledger {
    /// The signed checkpoint of the first `size` events, made now if there is none yet.
    pub async fn checkpoint_at(&self, size: i64) -> Result<StoredCheckpoint, LedgerError> {
        let db = self.db();
        if let Some(existing) = transparency::checkpoint(db, Some(size)).await? {
            return Ok(existing);
        }
        self.catch_up().await?;
        let latest = transparency::checkpoint(db, None).await?;
        let span = latest.as_ref().map_or(size, |l| l.size.max(size));
        let recorded = transparency::leaves(db, span).await?;
        if (recorded.len() as i64) < span {
            return Err(LedgerError::Tampered(format!(
                "the log has {} events, a checkpoint of {span} was asked for",
                recorded.len()
            )));
        }
        self.check_leaves(0, &recorded).await?;
        if let Some(latest) = &latest {
            if root(&recorded[..latest.size as usize]) != latest.root {
                return Err(LedgerError::Tampered(format!(
                    "the recorded leaves no longer give the root of checkpoint {}: refusing to sign",
                    latest.size
                )));
            }
        }
        self.sign_and_store(size, root(&recorded[..size as usize]))
            .await
    }

    /// Signs a checkpoint of the leaves recorded so far if the log has grown since the latest
    /// one: the events after it are checked against their recorded leaves, and the tree
    /// against the latest's root, from the kept block roots (the whole log is read and
    /// checked by the checkpoint of each daily publication, not every minute). Returns the
    /// new checkpoint's size, None when the log has not grown.
    pub async fn checkpoint_if_grown(&self) -> Result<Option<i64>, LedgerError> {
        let db = self.db();
        let recorded = self.positions().await?.projected;
        let latest = transparency::checkpoint(db, None).await?;
        let from = latest.as_ref().map_or(0, |l| l.size);
        if recorded <= from {
            return Ok(None);
        }
        let leaves = transparency::leaves_between(db, from, recorded).await?;
        if (leaves.len() as i64) < recorded - from {
            return Err(LedgerError::Tampered(format!(
                "the leaves after {from} up to {recorded} are not all recorded"
            )));
        }
        self.check_leaves(from, &leaves).await?;
        let blocks = self.merkle_blocks();
        if let Some(latest) = &latest {
            if blocks.tree_root(db, latest.size as usize).await? != latest.root {
                return Err(LedgerError::Tampered(format!(
                    "the recorded leaves no longer give the root of checkpoint {}: refusing to sign",
                    latest.size
                )));
            }
        }
        let root = blocks.tree_root(db, recorded as usize).await?;
        self.sign_and_store(recorded, root).await?;
        Ok(Some(recorded))
    }

    /// Signs the checkpoint of the first `size` events, whose tree has `root`, and stores it
    /// (or, if another process stored one of that size first, answers that one).
    async fn sign_and_store(
        &self,
        size: i64,
        root: domain::transparency::Hash,
    ) -> Result<StoredCheckpoint, LedgerError> {
        let db = self.db();
        let checkpoint = Checkpoint {
            origin: self.signer().name().to_owned(),
            size: size as u64,
            root,
        };
        let signing = std::time::Instant::now();
        let stored = StoredCheckpoint {
            size,
            root: checkpoint.root,
            note: self.signer().sign(&checkpoint),
            made_at: log_timestamp(self.clock().now()),
        };
        metrics::histogram!("permit_ledger_checkpoint_signing_duration_seconds")
            .record(signing.elapsed().as_secs_f64());
        metrics::counter!("permit_ledger_checkpoints_signed_total").increment(1);
        if !transparency::store_checkpoint(db, &stored).await? {
            // Another process signed this size first; serve the one stored.
            return transparency::checkpoint(db, Some(size))
                .await?
                .ok_or_else(|| LedgerError::Inconsistent("a stored checkpoint vanished"));
        }
        tracing::info!(size, "checkpoint signed");
        Ok(stored)
    }

    /// Recomputes the leaf of every stored event after position `from` (`recorded[i]` is the
    /// leaf recorded for position `from + 1 + i` when the event was first projected) and
    /// compares the two.
    async fn check_leaves(
        &self,
        from: i64,
        recorded: &[domain::transparency::Hash],
    ) -> Result<(), LedgerError> {
        let mut after = from;
        let end = from + recorded.len() as i64;
        while after < end {
            let events = log::read_after(self.db(), after, 2_000).await?;
            if events.is_empty() {
                break;
            }
            for event in events {
                let expected = after + 1;
                if event.position != expected {
                    return Err(LedgerError::Tampered(format!(
                        "position {expected} is missing from the log"
                    )));
                }
                if let Some(leaf) = recorded.get((expected - from - 1) as usize) {
                    if event.leaf() != *leaf {
                        return Err(LedgerError::Tampered(format!(
                            "the event at position {expected} has changed since it was logged: refusing to sign"
                        )));
                    }
                }
                after = expected;
            }
        }
        Ok(())
    }
}

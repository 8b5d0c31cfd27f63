//! Tamper evidence: the log as an RFC 6962 Merkle tree, and signed checkpoints in the C2SP
//! tlog-checkpoint format, signed as C2SP signed notes with Ed25519. Pure: hashing and
//! signatures only, no IO. [`tiles`]: the tree as C2SP tlog-tiles hash tiles.

mod checkpoint;
mod merkle;
pub mod tiles;

pub use checkpoint::{Checkpoint, CheckpointError, NoteSigner, NoteVerifier};
pub use merkle::{
    consistency_proof, consistency_proof_ranges, inclusion_proof, inclusion_proof_ranges,
    leaf_hash, perfect_subtrees, root, root_of_subtrees, verify_consistency, verify_inclusion,
    Hash,
};

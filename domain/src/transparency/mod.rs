//! Tamper evidence: the log as an RFC 6962 Merkle tree, and signed checkpoints in the C2SP
//! tlog-checkpoint format, signed as C2SP signed notes with Ed25519. Pure: hashing and
//! signatures only, no IO.

mod checkpoint;
mod merkle;

pub use checkpoint::{Checkpoint, CheckpointError, NoteSigner, NoteVerifier};
pub use merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion, Hash,
};

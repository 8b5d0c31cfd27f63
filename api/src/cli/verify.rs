//! `permit-ledger verify FILE`: checks an export offline, from the file alone (and the key the
//! auditor trusts): positions gap-free and in order, recorded-at never decreasing, each event
//! hashing to the leaf recorded when it was logged, every case rebuilt, every checkpoint's
//! signature and root, and each checkpoint's consistency with the one before from its signed
//! roots and the export's proof. Names the first bad position.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{bail, Context};
use domain::personal_data::ErasureEvent;
use domain::publication::PublicationEvent;
use domain::transparency::{consistency_proof, root, verify_consistency, Hash, NoteVerifier};
use indicatif::{ProgressBar, ProgressStyle};
use projections::{CaseView, LoggedEvent};
use serde::Deserialize;

use crate::cli::export::FORMAT;

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line {
    Header {
        format: String,
        origin: String,
        key: String,
    },
    Event {
        position: i64,
        recorded_at: String,
        aggregate_type: String,
        aggregate_id: String,
        sequence: i64,
        event_type: String,
        event_version: String,
        payload: String,
        metadata: String,
        leaf: Option<String>,
    },
    Checkpoint {
        size: i64,
        note: String,
        /// The RFC 6962 consistency proof from the checkpoint before (hex hashes).
        #[serde(default)]
        consistency: Option<Vec<String>>,
    },
}

/// What a successful verification found.
#[derive(Debug, Default)]
pub struct Summary {
    pub events: i64,
    pub cases: BTreeMap<&'static str, usize>,
    pub publications: usize,
    /// Data subjects whose personal information was erased.
    pub erasures: usize,
    pub checkpoints: Vec<(i64, String)>,
    pub key_from_file: bool,
}

/// The first thing wrong with an export.
#[derive(Debug, thiserror::Error)]
#[error("verification failed at position {position}: {reason}")]
pub struct Failure {
    pub position: i64,
    pub reason: String,
}

fn fail(position: i64, reason: impl Into<String>) -> anyhow::Error {
    Failure {
        position,
        reason: reason.into(),
    }
    .into()
}

/// Verifies the export at `path` against `key` (a verifier key string), or against the key
/// written in the file when `key` is None.
pub fn verify(path: &Path, key: Option<&str>) -> anyhow::Result<Summary> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = ProgressBar::new(size);
    progress.set_style(
        ProgressStyle::with_template("{spinner} verifying {bytes}/{total_bytes} {wide_bar} {eta}")
            .expect("a valid template"),
    );
    let mut reader = BufReader::new(file);
    let mut summary = Summary::default();
    let mut verifier: Option<NoteVerifier> = None;
    let mut computed: Vec<Hash> = Vec::new();
    let mut sequences: HashMap<String, i64> = HashMap::new();
    let mut cases: HashMap<String, CaseView> = HashMap::new();
    let mut last_recorded_at = String::new();
    let mut last_checkpoint: Option<(i64, Hash)> = None;
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader.read_line(&mut line)?;
        if read == 0 {
            break;
        }
        progress.inc(read as u64);
        number += 1;
        let position_so_far = computed.len() as i64;
        let parsed: Line = serde_json::from_str(&line).map_err(|e| {
            fail(
                position_so_far + 1,
                format!("line {number} is not an export line: {e}"),
            )
        })?;
        match parsed {
            Line::Header {
                format,
                origin,
                key: file_key,
            } => {
                if format != FORMAT {
                    bail!("{} is a {format:?} file, not {FORMAT}", path.display());
                }
                summary.key_from_file = key.is_none();
                let chosen = NoteVerifier::parse_vkey(key.unwrap_or(&file_key))
                    .context("the verifier key is not valid")?;
                if chosen.name() != origin {
                    bail!(
                        "the key is for log {:?}, the export is of log {origin:?}",
                        chosen.name()
                    );
                }
                verifier = Some(chosen);
            }
            Line::Event {
                position,
                recorded_at,
                aggregate_type,
                aggregate_id,
                sequence,
                event_type,
                event_version,
                payload,
                metadata,
                leaf,
            } => {
                let expected = position_so_far + 1;
                if position > expected {
                    return Err(fail(
                        expected,
                        format!("position {expected} is missing (the next event is at {position})"),
                    ));
                }
                if position < expected {
                    return Err(fail(expected, format!("position {position} appears again or out of order where {expected} was due")));
                }
                let event = LoggedEvent {
                    position,
                    recorded_at,
                    aggregate_type,
                    aggregate_id,
                    sequence,
                    event_type,
                    event_version,
                    payload,
                    metadata,
                };
                let hash = event.leaf();
                match leaf.as_deref().map(hex::decode) {
                    Some(Ok(recorded)) if recorded == hash => {}
                    Some(_) => {
                        return Err(fail(position, "the event does not hash to the leaf recorded when it was logged: it was changed, inserted or moved"));
                    }
                    None => return Err(fail(position, "no leaf was recorded for this event")),
                }
                if event.recorded_at < last_recorded_at {
                    return Err(fail(position, "recorded_at goes back in time"));
                }
                last_recorded_at.clone_from(&event.recorded_at);
                let previous = sequences
                    .insert(event.aggregate_id.clone(), event.sequence)
                    .unwrap_or(0);
                if event.sequence != previous + 1 {
                    return Err(fail(
                        position,
                        format!(
                            "{} jumps from sequence {previous} to {}",
                            event.aggregate_id, event.sequence
                        ),
                    ));
                }
                match event.aggregate_type.as_str() {
                    "PermitCase" => {
                        let current = cases.remove(&event.aggregate_id);
                        let folded = CaseView::fold(current, &event).map_err(|e| {
                            fail(position, format!("the case does not rebuild: {e}"))
                        })?;
                        cases.insert(event.aggregate_id.clone(), folded);
                    }
                    "DailyPublication" => {
                        event.decode::<PublicationEvent>().map_err(|e| {
                            fail(position, format!("the publication does not decode: {e}"))
                        })?;
                        summary.publications += 1;
                    }
                    "SubjectErasure" => {
                        event.decode::<ErasureEvent>().map_err(|e| {
                            fail(position, format!("the erasure does not decode: {e}"))
                        })?;
                        summary.erasures += 1;
                    }
                    other => {
                        return Err(fail(position, format!("unknown aggregate type {other:?}")))
                    }
                }
                computed.push(hash);
            }
            Line::Checkpoint {
                size,
                note,
                consistency,
            } => {
                let verifier = verifier
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("the export has no header"))?;
                let signed = check_checkpoint(
                    verifier,
                    size,
                    &note,
                    consistency.as_deref(),
                    last_checkpoint,
                    &computed,
                )?;
                last_checkpoint = Some((size, signed));
                summary.checkpoints.push((size, hex::encode(signed)));
            }
        }
    }
    progress.finish_and_clear();
    if verifier.is_none() {
        bail!("{} has no header line: not an export", path.display());
    }
    summary.events = computed.len() as i64;
    for case in cases.values() {
        *summary.cases.entry(case.status.as_str()).or_insert(0) += 1;
    }
    Ok(summary)
}

/// Checks one checkpoint line: a size that grows, the log's signature, consistency with the
/// checkpoint before from the signed roots and the proof alone (the leaves only where an
/// older export carries no proof), and the root of the events it covers. Returns its root.
fn check_checkpoint(
    verifier: &NoteVerifier,
    size: i64,
    note: &str,
    consistency: Option<&[String]>,
    previous: Option<(i64, Hash)>,
    computed: &[Hash],
) -> anyhow::Result<Hash> {
    if size < 1 {
        return Err(fail(
            0,
            format!("a checkpoint of {size} events signs nothing"),
        ));
    }
    if let Some((before, _)) = previous {
        if size <= before {
            return Err(fail(
                size,
                format!("checkpoint {size} follows checkpoint {before}: checkpoints only grow"),
            ));
        }
    }
    let checkpoint = verifier.open(note).map_err(|e| {
        fail(
            size,
            format!("checkpoint {size} is not signed by the log's key: {e}"),
        )
    })?;
    if checkpoint.size as i64 != size || checkpoint.origin != verifier.name() {
        return Err(fail(
            size,
            format!("checkpoint {size} names another size or log"),
        ));
    }
    if size as usize > computed.len() {
        return Err(fail(
            computed.len() as i64 + 1,
            format!("checkpoint {size} covers events missing from the export"),
        ));
    }
    if let Some((before, before_root)) = previous {
        let proof = match consistency {
            Some(hashes) => hashes
                .iter()
                .map(|h| hex::decode(h).ok().and_then(|h| Hash::try_from(h).ok()))
                .collect::<Option<Vec<Hash>>>()
                .ok_or_else(|| {
                    fail(
                        size,
                        format!(
                            "checkpoint {size}'s consistency proof is not a list of SHA-256 hashes"
                        ),
                    )
                })?,
            None => consistency_proof(before as usize, &computed[..size as usize]),
        };
        if !verify_consistency(
            before as u64,
            size as u64,
            &before_root,
            &checkpoint.root,
            &proof,
        ) {
            return Err(fail(
                size,
                format!("checkpoint {size} is not consistent with checkpoint {before}: the log was not only appended to"),
            ));
        }
    }
    if root(&computed[..size as usize]) != checkpoint.root {
        return Err(fail(size, format!("the first {size} events do not give the root signed in checkpoint {size}: an event at or before {size} was changed")));
    }
    Ok(checkpoint.root)
}

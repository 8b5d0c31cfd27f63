//! `permit-ledger export`: the log as JSON Lines, with each event's recorded leaf and every
//! signed checkpoint, for offline verification with `permit-ledger verify`. Personal fields
//! are exported as stored, sealed; with `--decrypt` (for an auditor's review, on a server
//! holding the master key) each event also carries them opened, beside what the leaf covers.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use serde_json::json;

use crate::ledger::clock::log_timestamp;
use crate::ledger::Ledger;

pub const FORMAT: &str = "permit-ledger-export/1";

/// Writes the export, with the personal fields opened too if `decrypt`; returns (events,
/// checkpoints) written.
pub async fn export(ledger: &Ledger, out: &Path, decrypt: bool) -> anyhow::Result<(i64, usize)> {
    // The export is most needed when something is wrong: a projection that cannot catch up
    // (a gap, a changed event) is reported, not allowed to stop it.
    if let Err(error) = ledger.catch_up().await {
        eprintln!("warning: projections could not catch up: {error}");
    }
    let db = ledger.db();
    let head = projections::log::head_position(db).await?;
    if head > 0 {
        // A checkpoint of the whole log, unless the log has changed under its leaves: then the
        // export is written all the same, so that verify can locate the change.
        if let Err(why) = ledger.checkpoint_at(head).await {
            eprintln!("warning: no checkpoint of the whole log was signed: {why}");
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    // A decrypted export holds personal information: its owner's to read, no one else's.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if decrypt { 0o600 } else { 0o644 });
    let file = options
        .open(out)
        .with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = BufWriter::new(file);
    let header = json!({
        "kind": "header",
        "format": FORMAT,
        "origin": ledger.signer().name(),
        "key": ledger.signer().verifier().vkey(),
        "store": db.kind(),
        "exported_at": log_timestamp(ledger.clock().now()),
        "decrypted": decrypt,
    });
    writeln!(writer, "{header}")?;
    let leaves: std::collections::HashMap<i64, _> = projections::transparency::recorded_leaves(db)
        .await?
        .into_iter()
        .collect();
    let (mut after, mut written) = (0, 0);
    loop {
        let events = projections::log::read_after(db, after, 5_000).await?;
        let Some(last) = events.last() else { break };
        after = last.position;
        let opener = if decrypt {
            let texts: Vec<String> = events
                .iter()
                .map(|e| e.personal_texts())
                .collect::<Result<Vec<_>, _>>()?
                .concat();
            Some(
                ledger
                    .personal_keys()
                    .opener(texts.iter().map(String::as_str))
                    .await?,
            )
        } else {
            None
        };
        for event in &events {
            let recorded = leaves.get(&event.position).map(hex::encode);
            let mut line = json!({
                "kind": "event",
                "position": event.position,
                "recorded_at": event.recorded_at,
                "aggregate_type": event.aggregate_type,
                "aggregate_id": event.aggregate_id,
                "sequence": event.sequence,
                "event_type": event.event_type,
                "event_version": event.event_version,
                "payload": event.payload,
                "metadata": event.metadata,
                "leaf": recorded,
            });
            if let Some(opener) = &opener {
                let opened = event.open_personal(opener)?;
                line["opened"] = json!({
                    "payload": opened.payload,
                    "metadata": opened.metadata,
                    "erased_fields": opened.erased_fields,
                });
            }
            writeln!(writer, "{line}")?;
            written += 1;
        }
    }
    let checkpoints = projections::transparency::checkpoints(db).await?;
    let mut previous: Option<i64> = None;
    for checkpoint in &checkpoints {
        let mut line =
            json!({ "kind": "checkpoint", "size": checkpoint.size, "note": checkpoint.note });
        // The proof that this checkpoint's tree extends the one before, from the leaves
        // recorded when the events were logged: verify checks it against the signed roots.
        if let Some(before) = previous {
            match ledger
                .consistency_proof(before as usize, checkpoint.size as usize)
                .await
            {
                Ok(proof) => {
                    line["consistency"] = json!(proof.iter().map(hex::encode).collect::<Vec<_>>())
                }
                Err(why) => eprintln!(
                    "warning: no consistency proof from {before} to {}: {why}",
                    checkpoint.size
                ),
            }
        }
        previous = Some(checkpoint.size);
        writeln!(writer, "{line}")?;
    }
    writer.flush()?;
    Ok((written, checkpoints.len()))
}

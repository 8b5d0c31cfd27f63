//! Rebuilding the projections from a large log, beside a raw sequential scan of it.

use std::sync::Arc;
use std::time::Instant;

use futures::TryStreamExt;
use projections::log::COLUMNS;

use super::bulk::{self, BulkEvent};
use super::{Options, Row};
use permit_ledger::ledger::clock::SettableClock;
use permit_ledger::startup::open_ledger;
use test_support::Store;

/// Peak resident memory of this process so far, in MB (Linux `VmHWM`).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts a new peak-memory window (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub async fn measure(options: &Options, store: Store) -> anyhow::Result<Vec<Row>> {
    let scratch = options.scratch(store).await?;
    let settings = crate::settings_on(&scratch);
    let clock = Arc::new(SettableClock::new("2026-11-02T01:00:00Z".parse()?));
    let ledger = open_ledger(&settings, clock).await?;
    // One real lifecycle through the command path: the template of the bulk-loaded log.
    let template_case = template(&ledger).await?;
    let template =
        projections::log::read_aggregate(ledger.db(), "PermitCase", template_case.as_str()).await?;
    let cases = options.sizes.rebuild_events.div_ceil(template.len());
    super::stage(store, &format!("bulk loading {cases} cases"));
    let started = Instant::now();
    // A thousand cases at a time: every copy of the template under an id of its own.
    for chunk_start in (0..cases).step_by(1_000) {
        let ids: Vec<String> = (chunk_start..cases.min(chunk_start + 1_000))
            .map(|_| uuid::Uuid::now_v7().to_string())
            .collect();
        let events: Vec<BulkEvent> = ids
            .iter()
            .flat_map(|id| {
                template.iter().map(move |event| BulkEvent {
                    aggregate_type: &event.aggregate_type,
                    aggregate_id: id,
                    sequence: event.sequence,
                    event_type: &event.event_type,
                    event_version: &event.event_version,
                    payload: &event.payload,
                    metadata: &event.metadata,
                })
            })
            .collect();
        bulk::insert(ledger.db(), store, &events).await?;
    }
    let load_seconds = started.elapsed().as_secs_f64();
    let events = projections::log::head_position(ledger.db()).await? as f64;

    super::stage(store, "scanning the events table");
    // The scan and the rebuild each count the better of two runs, taken in turns (the first
    // scan may still pay for the bulk load), so that neither gains from a fast moment of the
    // machine the other missed.
    let mut scan = scan_rate(ledger.db()).await?;
    reset_peak_rss();
    // The bulk load wrote the events only: projecting them once records their leaves, as
    // committing them through the ledger would have. A rebuild then starts from the log as a
    // running ledger has it.
    super::stage(store, "projecting the log for the first time");
    let started = Instant::now();
    ledger.projector().catch_up().await?;
    let first_projection_seconds = started.elapsed().as_secs_f64();
    let rebuild = |turn: usize| {
        let ledger = &ledger;
        async move {
            super::stage(store, &format!("rebuilding the projections ({turn} of 2)"));
            let started = Instant::now();
            ledger.projector().rebuild().await?;
            Ok::<f64, anyhow::Error>(started.elapsed().as_secs_f64())
        }
    };
    let first_rebuild_seconds = rebuild(1).await?;
    super::stage(store, "scanning the events table again");
    scan = scan.max(scan_rate(ledger.db()).await?);
    let rebuild_seconds = first_rebuild_seconds.min(rebuild(2).await?);
    super::stage(store, "rebuilt");
    let peak = peak_rss_mb().unwrap_or(f64::NAN);
    super::stage(store, "proving inclusion");
    let size = events as usize;
    let mut proof_ms = [0.0; 2];
    for ms in &mut proof_ms {
        let started = Instant::now();
        ledger
            .merkle_blocks()
            .inclusion(ledger.db(), size / 2, size)
            .await?;
        *ms = started.elapsed().as_secs_f64() * 1e3;
    }
    scratch.remove().await;
    let row = |measure: &str, value: f64, unit: &'static str| Row {
        section: "rebuild",
        store: store.name(),
        clients: 1,
        measure: measure.to_owned(),
        value,
        unit,
        p50_ms: None,
        p99_ms: None,
    };
    Ok(vec![
        row(
            &format!("bulk load {events} events"),
            events / load_seconds,
            "events/s",
        ),
        row("raw sequential scan", scan, "events/s"),
        row(
            "first projection (leaves+case_state+notices+supervision)",
            events / first_projection_seconds,
            "events/s",
        ),
        row(
            "rebuild (case_state+notices+supervision; leaves kept)",
            events / rebuild_seconds,
            "events/s",
        ),
        row("peak RSS during projection and rebuild", peak, "MB"),
        row(
            "inclusion proof, first (reads every block)",
            proof_ms[0],
            "ms",
        ),
        row("inclusion proof, next (blocks kept)", proof_ms[1], "ms"),
    ])
}

/// Events per second of one sequential scan of the whole events table, every column sent;
/// the client only looks at each payload where it lies, without copying it or finding its
/// column by name, so that the limit is the database's and the wire's.
async fn scan_rate(db: &projections::Db) -> anyhow::Result<f64> {
    let sql = format!("SELECT {COLUMNS} FROM events ORDER BY global_position");
    let payload = COLUMNS
        .split(", ")
        .position(|column| column.ends_with("payload"))
        .expect("the log's columns include the payload");
    let started = Instant::now();
    let scanned = projections::on_db!(db, |pool| {
        let mut rows = sqlx::query(&sql).fetch(pool);
        let mut count = 0usize;
        while let Some(row) = rows.try_next().await? {
            use sqlx::Row;
            let text: &str = row.try_get(payload)?;
            count += usize::from(!text.is_empty());
        }
        count
    });
    Ok(scanned as f64 / started.elapsed().as_secs_f64())
}

/// One case from filing to delivery through the ledger; returns its id.
async fn template(
    ledger: &permit_ledger::ledger::Ledger,
) -> anyhow::Result<domain::values::CaseId> {
    let case_id = super::issued_cases::issued_case(ledger, 0).await?;
    super::issued_cases::deliver(ledger, &case_id, 0).await?;
    Ok(case_id)
}

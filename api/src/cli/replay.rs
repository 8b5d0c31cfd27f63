//! `permit-ledger replay`: rebuilds every projection from the log and compares it, by digest,
//! with the live one. The leaves are recomputed, not rewritten: they are the record of what
//! each event hashed to when it was logged, and replacing them would erase evidence.

use projections::case_queries::table_digest;
use projections::log;
use sha2::{Digest, Sha256};

use crate::ledger::Ledger;

pub struct ReplayLine {
    pub projection: &'static str,
    pub rows: usize,
    pub live: String,
    pub rebuilt: String,
}

const CASE_STATE: (&str, &[&str], &str) = (
    "case_state",
    &[
        "case_id",
        "bureau",
        "status",
        "credit_code",
        "item_code",
        "due_on",
        "filed_at",
        "version",
        "last_position",
        "view",
    ],
    "case_id",
);
const NOTICES: (&str, &[&str], &str) = (
    "public_notices",
    &[
        "position",
        "notice_id",
        "day",
        "kind",
        "permit_number",
        "bureau",
        "item_code",
        "published_day",
        "notice",
    ],
    "position",
);
const DAYS: (&str, &[&str], &str) = (
    "published_days",
    &["day", "position", "published_at", "count", "digest"],
    "day",
);
const LEAVES: (&str, &[&str], &str) = ("ledger_leaves", &["position", "leaf"], "position");

pub async fn replay(ledger: &Ledger) -> anyhow::Result<Vec<ReplayLine>> {
    ledger.catch_up().await?;
    let db = ledger.db();
    let digest = |(table, columns, order): (
        &'static str,
        &'static [&'static str],
        &'static str,
    )| async move { table_digest(db, table, columns, order).await };
    let live = [
        digest(CASE_STATE).await?,
        digest(NOTICES).await?,
        digest(DAYS).await?,
    ];
    ledger.projector().rebuild().await?;
    let rebuilt = [
        digest(CASE_STATE).await?,
        digest(NOTICES).await?,
        digest(DAYS).await?,
    ];
    let mut report: Vec<ReplayLine> = ["case_state", "public_notices", "published_days"]
        .into_iter()
        .zip(live.into_iter().zip(rebuilt))
        .map(|(projection, ((_, live), (rows, rebuilt)))| ReplayLine {
            projection,
            rows,
            live,
            rebuilt,
        })
        .collect();
    let (rows, recorded) = digest(LEAVES).await?;
    let mut hasher = Sha256::new();
    let mut after = 0;
    loop {
        let events = log::read_after(db, after, 5_000).await?;
        let Some(last) = events.last() else { break };
        after = last.position;
        for event in &events {
            hasher.update(event.position.to_string().as_bytes());
            hasher.update([0x1f]);
            hasher.update(hex::encode(event.leaf()).as_bytes());
            hasher.update([0x1f, 0x1e]);
        }
    }
    report.push(ReplayLine {
        projection: "ledger_leaves",
        rows,
        live: recorded,
        rebuilt: hex::encode(hasher.finalize()),
    });
    Ok(report)
}

//! `permit-ledger replay`: rebuilds every projection from the log, inside a transaction, and
//! compares it, by digest, with the live one; the transaction is rolled back, so the live rows
//! are left as they are, unless `--write` asks for the rebuild to replace them. The leaves are
//! recomputed, not rewritten: they are the record of what each event hashed to when it was
//! logged, and replacing them would erase evidence.

use projections::case_queries::table_digest;
use projections::supervision;
use projections::{log, Tx};
use sha2::{Digest, Sha256};

use crate::ledger::Ledger;

pub struct ReplayLine {
    pub projection: &'static str,
    pub rows: usize,
    pub live: String,
    pub rebuilt: String,
}

const CASE_STATE: Table = (
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
        "yellow_from",
        "red_from",
        "breach_from",
        "frozen_warning",
    ],
    "case_id",
);
const NOTICES: Table = (
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
const DAYS: Table = (
    "published_days",
    &["day", "position", "published_at", "count", "digest"],
    "day",
);
const SUPERVISION_DAILY: Table = (
    "supervision_daily",
    &supervision::TABLE_COLUMNS,
    "day, bureau, item_code",
);
const SUPERVISION_USED_DAYS: Table = (
    "supervision_used_days",
    &["day", "bureau", "item_code", "used_working_days", "cases"],
    "day, bureau, item_code, used_working_days",
);
const LEAVES: Table = ("ledger_leaves", &["position", "leaf"], "position");

/// The projections as rebuilt from the log, compared with the live ones; with `write`, the
/// rebuilt ones replace them.
pub async fn replay(ledger: &Ledger, write: bool) -> anyhow::Result<Vec<ReplayLine>> {
    ledger.catch_up().await?;
    let db = ledger.db();
    let mut reading = db.begin().await?;
    let live = digests(&mut reading).await?;
    let (leaves, recorded) = digest(&mut reading, LEAVES).await?;
    reading.rollback().await?;
    let mut rebuilding = db.begin().await?;
    ledger.projector().rebuild_in(&mut rebuilding).await?;
    let rebuilt = digests(&mut rebuilding).await?;
    if write {
        rebuilding.commit().await?;
    } else {
        rebuilding.rollback().await?;
    }
    let mut report: Vec<ReplayLine> = PROJECTIONS
        .iter()
        .zip(live.into_iter().zip(rebuilt))
        .map(
            |((projection, _, _), ((_, live), (rows, rebuilt)))| ReplayLine {
                projection,
                rows,
                live,
                rebuilt,
            },
        )
        .collect();
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
        rows: leaves,
        live: recorded,
        rebuilt: hex::encode(hasher.finalize()),
    });
    Ok(report)
}

/// A table's name, the columns compared, and the column its rows are ordered by.
type Table = (&'static str, &'static [&'static str], &'static str);

/// The projections a replay rebuilds, in the order it reports them.
const PROJECTIONS: [Table; 5] = [
    CASE_STATE,
    NOTICES,
    DAYS,
    SUPERVISION_DAILY,
    SUPERVISION_USED_DAYS,
];

async fn digest(tx: &mut Tx, (table, columns, order): Table) -> anyhow::Result<(usize, String)> {
    Ok(table_digest(tx.conn(), table, columns, order).await?)
}

/// Each projection's rows and digest, as `tx` sees them.
async fn digests(tx: &mut Tx) -> anyhow::Result<Vec<(usize, String)>> {
    let mut digests = Vec::with_capacity(PROJECTIONS.len());
    for table in PROJECTIONS {
        digests.push(digest(tx, table).await?);
    }
    Ok(digests)
}

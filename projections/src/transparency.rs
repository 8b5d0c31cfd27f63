//! The log's Merkle leaves (a write-once projection) and its signed checkpoints.

use domain::transparency::Hash;
use sqlx::Row;

use crate::case_queries::QueryError;
use crate::db::{sqlite_rows_per_statement, Db};
use crate::log::LoggedEvent;
use crate::on_db;
use crate::postgres_writes::PostgresWrites;

/// The leaves of a batch of events, ready to be written: each event's leaf hash is recorded
/// once, when the event is first projected; a replay keeps the leaf first recorded.
pub struct LeafRows {
    positions: Vec<i64>,
    leaves: Vec<String>,
}

const INSERT_LEAVES: &str = "INSERT INTO ledger_leaves (position, leaf) ";
/// A leaf once recorded is kept: it is the evidence of what was logged.
const KEEP_RECORDED: &str = " ON CONFLICT (position) DO NOTHING";

impl LeafRows {
    pub fn of(events: &[LoggedEvent]) -> Self {
        Self {
            positions: events.iter().map(|e| e.position).collect(),
            leaves: events.iter().map(|e| hex::encode(e.leaf())).collect(),
        }
    }

    /// One statement with two array parameters, however long the batch.
    pub fn write_postgres<'a>(&'a self, writes: &mut PostgresWrites<'a>) {
        writes.add(|query, condition| {
            query
                .push(INSERT_LEAVES)
                .push("SELECT * FROM UNNEST(")
                .push_bind(&self.positions)
                .push("::bigint[], ")
                .push_bind(&self.leaves)
                .push("::text[]) AS leaf")
                .push(condition)
                .push(KEEP_RECORDED);
        });
    }

    pub async fn write_sqlite(&self, conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        let rows: Vec<usize> = (0..self.positions.len()).collect();
        for chunk in rows.chunks(sqlite_rows_per_statement(2)) {
            let mut insert = sqlx::QueryBuilder::new(INSERT_LEAVES);
            insert.push_values(chunk, |mut row, &i| {
                row.push_bind(self.positions[i])
                    .push_bind(self.leaves[i].as_str());
            });
            insert.push(KEEP_RECORDED);
            insert.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}

fn decode_hash(text: &str) -> Result<Hash, QueryError> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| QueryError::Db(sqlx::Error::Decode(format!("not a hash: {text}").into())))
}

/// The recorded leaf hashes of positions 1..=size, in order (fewer if some are not recorded).
pub async fn leaves(db: &Db, size: i64) -> Result<Vec<Hash>, QueryError> {
    recorded_between(db, 0, size).await
}

/// The recorded leaf hashes of the positions after `after` up to `through`, in order; an
/// error unless every one of them is recorded.
pub async fn leaves_between(db: &Db, after: i64, through: i64) -> Result<Vec<Hash>, QueryError> {
    let leaves = recorded_between(db, after, through).await?;
    if leaves.len() as i64 != (through - after).max(0) {
        return Err(QueryError::LeavesNotRecorded {
            after,
            through,
            found: leaves.len(),
        });
    }
    Ok(leaves)
}

/// Those of the positions after `after` up to `through` whose leaves are recorded.
async fn recorded_between(db: &Db, after: i64, through: i64) -> Result<Vec<Hash>, QueryError> {
    let texts: Vec<String> = on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT leaf FROM ledger_leaves WHERE position > $1 AND position <= $2 ORDER BY position",
        )
        .bind(after)
        .bind(through)
        .fetch_all(pool)
        .await?
    });
    texts.iter().map(|t| decode_hash(t)).collect()
}

/// Every recorded leaf with its position, in position order.
pub async fn recorded_leaves(db: &Db) -> Result<Vec<(i64, Hash)>, QueryError> {
    let rows: Vec<(i64, String)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT position, leaf FROM ledger_leaves ORDER BY position")
            .fetch_all(pool)
            .await?
    });
    rows.iter()
        .map(|(p, t)| Ok((*p, decode_hash(t)?)))
        .collect()
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: i64,
    pub root: Hash,
    pub note: String,
    pub made_at: String,
}

fn checkpoint_from<R: Row>(row: &R) -> Result<StoredCheckpoint, QueryError>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok(StoredCheckpoint {
        size: row.try_get("size")?,
        root: decode_hash(&row.try_get::<String, _>("root")?)?,
        note: row.try_get("note")?,
        made_at: row.try_get("made_at")?,
    })
}

/// The checkpoint of `size`, or the latest when `size` is None.
pub async fn checkpoint(
    db: &Db,
    size: Option<i64>,
) -> Result<Option<StoredCheckpoint>, QueryError> {
    const SQL: &str = "SELECT size, root, note, made_at FROM checkpoints \
        WHERE ($1 IS NULL OR size = $1) ORDER BY size DESC LIMIT 1";
    let row = on_db!(db, |pool| {
        sqlx::query(SQL)
            .bind(size)
            .fetch_optional(pool)
            .await?
            .map(|row| checkpoint_from(&row))
            .transpose()?
    });
    Ok(row)
}

/// Every checkpoint, smallest first.
pub async fn checkpoints(db: &Db) -> Result<Vec<StoredCheckpoint>, QueryError> {
    checkpoints_after(db, 0, i64::MAX).await
}

/// Up to `limit` checkpoints larger than `after`, smallest first.
pub async fn checkpoints_after(
    db: &Db,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredCheckpoint>, QueryError> {
    let rows = on_db!(db, |pool| {
        sqlx::query(
            "SELECT size, root, note, made_at FROM checkpoints WHERE size > $1 ORDER BY size LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(checkpoint_from)
        .collect::<Result<Vec<_>, _>>()?
    });
    Ok(rows)
}

/// Stores a checkpoint; one already stored for that size is kept (returns false).
pub async fn store_checkpoint(db: &Db, checkpoint: &StoredCheckpoint) -> Result<bool, QueryError> {
    let inserted = on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO checkpoints (size, root, note, made_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(checkpoint.size)
        .bind(hex::encode(checkpoint.root))
        .bind(&checkpoint.note)
        .bind(&checkpoint.made_at)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(inserted == 1)
}

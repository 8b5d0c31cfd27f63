//! Appending to the log: one INSERT for a whole batch of events, in the order given. The
//! stamping trigger (migration 0001) numbers each row as it is inserted and stamps its
//! `recorded_at`, so position order is commit order. On PostgreSQL the rows come back as
//! stored (`RETURNING`); SQLite stamps them in an AFTER trigger, which `RETURNING` does not
//! see, so there none come back and the projector reads them.

use cqrs_es::persist::SerializedEvent;
use sqlx::{PgConnection, QueryBuilder};

use crate::db::Tx;
use crate::log::{LoggedEvent, COLUMNS};

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, \
                      event_type, event_version, payload, metadata) ";

/// Appends `events` inside `tx`, in this order; the rows as stored where the database
/// returns them (PostgreSQL), none on SQLite. A unique violation is a version conflict: the
/// aggregate's sequence number is taken.
pub async fn append(
    tx: &mut Tx,
    events: &[&SerializedEvent],
) -> Result<Vec<LoggedEvent>, sqlx::Error> {
    match tx {
        Tx::Sqlite(conn) => {
            let mut insert = QueryBuilder::new(INSERT);
            push_events(&mut insert, events);
            insert.build().execute(&mut **conn).await?;
            Ok(Vec::new())
        }
        Tx::Postgres(conn) => append_returning(conn, events).await,
    }
}

/// Appends `events` on PostgreSQL (in a transaction or committing on its own); the rows as
/// stored, in position order.
pub async fn append_returning(
    conn: &mut PgConnection,
    events: &[&SerializedEvent],
) -> Result<Vec<LoggedEvent>, sqlx::Error> {
    let mut insert = QueryBuilder::new(INSERT);
    push_events(&mut insert, events);
    insert.push(" RETURNING ").push(COLUMNS);
    let rows = insert.build().fetch_all(conn).await?;
    let mut appended = LoggedEvent::from_rows(&rows)?;
    appended.sort_by_key(|e| e.position);
    Ok(appended)
}

/// The VALUES of an INSERT of `events`, in this order.
fn push_events<'a, DB>(insert: &mut QueryBuilder<'a, DB>, events: &[&'a SerializedEvent])
where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a serde_json::Value: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    insert.push_values(events, |mut row, event| {
        row.push_bind(event.aggregate_type.as_str())
            .push_bind(event.aggregate_id.as_str())
            .push_bind(event.sequence as i64)
            .push_bind(event.event_type.as_str())
            .push_bind(event.event_version.as_str())
            .push_bind(&event.payload)
            .push_bind(&event.metadata);
    });
}

//! Reading the log in global position order, or one aggregate's events in sequence order,
//! exactly as stored.

use crate::db::{Conn, Db};
use crate::log::{LogError, LoggedEvent, COLUMNS};
use crate::{on_conn, on_db};

/// Up to `limit` events after `after`, in position order.
pub async fn read_after(db: &Db, after: i64, limit: i64) -> Result<Vec<LoggedEvent>, LogError> {
    let sql = after_sql();
    let events = on_db!(db, |pool| {
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        LoggedEvent::from_rows(&rows)?
    });
    Ok(events)
}

/// Up to `limit` events after `after`, in position order, read on `conn` (inside a
/// transaction, they include the events it has appended itself).
pub async fn read_after_on(
    mut conn: Conn<'_>,
    after: i64,
    limit: i64,
) -> Result<Vec<LoggedEvent>, LogError> {
    let sql = after_sql();
    let events = on_conn!(&mut conn, |c| sqlx::query(&sql)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *c)
        .await
        .and_then(|rows| LoggedEvent::from_rows(&rows))?);
    Ok(events)
}

/// Whether `events` hold the positions right after `after`, one after the other, unbroken.
pub fn follow(after: i64, events: &[LoggedEvent]) -> bool {
    (after + 1..)
        .zip(events)
        .all(|(expected, event)| event.position == expected)
}

/// The query for up to `$2` events after position `$1`, in position order.
fn after_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2"
    )
}

/// The query for every event of one aggregate (`$1` type, `$2` id), in sequence order.
pub(crate) fn aggregate_sql() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence")
}

/// Every event of one aggregate, in sequence order.
pub async fn read_aggregate(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Vec<LoggedEvent>, LogError> {
    let sql = aggregate_sql();
    let events = on_db!(db, |pool| {
        let rows = sqlx::query(&sql)
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch_all(pool)
            .await?;
        LoggedEvent::from_rows(&rows)?
    });
    Ok(events)
}

/// Every event of one aggregate type, in position order (for aggregates with few events).
pub async fn read_aggregate_type(
    db: &Db,
    aggregate_type: &str,
) -> Result<Vec<LoggedEvent>, LogError> {
    let sql =
        format!("SELECT {COLUMNS} FROM events WHERE aggregate_type = $1 ORDER BY global_position");
    let events = on_db!(db, |pool| {
        let rows = sqlx::query(&sql)
            .bind(aggregate_type)
            .fetch_all(pool)
            .await?;
        LoggedEvent::from_rows(&rows)?
    });
    Ok(events)
}

/// Every event of the aggregates of one type with these ids, in position order.
pub async fn read_aggregates(
    db: &Db,
    aggregate_type: &str,
    aggregate_ids: &[String],
) -> Result<Vec<LoggedEvent>, LogError> {
    let mut events = Vec::new();
    // In chunks, within every store's limit on bound parameters.
    for chunk in aggregate_ids.chunks(500) {
        let read = on_db!(db, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {COLUMNS} FROM events WHERE aggregate_type = "
            ));
            query
                .push_bind(aggregate_type)
                .push(" AND aggregate_id IN (");
            let mut ids = query.separated(", ");
            for id in chunk {
                ids.push_bind(id);
            }
            query.push(")");
            let rows = query.build().fetch_all(pool).await?;
            LoggedEvent::from_rows(&rows)?
        });
        events.extend(read);
    }
    events.sort_by_key(|event: &LoggedEvent| event.position);
    Ok(events)
}

/// The last position handed out (0 for an empty log).
pub async fn head_position(db: &Db) -> Result<i64, LogError> {
    let sql = "SELECT position FROM ledger_head WHERE id = 1";
    let position = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await?);
    Ok(position)
}

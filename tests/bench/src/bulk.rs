//! Loading events straight into the log (the insert trigger gives them their positions and
//! times), for measurements that need a large log fast.

use test_support::Store;

/// One event to load: the log's columns but the ones the trigger fills.
pub struct BulkEvent<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: &'a str,
    pub metadata: &'a str,
}

/// Events per statement: sqlx's SQLite binding slows with the square of a statement's
/// parameters.
const ROWS_PER_STATEMENT: usize = 90;

/// Appends `events` to the log of `db`, in their order.
pub async fn insert(
    db: &projections::Db,
    store: Store,
    events: &[BulkEvent<'_>],
) -> anyhow::Result<()> {
    let cast = match store {
        Store::Sqlite => "",
        Store::Postgres => "::json",
    };
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|n| {
                let p = |k: usize| format!("${}", n * 7 + k);
                let (a, b, c, d, e, f, g) = (p(1), p(2), p(3), p(4), p(5), p(6), p(7));
                format!("({a}, {b}, {c}, {d}, {e}, {f}{cast}, {g}{cast})")
            })
            .collect();
        let sql = format!(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES {}",
            values.join(", ")
        );
        projections::on_db!(db, |pool| {
            let mut query = sqlx::query(&sql);
            for event in chunk {
                query = query
                    .bind(event.aggregate_type)
                    .bind(event.aggregate_id)
                    .bind(event.sequence)
                    .bind(event.event_type)
                    .bind(event.event_version)
                    .bind(event.payload)
                    .bind(event.metadata);
            }
            query.execute(pool).await?;
        });
    }
    Ok(())
}

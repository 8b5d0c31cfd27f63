//! Rows of the log read back as events exactly as stored; a result whose columns are not the
//! log's (the wrong types, the wrong number) is refused, not decoded into wrong events.

mod common;

use common::{lifecycle, log_event};
use projections::{log, Db, LoggedEvent};

const CASE: &str = "0196a0b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b";

async fn events_read_back_as_stored(db: &Db) {
    let events = lifecycle(1);
    for (sequence, event) in (1..).zip(&events) {
        log_event(db, CASE, sequence, event).await;
    }
    let read = log::read_after(db, 0, 100).await.unwrap();
    assert_eq!(read.len(), events.len());
    for ((position, event), logged) in (1..).zip(&events).zip(&read) {
        assert_eq!(logged.position, position);
        assert_eq!(logged.sequence, position);
        assert_eq!(logged.aggregate_id, CASE);
        assert_eq!(logged.event_type, cqrs_es::DomainEvent::event_type(event));
        assert_eq!(&logged.decode::<domain::CaseEvent>().unwrap(), event);
    }
    assert_eq!(
        log::read_aggregate(db, "PermitCase", CASE).await.unwrap(),
        read
    );
}

/// Runs `sql` and reads its rows as events.
async fn rows_as_events(db: &Db, sql: &str) -> Result<Vec<LoggedEvent>, sqlx::Error> {
    projections::on_db!(db, |pool| {
        let rows = sqlx::query(sql).fetch_all(pool).await.unwrap();
        LoggedEvent::from_rows(&rows)
    })
}

async fn rows_not_shaped_as_the_log_are_refused(db: &Db) {
    let columns = |position: &str, payload: &str| {
        format!("SELECT {position}, 'now', 'PermitCase', 'id', CAST(1 AS BIGINT), 'Filed', '1.0', {payload}")
    };
    let text_position = columns("'one'", "'{}', '{}'");
    assert!(rows_as_events(db, &text_position).await.is_err());
    let integer_payload = columns("CAST(1 AS BIGINT)", "CAST(7 AS BIGINT), '{}'");
    assert!(rows_as_events(db, &integer_payload).await.is_err());
    let eight_columns = columns("CAST(1 AS BIGINT)", "'{}'");
    assert!(rows_as_events(db, &eight_columns).await.is_err());
    let right = columns("CAST(1 AS BIGINT)", "'{}', '{\"a\":\"b\"}'");
    let read = rows_as_events(db, &right).await.unwrap();
    assert_eq!(
        (read[0].position, read[0].metadata.as_str()),
        (1, r#"{"a":"b"}"#)
    );
}

/// On PostgreSQL the types are checked once per result, and the refusal says what it
/// expected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusals_name_the_column_and_the_type_expected() {
    test_support::scratch::on_scratch_db(test_support::Store::Postgres, |db| async move {
        let sql =
            "SELECT CAST(1 AS BIGINT), 'now', 'PermitCase', 'id', 1, 'Filed', '1.0', '{}', '{}'";
        let error = rows_as_events(&db, sql).await.unwrap_err().to_string();
        assert!(
            error.contains("column 4") && error.contains("expected an integer, found INT4"),
            "{error}"
        );
    })
    .await;
}

test_support::on_both_stores!(db:
    events_read_back_as_stored,
    rows_not_shaped_as_the_log_are_refused
);

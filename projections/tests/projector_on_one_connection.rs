//! The projector must make progress on a pool of one connection: everything it reads while
//! its transaction holds SQLite's write lock goes through that transaction. (Taking a second
//! pool connection there once deadlocked the server under 8 concurrent writers.)

use std::time::Duration;

mod common;

use domain::catalogue::Catalogue;
use projections::notices::NoticesProjection;
use projections::{Db, Projector, ReadModels};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::test]
async fn the_projector_needs_only_its_own_connection() {
    let path = std::env::temp_dir().join(format!(
        "projector-one-connection-{}.db",
        std::process::id()
    ));
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .unwrap();
    let db = Db::Sqlite(pool);
    db.migrate().await.unwrap();
    let day = common::day();
    for (sequence, event) in common::lifecycle(1).iter().enumerate() {
        common::log_event(
            &db,
            "0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8e",
            sequence as i64 + 1,
            event,
        )
        .await;
    }
    let projector = std::sync::Arc::new(Projector::new(
        db.clone(),
        ReadModels::new(
            NoticesProjection::new(Catalogue::bundled(), chrono_tz::Asia::Shanghai),
            domain::CaseServices::bundled(),
        ),
    ));
    let reached = tokio::time::timeout(Duration::from_secs(20), projector.catch_up())
        .await
        .expect("the projector deadlocked waiting for a second connection")
        .unwrap();
    assert_eq!(reached, 4);
    let notices = projections::listing_queries::unpublished_notices_until(&db, day)
        .await
        .unwrap();
    assert_eq!(notices.len(), 1);
    let _ = std::fs::remove_file(&path);
}

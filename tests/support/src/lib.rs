//! What every test of the permit ledger shares, written once: a scratch store of its own for
//! each test or measurement (a SQLite file, or a database on the PostgreSQL server the tests
//! use), [`on_both_stores!`] to run one test on each store, and the sample enterprises,
//! officers and applications tests file.
//!
//! - [`scratch`]: [`Store`], [`Scratch`], the PostgreSQL server ([`postgres_server`]).
//! - [`fixtures`]: enterprises, applicants, officers, a complete application.
//!
//! PostgreSQL must answer (scripts/test.sh starts the local cluster): tests that need it fail,
//! never skip, without it.

pub mod fixtures;
pub mod scratch;

pub use scratch::{postgres_server, Scratch, Store};

/// Runs each named async test function on SQLite and on PostgreSQL, as tests
/// `sqlite::NAME` and `postgres::NAME` (multi-threaded runtime, two workers).
///
/// - `on_both_stores!(a, b)`: `async fn a(store: Store)` gets the store and makes what it
///   needs of it.
/// - `on_both_stores!(db: a, b)`: `async fn a(db: &Db)` gets a migrated scratch database of
///   its own, removed after the test.
#[macro_export]
macro_rules! on_both_stores {
    (db: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::scratch::on_scratch_db($crate::Store::Sqlite, |db| async move {
                    super::$name(&db).await
                })
                .await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::scratch::on_scratch_db($crate::Store::Postgres, |db| async move {
                    super::$name(&db).await
                })
                .await;
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::Store::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::Store::Postgres).await
            })*
        }
    };
}

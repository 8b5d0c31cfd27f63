//! The database behind the ledger: SQLite (embedded default) or PostgreSQL, same schema and
//! same behaviour. The api decides which; everything here works on either.

mod transaction;

pub use transaction::{Conn, Tx};

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A connection pool to one of the two supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same sqlx code against whichever pool `db` holds: the body is written once and
/// type-checked for each database.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("store URL {0:?} is neither sqlite://PATH nor postgres://...")]
    UnknownScheme(String),
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens `url`: `sqlite://PATH` (created if missing; WAL with `synchronous=FULL`, so a
    /// commit survives power loss) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        let connect_error = |source| DbError::Connect {
            url: redact(url),
            source,
        };
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_error)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(connect_error)?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(connect_error)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(connect_error)?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::UnknownScheme(redact(url)))
        }
    }

    /// A handle on the same store for writes that need not wait for the disk: their commit
    /// returns before the write-ahead log is synced, which the next commit that waits (on
    /// any connection) does, and with it everything before. On SQLite a pool of one
    /// connection with `synchronous=NORMAL`; on PostgreSQL a small pool whose sessions have
    /// `synchronous_commit = off`, so that even a statement in autocommit does not wait.
    pub async fn without_waiting_for_disk(&self) -> Result<Db, sqlx::Error> {
        match self {
            Db::Sqlite(pool) => {
                let options = (*pool.connect_options())
                    .clone()
                    .synchronous(SqliteSynchronous::Normal);
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
            Db::Postgres(pool) => {
                let options = pool
                    .connect_options()
                    .as_ref()
                    .clone()
                    .options([("synchronous_commit", "off")]);
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Applies the schema migrations that have not been applied yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The most rows one multi-row statement binds on SQLite, given its columns: sqlx resolves
/// each bound parameter by scanning the statement's parameter names, so binding costs grow
/// with the square of a statement's parameters; a few hundred keeps that negligible.
pub const fn sqlite_rows_per_statement(columns: usize) -> usize {
    256 / columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/ledger.db"), "sqlite://data/ledger.db");
    }
}

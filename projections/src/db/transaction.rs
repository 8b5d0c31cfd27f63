//! Transactions and connections on either database, and the macros that run the same sqlx
//! code on whichever one is open.

use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

use crate::db::Db;

/// An open transaction on either database.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same sqlx code on the connection of whichever transaction `tx` (a `&mut Tx`)
/// holds; use `&mut *conn` as the executor.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        $crate::on_conn!(&mut $crate::db::Tx::conn($tx), |$conn| $body)
    };
}

/// A connection to read on, in a transaction or not.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs the same sqlx code on whichever connection `conn` (a `&mut Conn`) holds; use
/// `&mut *conn` as the executor.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                let $c = &mut **c;
                $body
            }
            $crate::db::Conn::Postgres(c) => {
                let $c = &mut **c;
                $body
            }
        }
    };
}

impl Db {
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// The transaction's connection, to read on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }

    /// Deletes every row of `table`. PostgreSQL truncates it: a rebuild then writes into an
    /// empty table and fresh indexes instead of beside a million dead rows (it waits for the
    /// transactions using the table, and they for it, until this one ends).
    pub async fn empty(&mut self, table: &'static str) -> Result<(), sqlx::Error> {
        let sql = match self {
            Tx::Sqlite(_) => format!("DELETE FROM {table}"),
            Tx::Postgres(_) => format!("TRUNCATE {table}"),
        };
        on_tx!(self, |conn| sqlx::query(&sql)
            .execute(&mut *conn)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Lets this transaction commit without waiting for its log to reach the disk
    /// (PostgreSQL's asynchronous commit; SQLite has no such setting per transaction). Only
    /// for writes whose loss harms nothing: a crash may lose the last few, all or nothing
    /// each, never out of order, and never one that a later commit which did wait depends
    /// on (the write-ahead log reaches the disk in order).
    pub async fn commit_without_waiting_for_disk(&mut self) -> Result<(), sqlx::Error> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }
}

//! Fresh, throw-away stores: a data directory of its own and, on PostgreSQL, a database of
//! its own on the server.

use std::future::Future;
use std::path::PathBuf;

use projections::Db;

/// The PostgreSQL server tests use (no database name): `PERMIT_LEDGER_TEST_POSTGRES`, or this
/// machine's cluster.
pub fn postgres_server() -> String {
    std::env::var("PERMIT_LEDGER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

impl Store {
    pub fn name(self) -> &'static str {
        match self {
            Store::Sqlite => "sqlite",
            Store::Postgres => "postgres",
        }
    }
}

/// A fresh data directory and, for PostgreSQL, a fresh database (on SQLite no server is
/// asked); both removed by
/// [`Scratch::remove`], or when dropped.
pub struct Scratch {
    pub data_dir: PathBuf,
    /// The PostgreSQL database's URL; None on SQLite (the file in the data directory).
    pub store_url: Option<String>,
    /// The server and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl Scratch {
    /// A scratch store on the tests' PostgreSQL server ([`postgres_server`]) or SQLite.
    pub async fn new(store: Store) -> anyhow::Result<Self> {
        Self::on_server(store, &postgres_server()).await
    }

    /// A scratch store; on PostgreSQL, a new database on `server` (a URL without database).
    pub async fn on_server(store: Store, server: &str) -> anyhow::Result<Self> {
        let data_dir =
            std::env::temp_dir().join(format!("permit-ledger-scratch-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&data_dir)?;
        let (store_url, postgres) = match store {
            Store::Sqlite => (None, None),
            Store::Postgres => {
                let name = format!("permit_ledger_scratch_{}", uuid::Uuid::now_v7().simple());
                administer(server, &format!("CREATE DATABASE {name}"))
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "PostgreSQL is required and does not answer at {server}: {e}"
                        )
                    })?;
                (
                    Some(format!("{server}/{name}")),
                    Some((server.to_owned(), name)),
                )
            }
        };
        Ok(Self {
            data_dir,
            store_url,
            postgres,
        })
    }

    /// The store's URL, as `--store` takes it.
    pub fn url(&self) -> String {
        self.store_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("ledger.db").display()))
    }

    pub async fn connect(&self) -> anyhow::Result<Db> {
        Ok(Db::connect(&self.url()).await?)
    }

    /// Removes the data directory and drops the database.
    pub async fn remove(mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((server, name)) = self.postgres.take() {
            let _ = administer(&server, &drop_database(&name)).await;
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((server, name)) = self.postgres.take() {
            // From a plain thread: Drop cannot await, and the caller's runtime may be ending.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    let _ = runtime.block_on(administer(&server, &drop_database(&name)));
                }
            })
            .join();
        }
    }
}

fn drop_database(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
}

/// Runs `sql` on the maintenance database of `server`.
pub async fn administer(server: &str, sql: &str) -> Result<(), sqlx::Error> {
    let admin = sqlx::PgPool::connect(&format!("{server}/postgres")).await?;
    let outcome = sqlx::query(sql).execute(&admin).await;
    admin.close().await;
    outcome.map(|_| ())
}

/// Runs `test` on a migrated scratch database of `store`, then removes it.
pub async fn on_scratch_db<F, Fut>(store: Store, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let scratch = Scratch::new(store).await.expect("a scratch store");
    let db = scratch.connect().await.expect("the scratch store opens");
    db.migrate().await.expect("the schema migrates");
    test(db.clone()).await;
    db.close().await;
    scratch.remove().await;
}

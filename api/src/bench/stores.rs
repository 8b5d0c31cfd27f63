//! Fresh, throw-away stores for each measurement.

use std::path::PathBuf;

use projections::Db;

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

/// A fresh data directory and, for PostgreSQL, a fresh database; both removed on drop.
pub struct Scratch {
    pub data_dir: PathBuf,
    pub store_url: Option<String>,
    postgres: Option<(String, String)>,
}

impl Scratch {
    pub async fn new(store: Store, postgres: Option<&str>) -> anyhow::Result<Self> {
        let data_dir =
            std::env::temp_dir().join(format!("permit-ledger-bench-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&data_dir)?;
        let (store_url, postgres) = match store {
            Store::Sqlite => (None, None),
            Store::Postgres => {
                let server =
                    postgres.ok_or_else(|| anyhow::anyhow!("no PostgreSQL server given"))?;
                let name = format!("permit_ledger_bench_{}", uuid::Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(&format!("{server}/postgres")).await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await?;
                admin.close().await;
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

    pub fn url(&self) -> String {
        self.store_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("ledger.db").display()))
    }

    /// Server settings on this scratch store: any free port, Asia/Shanghai.
    pub fn settings(&self) -> crate::settings::Settings {
        crate::settings::Settings {
            data_dir: self.data_dir.clone(),
            store: self.store_url.clone(),
            listen: "127.0.0.1:0".parse().expect("a socket address"),
            time_zone: chrono_tz::Asia::Shanghai,
            public_url: None,
        }
    }

    pub async fn connect(&self) -> anyhow::Result<Db> {
        Ok(Db::connect(&self.url()).await?)
    }

    pub async fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((server, name)) = &self.postgres {
            if let Ok(admin) = sqlx::PgPool::connect(&format!("{server}/postgres")).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
            }
        }
    }
}

//! Settings the ledger keeps with its log, fixed by the first server or tool that opens it:
//! the business time zone, which decides the day every event falls on, and so what
//! every published day lists. A published day never changes, so neither may it. And
//! the fingerprint of the master key that wraps the personal-data keys.

use crate::case_queries::QueryError;
use crate::db::Db;
use crate::on_db;

/// The ledger's business time zone: the one it was created with, or `proposed` if it has
/// none yet (then fixed as `proposed`).
pub async fn time_zone(db: &Db, proposed: &str) -> Result<String, QueryError> {
    Ok(fixed(db, "time_zone", proposed).await?)
}

/// The setting `name` as fixed, or `proposed` if it has none yet (then fixed as `proposed`):
/// the first server or tool to open the ledger decides it.
pub async fn fixed(db: &Db, name: &str, proposed: &str) -> Result<String, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO ledger_settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(proposed)
        .execute(pool)
        .await?;
        sqlx::query_scalar::<_, String>("SELECT value FROM ledger_settings WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await
    })
}

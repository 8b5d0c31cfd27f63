//! Settings the ledger keeps with its log, fixed by the first server or tool that opens it:
//! today the business time zone, which decides the day every event falls on, and so what
//! every published day lists. A published day never changes, so neither may it.

use crate::case_queries::QueryError;
use crate::db::Db;
use crate::on_db;

/// The ledger's business time zone: the one it was created with, or `proposed` if it has
/// none yet (then fixed as `proposed`).
pub async fn time_zone(db: &Db, proposed: &str) -> Result<String, QueryError> {
    let stored = on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO ledger_settings (name, value) VALUES ('time_zone', $1) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(proposed)
        .execute(pool)
        .await?;
        sqlx::query_scalar::<_, String>(
            "SELECT value FROM ledger_settings WHERE name = 'time_zone'",
        )
        .fetch_one(pool)
        .await?
    });
    Ok(stored)
}

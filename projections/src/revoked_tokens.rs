//! The ids of bearer tokens revoked before they expire, shared by every server on the store.

use crate::db::Db;
use crate::on_db;

/// Revokes the token `token_id`; false if it was revoked already.
pub async fn revoke(db: &Db, token_id: &str, at: &str) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO revoked_tokens (token_id, revoked_at) VALUES ($1, $2) \
             ON CONFLICT (token_id) DO NOTHING",
        )
        .bind(token_id)
        .bind(at)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(done > 0)
}

/// Every revoked token's id.
pub async fn revoked(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, String>("SELECT token_id FROM revoked_tokens")
            .fetch_all(pool)
            .await
    })
}

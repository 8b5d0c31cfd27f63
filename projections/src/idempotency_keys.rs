//! Idempotency keys of writes, shared by every server on the store: claimed when a keyed
//! request is first handled, answered once it is, forgotten after a day.

use crate::db::Db;
use crate::on_db;

/// A key as stored: whose, for which request, and what it was answered, if it was.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredKey {
    pub scope: String,
    pub idempotency_key: String,
    /// SHA-256 (hex) of the request the key was first sent with.
    pub request_digest: String,
    /// Which handling of the request holds the key (also in the metadata of its events).
    pub claim_id: String,
    /// The case the request is about, if any (a filing's is allocated with the claim).
    pub case_id: Option<String>,
    /// What the request answers when it succeeds.
    pub success_status: i64,
    pub claimed_at: String,
    /// What it was answered; None while it is being handled.
    pub status: Option<i64>,
    /// JSON the answer is made again from.
    pub outcome: Option<String>,
}

const COLUMNS: &str = "scope, idempotency_key, request_digest, claim_id, case_id, \
                       success_status, claimed_at, status, outcome";

/// Claims `key` for a request not yet answered; if the key is held already, returns it as
/// stored (the caller decides whether it is the same request).
pub async fn claim(db: &Db, key: &StoredKey) -> Result<Option<StoredKey>, sqlx::Error> {
    let inserted = on_db!(db, |pool| sqlx::query(
        "INSERT INTO idempotency_keys (scope, idempotency_key, request_digest, claim_id, \
         case_id, success_status, claimed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (scope, idempotency_key) DO NOTHING"
    )
    .bind(&key.scope)
    .bind(&key.idempotency_key)
    .bind(&key.request_digest)
    .bind(&key.claim_id)
    .bind(&key.case_id)
    .bind(key.success_status)
    .bind(&key.claimed_at)
    .execute(pool)
    .await?
    .rows_affected());
    if inserted > 0 {
        return Ok(None);
    }
    find(db, &key.scope, &key.idempotency_key).await
}

/// The key `idempotency_key` of `scope`, as stored.
pub async fn find(
    db: &Db,
    scope: &str,
    idempotency_key: &str,
) -> Result<Option<StoredKey>, sqlx::Error> {
    let query =
        format!("SELECT {COLUMNS} FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2");
    on_db!(db, |pool| sqlx::query_as::<_, StoredKey>(&query)
        .bind(scope)
        .bind(idempotency_key)
        .fetch_optional(pool)
        .await)
}

/// Hands a claim nobody answered over to `new_claim_id`, claimed at `at`; false if another
/// handling took it over or answered it first.
pub async fn take_over(
    db: &Db,
    held: &StoredKey,
    new_claim_id: &str,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let updated = on_db!(db, |pool| sqlx::query(
        "UPDATE idempotency_keys SET claim_id = $1, claimed_at = $2 \
         WHERE scope = $3 AND idempotency_key = $4 AND claim_id = $5 AND status IS NULL"
    )
    .bind(new_claim_id)
    .bind(at)
    .bind(&held.scope)
    .bind(&held.idempotency_key)
    .bind(&held.claim_id)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(updated > 0)
}

/// Records the answer of the handling that holds `claimed` (its `claim_id`); false if it no
/// longer holds the key.
pub async fn answer(
    db: &Db,
    claimed: &StoredKey,
    status: u16,
    outcome: &str,
) -> Result<bool, sqlx::Error> {
    let updated = on_db!(db, |pool| sqlx::query(
        "UPDATE idempotency_keys SET status = $1, outcome = $2 \
         WHERE scope = $3 AND idempotency_key = $4 AND claim_id = $5"
    )
    .bind(i64::from(status))
    .bind(outcome)
    .bind(&claimed.scope)
    .bind(&claimed.idempotency_key)
    .bind(&claimed.claim_id)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(updated > 0)
}

/// Gives up the claim of the handling that holds `claimed` (its request failed for the
/// server's reasons, not the client's, and may be sent again under the same key).
pub async fn release(db: &Db, claimed: &StoredKey) -> Result<(), sqlx::Error> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2 \
         AND claim_id = $3"
    )
    .bind(&claimed.scope)
    .bind(&claimed.idempotency_key)
    .bind(&claimed.claim_id)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(())
}

/// Forgets the keys claimed before `before` (a log timestamp); returns how many.
pub async fn forget_claimed_before(db: &Db, before: &str) -> Result<u64, sqlx::Error> {
    Ok(on_db!(db, |pool| sqlx::query(
        "DELETE FROM idempotency_keys WHERE claimed_at < $1"
    )
    .bind(before)
    .execute(pool)
    .await?
    .rows_affected()))
}

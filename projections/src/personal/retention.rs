//! Which keys are due for destruction: those of enterprises whose every case has been closed
//! for longer than the retention period, and those whose erasure is recorded in the log but
//! not yet carried out (a server stopped between the two).

use domain::values::CreditCode;
use domain::CaseStatus;

use crate::db::Db;
use crate::on_db;

/// A case is finished once it will not move again of itself: closed, or its certificate
/// delivered. Until then its contacts serve their purpose.
fn unfinished_statuses() -> String {
    CaseStatus::ALL
        .into_iter()
        .filter(|s| s.is_open() || matches!(s, CaseStatus::Issued | CaseStatus::Dispatched))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The live keys of enterprises that have cases, every one finished, the last by an event
/// recorded before `cutoff` (a log timestamp): key id and credit code.
pub async fn past_retention(
    db: &Db,
    cutoff: &str,
) -> Result<Vec<(String, CreditCode)>, sqlx::Error> {
    let query = format!(
        "SELECT k.key_id, substr(k.subject, 12) FROM personal_keys k \
         WHERE k.wrapped_key IS NOT NULL AND k.subject LIKE 'enterprise:%' \
         AND EXISTS (SELECT 1 FROM case_state c WHERE c.credit_code = substr(k.subject, 12)) \
         AND NOT EXISTS (SELECT 1 FROM case_state c \
             JOIN events e ON e.global_position = c.last_position \
             WHERE c.credit_code = substr(k.subject, 12) \
             AND (c.status IN ({}) OR e.recorded_at >= $1)) \
         ORDER BY k.key_id",
        unfinished_statuses()
    );
    let rows: Vec<(String, String)> = on_db!(db, |pool| {
        sqlx::query_as(&query).bind(cutoff).fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(key_id, code)| Some((key_id, CreditCode::parse(&code).ok()?)))
        .collect())
}

/// Live keys whose erasure the log records: to be destroyed now.
pub async fn erased_but_live(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, String>(
            "SELECT k.key_id FROM personal_keys k JOIN events e \
             ON e.aggregate_type = 'SubjectErasure' AND e.aggregate_id = k.key_id \
             WHERE k.wrapped_key IS NOT NULL",
        )
        .fetch_all(pool)
        .await
    })
}

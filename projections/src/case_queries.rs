//! Reading the case-state projection: one case, or a worklist.

use chrono::NaiveDate;
use domain::supervision::Warning;
use domain::values::{BureauCode, CaseId, CreditCode, ItemCode};
use domain::CaseStatus;
use sqlx::Row;

use crate::case_projection::warning_sql;
use crate::case_view::CaseView;
use crate::db::{Conn, Db};
use crate::{on_conn, on_db};

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("database error reading cases: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored case view does not decode: {0}")]
    StoredView(#[from] serde_json::Error),
    #[error(
        "the leaves of the positions after {after} up to {through} are not all recorded yet (found {found}): \
         the projector has not caught up with the log"
    )]
    LeavesNotRecorded {
        after: i64,
        through: i64,
        found: usize,
    },
}

/// Which cases to list. Every filter that is set must match.
#[derive(Debug, Clone, Default)]
pub struct Worklist {
    pub bureau: Option<BureauCode>,
    pub status: Option<CaseStatus>,
    pub credit_code: Option<CreditCode>,
    pub item_code: Option<ItemCode>,
    /// Only the open cases at this warning on `today`.
    pub warning: Option<Warning>,
    /// Only the permits awaiting this from their bureau: `amendment` (see
    /// [`CaseView::pending_amendment`]), `renewal` or `renewal_decision`
    /// ([`CaseView::pending_renewal`]).
    pub pending: Option<&'static str>,
    /// Only the permits whose check after issuance is `due`, or `overdue` on `today`.
    pub check: Option<&'static str>,
    /// The business date warnings are read on.
    pub today: NaiveDate,
    pub limit: u32,
    pub offset: u32,
}

pub async fn case(db: &Db, case_id: &str) -> Result<Option<CaseView>, QueryError> {
    let text: Option<String> = on_db!(db, |pool| {
        sqlx::query_scalar("SELECT view FROM case_state WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

/// Cases matching `worklist`, the most urgent first: past the statutory deadline, past the
/// committed one, close to it, then by committed deadline and the oldest filing.
pub async fn worklist(db: &Db, worklist: &Worklist) -> Result<Vec<CaseView>, QueryError> {
    let sql = format!(
        "SELECT view FROM (SELECT view, COALESCE(due_on, check_due) AS due_on, filed_at, \
           case_id, {} AS warning \
           FROM case_state \
           WHERE ($1 IS NULL OR bureau = $1) AND ($2 IS NULL OR status = $2) \
             AND ($3 IS NULL OR credit_code = $3) AND ($4 IS NULL OR item_code = $4) \
             AND ($9 IS NULL OR pending = $9 OR pending_renewal = $9) \
             AND ($10 IS NULL OR ($10 = 'due' AND check_due IS NOT NULL) \
                  OR ($10 = 'overdue' AND check_due < $8))) AS listed \
         WHERE ($5 IS NULL OR warning = $5) \
         ORDER BY CASE warning WHEN 'breach' THEN 0 WHEN 'red' THEN 1 WHEN 'yellow' THEN 2 \
           ELSE 3 END, COALESCE(due_on, '9999-12-31'), filed_at, case_id LIMIT $6 OFFSET $7",
        warning_sql("$8")
    );
    let today = domain::iso_date::text(worklist.today);
    let texts: Vec<String> = on_db!(db, |pool| {
        sqlx::query(&sql)
            .bind(worklist.bureau.as_ref().map(|b| b.as_str()))
            .bind(worklist.status.map(|s| s.as_str()))
            .bind(worklist.credit_code.as_ref().map(|c| c.as_str()))
            .bind(worklist.item_code.as_ref().map(|i| i.as_str()))
            .bind(worklist.warning.map(|w| w.as_str()))
            .bind(i64::from(worklist.limit))
            .bind(i64::from(worklist.offset))
            .bind(&today)
            .bind(worklist.pending)
            .bind(worklist.check)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("view"))
            .collect::<Result<_, _>>()?
    });
    texts
        .iter()
        .map(|t| serde_json::from_str(t).map_err(QueryError::from))
        .collect()
}

/// The cases whose permit is in force with a last day of validity before `today`, the
/// longest expired first, at most `limit`.
pub async fn in_force_until_before(
    db: &Db,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<CaseId>, QueryError> {
    let ids: Vec<String> = on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT case_id FROM case_state WHERE valid_until < $1 \
             ORDER BY valid_until, case_id LIMIT $2",
        )
        .bind(domain::iso_date::text(today))
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    ids.iter()
        .map(|id| CaseId::parse(id).map_err(|e| QueryError::Db(sqlx::Error::Decode(Box::new(e)))))
        .collect()
}

/// Every row of the projection, in case id order: for comparing a rebuild with the live rows.
pub async fn all_rows(
    db: &Db,
) -> Result<Vec<(String, String, String, i64, i64, String)>, QueryError> {
    let rows = on_db!(db, |pool| {
        sqlx::query(
            "SELECT case_id, bureau, status, version, last_position, view FROM case_state ORDER BY case_id",
        )
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok::<_, sqlx::Error>((
                row.try_get("case_id")?,
                row.try_get("bureau")?,
                row.try_get("status")?,
                row.try_get("version")?,
                row.try_get("last_position")?,
                row.try_get("view")?,
            ))
        })
        .collect::<Result<Vec<_>, _>>()?
    });
    Ok(rows)
}

/// The number of rows of `table` and a SHA-256 over them (columns as text, in `order_by`
/// order), as `conn` sees them: for comparing a rebuilt projection with the live one.
pub async fn table_digest(
    mut conn: Conn<'_>,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> Result<(usize, String), QueryError> {
    use sha2::{Digest, Sha256};
    // Aliases unlike the column names, so ORDER BY sorts by the column, not its text.
    let select: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("CAST({c} AS TEXT) AS v{i}"))
        .collect();
    let sql = format!(
        "SELECT {} FROM {table} ORDER BY {table}.{order_by}",
        select.join(", ")
    );
    let mut hasher = Sha256::new();
    let rows = on_conn!(&mut conn, |c| {
        let rows = sqlx::query(&sql).fetch_all(&mut *c).await?;
        for row in &rows {
            for i in 0..columns.len() {
                let value: Option<String> = row.try_get(i)?;
                hasher.update(value.unwrap_or_else(|| "\u{0}NULL".to_owned()).as_bytes());
                hasher.update([0x1f]);
            }
            hasher.update([0x1e]);
        }
        rows.len()
    });
    Ok((rows, hex::encode(hasher.finalize())))
}

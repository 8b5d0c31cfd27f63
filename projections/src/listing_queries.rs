//! Reading the public listings: published days and their notices.

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::case_queries::QueryError;
use crate::db::Db;
use crate::notices::PublicNotice;
use crate::on_db;

/// A published day, as its DayPublished event recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedDay {
    pub day: NaiveDate,
    pub position: i64,
    pub published_at: String,
    pub count: i64,
    pub digest: String,
}

/// The listing digest a DayPublished event carries: SHA-256 over the day's notices (in position
/// order) as compact JSON with object keys sorted, UTF-8 unescaped: the JSON archive's
/// `_permit_ledger.notices` re-serialised that way (Python: `json.dumps(notices,
/// ensure_ascii=False, separators=(",", ":"), sort_keys=True)`) gives the same bytes.
pub fn listing_digest(notices: &[PublicNotice]) -> String {
    // Through Value: its maps keep keys sorted, whatever the struct's field order.
    let value = serde_json::to_value(notices).expect("notices always serialise");
    let bytes = serde_json::to_vec(&value).expect("a JSON value always serialises");
    hex::encode(Sha256::digest(bytes))
}

fn parse_day(text: &str) -> Result<NaiveDate, QueryError> {
    text.parse()
        .map_err(|e: chrono::ParseError| QueryError::Db(sqlx::Error::Decode(Box::new(e))))
}

fn decode_notices(texts: Vec<String>) -> Result<Vec<PublicNotice>, QueryError> {
    texts
        .iter()
        .map(|t| serde_json::from_str(t).map_err(QueryError::from))
        .collect()
}

/// The log position of the first day published after `position`, if there is one yet.
pub async fn first_publication_after(db: &Db, position: i64) -> Result<Option<i64>, QueryError> {
    let first: Option<i64> = on_db!(db, |pool| {
        sqlx::query_scalar("SELECT MIN(position) FROM published_days WHERE position > $1")
            .bind(position)
            .fetch_one(pool)
            .await?
    });
    Ok(first)
}

/// Notices not yet in any published listing whose day is `day` or earlier, in position order.
pub async fn unpublished_notices_until(
    db: &Db,
    day: NaiveDate,
) -> Result<Vec<PublicNotice>, QueryError> {
    let texts: Vec<String> = on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT notice FROM public_notices WHERE published_day IS NULL AND day <= $1 ORDER BY position",
        )
        .bind(day.to_string())
        .fetch_all(pool)
        .await?
    });
    decode_notices(texts)
}

/// The notices published in `day`'s listing, in position order.
pub async fn notices_published_on(
    db: &Db,
    day: NaiveDate,
) -> Result<Vec<PublicNotice>, QueryError> {
    let texts: Vec<String> = on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT notice FROM public_notices WHERE published_day = $1 ORDER BY position",
        )
        .bind(day.to_string())
        .fetch_all(pool)
        .await?
    });
    decode_notices(texts)
}

/// Every published notice about one permit, oldest first.
pub async fn notices_for_permit(
    db: &Db,
    permit_number: &str,
) -> Result<Vec<PublicNotice>, QueryError> {
    let texts: Vec<String> = on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT notice FROM public_notices WHERE permit_number = $1 AND published_day IS NOT NULL \
             ORDER BY position",
        )
        .bind(permit_number)
        .fetch_all(pool)
        .await?
    });
    decode_notices(texts)
}

/// The most recent published days, newest first.
pub async fn published_days(db: &Db, limit: i64) -> Result<Vec<PublishedDay>, QueryError> {
    let rows = on_db!(db, |pool| {
        sqlx::query("SELECT day, position, published_at, count, digest FROM published_days ORDER BY day DESC LIMIT $1")
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok::<_, sqlx::Error>((
                    row.try_get::<String, _>("day")?,
                    row.try_get::<i64, _>("position")?,
                    row.try_get::<String, _>("published_at")?,
                    row.try_get::<i64, _>("count")?,
                    row.try_get::<String, _>("digest")?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()?
    });
    rows.into_iter()
        .map(|(day, position, published_at, count, digest)| {
            Ok(PublishedDay {
                day: parse_day(&day)?,
                position,
                published_at,
                count,
                digest,
            })
        })
        .collect()
}

pub async fn published_day(db: &Db, day: NaiveDate) -> Result<Option<PublishedDay>, QueryError> {
    let row = on_db!(db, |pool| {
        sqlx::query(
            "SELECT position, published_at, count, digest FROM published_days WHERE day = $1",
        )
        .bind(day.to_string())
        .fetch_optional(pool)
        .await?
        .map(|row| {
            Ok::<_, sqlx::Error>((
                row.try_get::<i64, _>("position")?,
                row.try_get::<String, _>("published_at")?,
                row.try_get::<i64, _>("count")?,
                row.try_get::<String, _>("digest")?,
            ))
        })
        .transpose()?
    });
    Ok(
        row.map(|(position, published_at, count, digest)| PublishedDay {
            day,
            position,
            published_at,
            count,
            digest,
        }),
    )
}

/// The first published day (where the archive chain starts).
pub async fn first_published_day(db: &Db) -> Result<Option<NaiveDate>, QueryError> {
    let day: Option<String> = on_db!(db, |pool| {
        sqlx::query_scalar("SELECT MIN(day) FROM published_days")
            .fetch_one(pool)
            .await?
    });
    day.as_deref().map(parse_day).transpose()
}

/// The recorded-at of the first and of the last event in the log.
pub async fn log_time_span(db: &Db) -> Result<Option<(String, String)>, QueryError> {
    let span: (Option<String>, Option<String>) = on_db!(db, |pool| {
        let row = sqlx::query(
            "SELECT (SELECT recorded_at FROM events WHERE global_position = 1) AS first, \
                    (SELECT recorded_at FROM ledger_head WHERE id = 1) AS last",
        )
        .fetch_one(pool)
        .await?;
        (row.try_get("first")?, row.try_get("last")?)
    });
    Ok(match span {
        (Some(first), Some(last)) => Some((first, last)),
        _ => None,
    })
}

/// The log position of the latest publication (0 before the first): what a rendered feed or
/// listing depends on.
pub async fn latest_publication_position(db: &Db) -> Result<i64, QueryError> {
    let position: Option<i64> = on_db!(db, |pool| {
        sqlx::query_scalar("SELECT MAX(position) FROM published_days")
            .fetch_one(pool)
            .await?
    });
    Ok(position.unwrap_or(0))
}

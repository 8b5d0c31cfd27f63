//! The public notices projection: every permit issued or revoked becomes a notice carrying only
//! public fields, assigned to the day (publication time zone) its event was recorded; the
//! DayPublished events mark which notices each day's listing holds.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::catalogue::Catalogue;
use domain::publication::PublicationEvent;
use domain::values::{BureauCode, CreditCode, ItemCode, PermitNumber};
use domain::CaseEvent;
use serde::{Deserialize, Serialize};

use crate::case_view::CaseView;
use crate::log::{self, LoggedEvent};
use crate::on_tx;
use crate::projector::{Projection, ProjectionError, Projector, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Issued,
    Revoked,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Issued => "issued",
            NoticeKind::Revoked => "revoked",
        }
    }
}

/// What the public learns of a permit event. Nothing private: no contacts, materials,
/// review findings or internal reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNotice {
    pub id: String,
    pub kind: NoticeKind,
    pub permit_number: PermitNumber,
    pub enterprise_name: String,
    pub credit_code: CreditCode,
    pub item_code: ItemCode,
    pub item_name: String,
    pub scope: String,
    pub bureau: BureauCode,
    pub bureau_name: String,
    pub issued_on: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
    /// The revocation decision's stated ground (a public decision, not an internal note).
    pub revocation_reason: Option<String>,
    /// Revoked for a false commitment: the enterprise is on the public blacklist.
    pub blacklisted: bool,
    pub recorded_at: String,
    pub day: NaiveDate,
    /// Position in the log of the event behind the notice.
    pub position: i64,
}

/// The notice id for the event at `position`: fixed once the event is in the log.
pub fn notice_id(position: i64) -> String {
    format!("urn:permit-ledger:notice:{position}")
}

/// The calendar day of a log timestamp in `time_zone`.
pub fn day_of(recorded_at: &str, time_zone: Tz) -> Option<NaiveDate> {
    let at: DateTime<Utc> = recorded_at.parse().ok()?;
    Some(at.with_timezone(&time_zone).date_naive())
}

pub struct NoticesProjection {
    catalogue: Catalogue,
    time_zone: Tz,
}

pub type NoticesProjector = Projector<NoticesProjection>;

impl NoticesProjection {
    pub fn new(catalogue: Catalogue, time_zone: Tz) -> Self {
        Self {
            catalogue,
            time_zone,
        }
    }

    /// The notice for a permit event, built from the case as it stood after that event.
    /// Reads the case through the projector's own transaction: taking another pool connection
    /// while the transaction holds SQLite's write lock can starve the pool and deadlock.
    async fn notice_for(
        &self,
        tx: &mut Tx,
        event: &LoggedEvent,
        kind: NoticeKind,
    ) -> Result<PublicNotice, ProjectionError> {
        let sql = log::aggregate_sql();
        let history: Vec<LoggedEvent> = on_tx!(tx, |conn| {
            let rows = sqlx::query(&sql)
                .bind(&event.aggregate_type)
                .bind(&event.aggregate_id)
                .fetch_all(&mut *conn)
                .await
                .map_err(ProjectionError::db(Self::NAME))?;
            rows.iter()
                .map(LoggedEvent::from_row)
                .collect::<Result<Vec<_>, _>>()
                .map_err(ProjectionError::db(Self::NAME))?
        });
        let upto: Vec<&LoggedEvent> = history
            .iter()
            .filter(|e| e.sequence <= event.sequence)
            .collect();
        let case = CaseView::replay(upto)?
            .ok_or(crate::case_view::FoldError::BeforeFiling(event.position))?;
        let permit = case
            .permit
            .clone()
            .ok_or(crate::case_view::FoldError::BeforeFiling(event.position))?;
        let bureau_name = self
            .catalogue
            .city_bureau(&case.bureau)
            .map(|b| b.name.clone())
            .unwrap_or_else(|| case.bureau.to_string());
        let day = day_of(&event.recorded_at, self.time_zone).ok_or_else(|| {
            ProjectionError::StoredRow {
                projector: Self::NAME,
                key: format!("recorded_at at {}", event.position),
                source: serde::de::Error::custom("not an RFC 3339 time"),
            }
        })?;
        Ok(PublicNotice {
            id: notice_id(event.position),
            kind,
            permit_number: permit.permit_number,
            enterprise_name: case.enterprise_name,
            credit_code: case.credit_code,
            item_code: case.item_code,
            item_name: case.item_name,
            scope: permit.scope,
            bureau: case.bureau,
            bureau_name,
            issued_on: permit.issued_on,
            valid_from: permit.valid_from,
            valid_until: permit.valid_until,
            revoked_on: case.revocation.as_ref().map(|r| r.revoked_on),
            revocation_reason: case.revocation.as_ref().map(|r| r.reason.clone()),
            blacklisted: case.revocation.as_ref().is_some_and(|r| r.false_commitment),
            recorded_at: event.recorded_at.clone(),
            day,
            position: event.position,
        })
    }
}

#[async_trait]
impl Projection for NoticesProjection {
    const NAME: &'static str = "public_notices";

    async fn apply(&self, tx: &mut Tx, events: &[LoggedEvent]) -> Result<(), ProjectionError> {
        let db_error = ProjectionError::db(Self::NAME);
        for event in events {
            match (event.aggregate_type.as_str(), event.event_type.as_str()) {
                ("PermitCase", "PermitIssued" | "PermitRevoked") => {
                    let kind = match event.decode::<CaseEvent>()? {
                        CaseEvent::PermitRevoked { .. } => NoticeKind::Revoked,
                        _ => NoticeKind::Issued,
                    };
                    let notice = self.notice_for(&mut *tx, event, kind).await?;
                    let json = serde_json::to_string(&notice).expect("a notice always serialises");
                    on_tx!(&mut *tx, |conn| {
                        sqlx::query(
                        "INSERT INTO public_notices (position, notice_id, day, kind, permit_number, \
                           bureau, item_code, published_day, notice) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)"
                    )
                    .bind(notice.position)
                    .bind(&notice.id)
                    .bind(notice.day.to_string())
                    .bind(kind.as_str())
                    .bind(notice.permit_number.as_str())
                    .bind(notice.bureau.as_str())
                    .bind(notice.item_code.as_str())
                    .bind(json)
                    .execute(&mut *conn)
                    .await
                    .map_err(&db_error)?
                    .rows_affected()
                    });
                }
                ("DailyPublication", _) => {
                    let PublicationEvent::DayPublished {
                        day,
                        notices,
                        count,
                        digest,
                    } = event.decode::<PublicationEvent>()?;
                    on_tx!(&mut *tx, |conn| sqlx::query(
                        "INSERT INTO published_days (day, position, published_at, count, digest) \
                         VALUES ($1, $2, $3, $4, $5)"
                    )
                    .bind(day.to_string())
                    .bind(event.position)
                    .bind(&event.recorded_at)
                    .bind(i64::from(count))
                    .bind(&digest)
                    .execute(&mut *conn)
                    .await
                    .map_err(&db_error)?
                    .rows_affected());
                    for id in &notices {
                        on_tx!(&mut *tx, |conn| sqlx::query(
                            "UPDATE public_notices SET published_day = $1 WHERE notice_id = $2"
                        )
                        .bind(day.to_string())
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(&db_error)?
                        .rows_affected());
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        let db_error = ProjectionError::db(Self::NAME);
        for table in ["public_notices", "published_days"] {
            on_tx!(&mut *tx, |conn| sqlx::query(&format!(
                "DELETE FROM {table}"
            ))
            .execute(&mut *conn)
            .await
            .map_err(&db_error)?
            .rows_affected());
        }
        Ok(())
    }
}

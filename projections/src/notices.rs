//! The public notices projection: every permit issued, amended, renewed, cancelled, expired or
//! revoked becomes a notice carrying only public fields, assigned to the day (publication time
//! zone) its event was recorded; the DayPublished events mark which notices each day's listing
//! holds.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::catalogue::Catalogue;
use domain::permit_case::{AmendableField, CancellationGround};
use domain::publication::PublicationEvent;
use domain::values::{BureauCode, CreditCode, ItemCode, PermitNumber};
use serde::{Deserialize, Serialize};

use crate::case_view::CaseView;
use sqlx::QueryBuilder;

use crate::db::sqlite_rows_per_statement;
use crate::db::Tx;
use crate::log::LoggedEvent;
use crate::on_tx;
use crate::postgres_writes::PostgresWrites;
use crate::projection::ProjectionError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Issued,
    Amended,
    Renewed,
    Cancelled,
    Expired,
    Revoked,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::Issued,
        NoticeKind::Amended,
        NoticeKind::Renewed,
        NoticeKind::Cancelled,
        NoticeKind::Expired,
        NoticeKind::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Issued => "issued",
            NoticeKind::Amended => "amended",
            NoticeKind::Renewed => "renewed",
            NoticeKind::Cancelled => "cancelled",
            NoticeKind::Expired => "expired",
            NoticeKind::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// What an `amended` notice changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeAmendment {
    pub field: AmendableField,
    pub old_value: Option<String>,
    pub new_value: String,
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
    #[serde(with = "domain::iso_date")]
    pub issued_on: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_from: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_until: NaiveDate,
    #[serde(default, with = "domain::iso_date::option")]
    pub revoked_on: Option<NaiveDate>,
    /// The revocation decision's stated ground (a public decision, not an internal note).
    pub revocation_reason: Option<String>,
    /// Revoked for a false commitment: the enterprise is on the public blacklist.
    pub blacklisted: bool,
    /// The change an `amended` notice announces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amendment: Option<NoticeAmendment>,
    /// A `renewed` notice: renewed by law, the renewal not decided before the validity ended.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub renewed_by_law: bool,
    #[serde(
        default,
        with = "domain::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cancelled_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_ground: Option<CancellationGround>,
    #[serde(
        default,
        with = "domain::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expired_on: Option<NaiveDate>,
    pub recorded_at: String,
    #[serde(with = "domain::iso_date")]
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

const NAME: &str = "public_notices";

impl NoticeKind {
    /// The notice a logged event makes public, if any.
    pub fn of(event: &LoggedEvent) -> Option<NoticeKind> {
        match (event.aggregate_type.as_str(), event.event_type.as_str()) {
            ("PermitCase", "PermitIssued") => Some(NoticeKind::Issued),
            ("PermitCase", "PermitAmended") => Some(NoticeKind::Amended),
            ("PermitCase", "PermitRenewed") => Some(NoticeKind::Renewed),
            ("PermitCase", "PermitCancelled") => Some(NoticeKind::Cancelled),
            ("PermitCase", "PermitExpired") => Some(NoticeKind::Expired),
            ("PermitCase", "PermitRevoked") => Some(NoticeKind::Revoked),
            _ => None,
        }
    }
}

impl NoticesProjection {
    pub fn new(catalogue: Catalogue, time_zone: Tz) -> Self {
        Self {
            catalogue,
            time_zone,
        }
    }

    /// The notice for a permit event, from `case` as it stood right after that event.
    pub fn notice(
        &self,
        event: &LoggedEvent,
        kind: NoticeKind,
        case: &CaseView,
    ) -> Result<PublicNotice, ProjectionError> {
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
                projector: NAME,
                key: format!("recorded_at at {}", event.position),
                source: serde::de::Error::custom("not an RFC 3339 time"),
            }
        })?;
        let life = &case.permit_life;
        Ok(PublicNotice {
            id: notice_id(event.position),
            kind,
            permit_number: permit.permit_number,
            enterprise_name: case.enterprise_name.clone(),
            credit_code: case.credit_code.clone(),
            item_code: case.item_code.clone(),
            item_name: case.item_name.clone(),
            scope: permit.scope,
            bureau: case.bureau.clone(),
            bureau_name,
            issued_on: permit.issued_on,
            valid_from: permit.valid_from,
            valid_until: permit.valid_until,
            revoked_on: case.revocation.as_ref().map(|r| r.revoked_on),
            revocation_reason: case.revocation.as_ref().map(|r| r.reason.clone()),
            blacklisted: case.revocation.as_ref().is_some_and(|r| r.false_commitment),
            amendment: (kind == NoticeKind::Amended)
                .then(|| life.amendments.last())
                .flatten()
                .map(|a| NoticeAmendment {
                    field: a.field,
                    old_value: a.old_value.clone(),
                    new_value: a.new_value.clone(),
                }),
            renewed_by_law: kind == NoticeKind::Renewed
                && life.renewals.last().is_some_and(|r| r.deemed),
            cancelled_on: life.cancellation.as_ref().map(|c| c.cancelled_on),
            cancellation_ground: life.cancellation.as_ref().map(|c| c.ground),
            expired_on: life.expired_on,
            recorded_at: event.recorded_at.clone(),
            day,
            position: event.position,
        })
    }

    /// Whether `event` publishes a day (see [`Self::apply_publications`]).
    pub fn is_publication(event: &LoggedEvent) -> bool {
        event.aggregate_type == "DailyPublication"
    }

    /// Records the days published among `events` and marks the notices each day's listing
    /// holds. The notices must be stored already.
    pub async fn apply_publications(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
    ) -> Result<(), ProjectionError> {
        let db_error = ProjectionError::db(NAME);
        for event in events.iter().filter(|e| Self::is_publication(e)) {
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
            for chunk in notices.chunks(sqlite_rows_per_statement(1)) {
                on_tx!(&mut *tx, |conn| {
                    let mut update =
                        QueryBuilder::new("UPDATE public_notices SET published_day = ");
                    update.push_bind(day.to_string());
                    update.push(" WHERE notice_id IN (");
                    let mut list = update.separated(", ");
                    for id in chunk {
                        list.push_bind(id.as_str());
                    }
                    update.push(")");
                    update
                        .build()
                        .execute(&mut *conn)
                        .await
                        .map_err(&db_error)?
                        .rows_affected()
                });
            }
        }
        Ok(())
    }

    pub async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        let db_error = ProjectionError::db(NAME);
        for table in ["public_notices", "published_days"] {
            tx.empty(table).await.map_err(&db_error)?;
        }
        Ok(())
    }
}

const INSERT_NOTICES: &str = "INSERT INTO public_notices (position, notice_id, day, kind, \
    permit_number, bureau, item_code, published_day, notice) ";

/// The `public_notices` rows for new notices, one vector per column, ready to be written.
pub struct NoticeRows {
    position: Vec<i64>,
    notice_id: Vec<String>,
    day: Vec<String>,
    kind: Vec<&'static str>,
    permit_number: Vec<String>,
    bureau: Vec<String>,
    item_code: Vec<String>,
    notice: Vec<String>,
}

impl NoticeRows {
    pub fn of(notices: &[PublicNotice]) -> Self {
        Self {
            position: notices.iter().map(|n| n.position).collect(),
            notice_id: notices.iter().map(|n| n.id.to_string()).collect(),
            day: notices
                .iter()
                .map(|n| domain::iso_date::text(n.day))
                .collect(),
            kind: notices.iter().map(|n| n.kind.as_str()).collect(),
            permit_number: notices
                .iter()
                .map(|n| n.permit_number.to_string())
                .collect(),
            bureau: notices.iter().map(|n| n.bureau.to_string()).collect(),
            item_code: notices.iter().map(|n| n.item_code.to_string()).collect(),
            notice: notices
                .iter()
                .map(|n| serde_json::to_string(n).expect("a notice always serialises"))
                .collect(),
        }
    }

    /// One statement with an array per column, however many notices; none is in a listing yet.
    pub fn write_postgres<'q>(&'q self, writes: &mut PostgresWrites<'q>) {
        writes.add(|query, condition| {
            query.push(INSERT_NOTICES).push(
                "SELECT position, notice_id, day, kind, permit_number, bureau, item_code, NULL, \
                 notice FROM UNNEST(",
            );
            query.push_bind(&self.position).push("::bigint[], ");
            query.push_bind(&self.notice_id).push("::text[], ");
            query.push_bind(&self.day).push("::text[], ");
            query.push_bind(&self.kind).push("::text[], ");
            query.push_bind(&self.permit_number).push("::text[], ");
            query.push_bind(&self.bureau).push("::text[], ");
            query.push_bind(&self.item_code).push("::text[], ");
            query.push_bind(&self.notice).push(
                "::text[]) AS t(position, notice_id, day, kind, \
                 permit_number, bureau, item_code, notice)",
            );
            query.push(condition);
        });
    }

    pub async fn write_sqlite(&self, conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        let indices: Vec<usize> = (0..self.position.len()).collect();
        for chunk in indices.chunks(sqlite_rows_per_statement(9)) {
            let mut insert = QueryBuilder::new(INSERT_NOTICES);
            insert.push_values(chunk, |mut row, &i| {
                row.push_bind(self.position[i])
                    .push_bind(self.notice_id[i].as_str())
                    .push_bind(self.day[i].as_str())
                    .push_bind(self.kind[i])
                    .push_bind(self.permit_number[i].as_str())
                    .push_bind(self.bureau[i].as_str())
                    .push_bind(self.item_code[i].as_str())
                    .push_bind(None::<String>)
                    .push_bind(self.notice[i].as_str());
            });
            insert.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}

//! What a batch of events adds to the supervision figures, and writing it: each counter is
//! added to its day's row, so a batch costs one upsert per table whatever its size.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::supervision::Holder;
use domain::CaseServices;
use sqlx::QueryBuilder;

use super::figures::{DayFigures, COLUMNS};
use crate::case_view::CaseView;
use crate::db::sqlite_rows_per_statement;
use crate::log::LoggedEvent;
use crate::postgres_writes::PostgresWrites;

type Key = (NaiveDate, String, String);

/// The figures a batch adds, by day, bureau and item, and the decided cases by working days
/// used.
#[derive(Debug, Default)]
pub struct Tally {
    days: BTreeMap<Key, DayFigures>,
    used: BTreeMap<(Key, u32), i64>,
}

impl Tally {
    /// Adds what `event` means for the figures, `case` being the case right after it.
    pub fn observe(&mut self, services: &CaseServices, event: &LoggedEvent, case: &CaseView) {
        let timeline = &case.timeline;
        let key = |day: NaiveDate| (day, case.bureau.to_string(), case.item_code.to_string());
        let (calendar, rules) = (&services.calendar, &services.supervision);
        let mut add = DayFigures::default();
        let day = match event.event_type.as_str() {
            "ApplicationFiled" => {
                let jurisdiction = services.catalogue.jurisdiction();
                let home = case
                    .credit_code
                    .registration_division()
                    .city()
                    .and_then(|city| services.catalogue.city_bureau(&city))
                    .is_some_and(|bureau| bureau.code == case.bureau);
                add.filed = 1;
                add.filed_home_city = i64::from(home);
                add.filed_province = i64::from(case.bureau == jurisdiction.province.code);
                Some(case.filed_on)
            }
            "ApplicationAccepted" => {
                add.accepted = 1;
                timeline.accepted_on
            }
            "PermitIssued" | "ApplicationDenied" => (|| {
                let stopped = timeline.stopped_on?;
                let clock = timeline.clock(stopped, calendar, rules)?;
                let held = |holder| i64::from(timeline.held_by(holder, stopped, calendar));
                add.decided = 1;
                add.issued = i64::from(event.event_type == "PermitIssued");
                add.denied = 1 - add.issued;
                add.within_committed = i64::from(stopped <= clock.committed_deadline.date);
                add.within_statutory = i64::from(stopped <= clock.statutory_deadline.date);
                add.used_working_days = i64::from(clock.used_working_days);
                add.statutory_limit_days = i64::from(timeline.statutory_limit_days?);
                add.committed_limit_days = i64::from(clock.committed_deadline.working_days);
                add.acceptor_days = held(Holder::Acceptor);
                add.reviewer_days = held(Holder::Reviewer);
                add.approver_days = held(Holder::Approver);
                *self
                    .used
                    .entry((key(stopped), clock.used_working_days))
                    .or_default() += 1;
                Some(stopped)
            })(),
            "CertificateDispatched" => (|| {
                let dispatched = timeline.dispatched_on?;
                let since_approval = timeline
                    .approved_on
                    .map(|approved| calendar.working_days_between(approved, dispatched));
                add.dispatched = 1;
                add.dispatcher_days =
                    i64::from(timeline.held_by(Holder::Dispatcher, dispatched, calendar));
                add.dispatched_in_time = i64::from(
                    since_approval.is_some_and(|days| days <= rules.delivery_limit_working_days),
                );
                Some(dispatched)
            })(),
            "ClockSuspended" => {
                add.suspensions = 1;
                timeline.suspensions.last().map(|s| s.suspended_on)
            }
            "ClockResumed" => timeline.suspensions.last().and_then(|s| {
                add.suspended_working_days = i64::from(s.working_days?);
                s.resumed_on
            }),
            "TimeLimitExtended" => {
                add.extensions = 1;
                timeline.extended_on
            }
            _ => None,
        };
        if let Some(day) = day {
            *self.days.entry(key(day)).or_default() += add;
        }
    }

    pub fn rows(&self) -> TallyRows {
        let mut rows = TallyRows::default();
        for ((day, bureau, item), figures) in &self.days {
            rows.day.push(domain::iso_date::text(*day));
            rows.bureau.push(bureau.clone());
            rows.item_code.push(item.clone());
            for (column, value) in rows.counters.iter_mut().zip(figures.values()) {
                column.push(value);
            }
        }
        for (((day, bureau, item), used), cases) in &self.used {
            rows.used_day.push(domain::iso_date::text(*day));
            rows.used_bureau.push(bureau.clone());
            rows.used_item_code.push(item.clone());
            rows.used_working_days.push(i64::from(*used));
            rows.used_cases.push(*cases);
        }
        rows
    }
}

/// A tally as columns, ready to be added to the stored rows.
#[derive(Debug, Default)]
pub struct TallyRows {
    day: Vec<String>,
    bureau: Vec<String>,
    item_code: Vec<String>,
    counters: [Vec<i64>; 21],
    used_day: Vec<String>,
    used_bureau: Vec<String>,
    used_item_code: Vec<String>,
    used_working_days: Vec<i64>,
    used_cases: Vec<i64>,
}

fn insert_daily() -> String {
    format!(
        "INSERT INTO supervision_daily (day, bureau, item_code, {}) ",
        COLUMNS.join(", ")
    )
}

fn add_to_daily() -> String {
    let sums: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = supervision_daily.{c} + excluded.{c}"))
        .collect();
    format!(
        " ON CONFLICT (bureau, item_code, day) DO UPDATE SET {}",
        sums.join(", ")
    )
}

const INSERT_USED: &str =
    "INSERT INTO supervision_used_days (day, bureau, item_code, used_working_days, cases) ";
const ADD_TO_USED: &str = " ON CONFLICT (bureau, item_code, used_working_days, day) \
    DO UPDATE SET cases = supervision_used_days.cases + excluded.cases";

impl TallyRows {
    pub fn write_postgres<'q>(&'q self, writes: &mut PostgresWrites<'q>) {
        if !self.day.is_empty() {
            writes.add(|query, condition| {
                query.push(insert_daily()).push("SELECT * FROM UNNEST(");
                query.push_bind(&self.day).push("::text[], ");
                query.push_bind(&self.bureau).push("::text[], ");
                query.push_bind(&self.item_code).push("::text[]");
                for column in &self.counters {
                    query.push(", ").push_bind(column).push("::bigint[]");
                }
                query
                    .push(") AS day_row")
                    .push(condition)
                    .push(add_to_daily());
            });
        }
        if !self.used_day.is_empty() {
            writes.add(|query, condition| {
                query.push(INSERT_USED).push("SELECT * FROM UNNEST(");
                query.push_bind(&self.used_day).push("::text[], ");
                query.push_bind(&self.used_bureau).push("::text[], ");
                query.push_bind(&self.used_item_code).push("::text[], ");
                query
                    .push_bind(&self.used_working_days)
                    .push("::bigint[], ");
                query
                    .push_bind(&self.used_cases)
                    .push("::bigint[]) AS used_row");
                query.push(condition).push(ADD_TO_USED);
            });
        }
    }

    pub async fn write_sqlite(&self, conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        let indices: Vec<usize> = (0..self.day.len()).collect();
        for chunk in indices.chunks(sqlite_rows_per_statement(3 + COLUMNS.len())) {
            let mut upsert = QueryBuilder::new(insert_daily());
            upsert.push_values(chunk, |mut row, &i| {
                row.push_bind(self.day[i].as_str())
                    .push_bind(self.bureau[i].as_str())
                    .push_bind(self.item_code[i].as_str());
                for column in &self.counters {
                    row.push_bind(column[i]);
                }
            });
            upsert.push(add_to_daily());
            upsert.build().execute(&mut *conn).await?;
        }
        let indices: Vec<usize> = (0..self.used_day.len()).collect();
        for chunk in indices.chunks(sqlite_rows_per_statement(5)) {
            let mut upsert = QueryBuilder::new(INSERT_USED);
            upsert.push_values(chunk, |mut row, &i| {
                row.push_bind(self.used_day[i].as_str())
                    .push_bind(self.used_bureau[i].as_str())
                    .push_bind(self.used_item_code[i].as_str())
                    .push_bind(self.used_working_days[i])
                    .push_bind(self.used_cases[i]);
            });
            upsert.push(ADD_TO_USED);
            upsert.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}

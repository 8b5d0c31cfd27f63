//! The case-state projection: the current state of every case, with the columns worklists
//! filter and sort on. A batch of events costs one read of the views it touches and one
//! upsert, whatever the number of cases.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::NaiveDate;
use domain::supervision::WarningDates;
use domain::CaseServices;
use sqlx::QueryBuilder;

use crate::case_view::CaseView;
use crate::db::sqlite_rows_per_statement;
use crate::db::{Conn, Tx};
use crate::log::LoggedEvent;
use crate::postgres_writes::PostgresWrites;
use crate::projection::ProjectionError;

const AGGREGATE_TYPE: &str = "PermitCase";
const NAME: &str = "case_state";

/// Keeps, besides the rows, the views it last committed (see [`Self::remember`]): the next
/// command on a case folds onto the view in memory instead of reading it back.
#[derive(Default)]
pub struct CaseProjection {
    recent: Mutex<HashMap<String, CaseView>>,
}

/// Views kept in memory at most; beyond, the memory starts afresh.
const RECENT_VIEWS: usize = 10_000;

impl CaseProjection {
    /// Folds the case events among `events` into the stored views of their cases, calling
    /// `observe` with each case event and the case as it stood right after it; returns the
    /// views the batch changed, to be written as [`CaseRows`]. `carried` are views folded
    /// already but perhaps not yet stored (the batch before): they are taken as they are.
    pub async fn fold(
        &self,
        conn: Conn<'_>,
        events: &[LoggedEvent],
        carried: &[CaseView],
        mut observe: impl FnMut(&LoggedEvent, &CaseView) -> Result<(), ProjectionError> + Send,
    ) -> Result<Vec<CaseView>, ProjectionError> {
        let case_events: Vec<&LoggedEvent> = events
            .iter()
            .filter(|e| e.aggregate_type == AGGREGATE_TYPE)
            .collect();
        // The sequence each case's first event in the batch follows.
        let mut follows: BTreeMap<&str, i64> = BTreeMap::new();
        for event in &case_events {
            let before = follows
                .entry(event.aggregate_id.as_str())
                .or_insert(i64::MAX);
            *before = (*before).min(event.sequence - 1);
        }
        let mut views: BTreeMap<String, Option<CaseView>> = BTreeMap::new();
        let mut unknown: Vec<&str> = Vec::new();
        {
            let carried: HashMap<&str, &CaseView> =
                carried.iter().map(|v| (v.case_id.as_str(), v)).collect();
            let recent = self.recent.lock().expect("recent views lock");
            for (&id, &version) in &follows {
                match carried.get(id).copied().or_else(|| recent.get(id)) {
                    // A view is the fold of its case's first `version` events, which never
                    // change: one remembered at exactly that version is the stored one.
                    Some(view) if view.version as i64 == version => {
                        views.insert(id.to_owned(), Some(view.clone()));
                    }
                    // The case is filed in this batch: there is nothing stored yet.
                    _ if version == 0 => {
                        views.insert(id.to_owned(), None);
                    }
                    _ => unknown.push(id),
                }
            }
        }
        views.extend(stored_views(conn, &unknown).await?);
        for event in case_events {
            // Every case of the batch has its slot by now (remembered, new or read).
            let slot = views
                .get_mut(event.aggregate_id.as_str())
                .expect("each case of the batch has a slot");
            let view = CaseView::fold(slot.take(), event)?;
            observe(event, &view)?;
            *slot = Some(view);
        }
        Ok(views.into_values().flatten().collect())
    }

    /// Keeps `views` in memory for the next batch: call only once the transaction that
    /// stored them has committed.
    pub fn remember(&self, views: &[CaseView]) {
        let mut recent = self.recent.lock().expect("recent views lock");
        if recent.len() + views.len() > RECENT_VIEWS {
            recent.clear();
        }
        for view in views {
            recent.insert(view.case_id.to_string(), view.clone());
        }
    }

    pub async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        tx.empty("case_state")
            .await
            .map_err(ProjectionError::db(NAME))
    }
}

/// The stored views of the cases `ids` (sorted, distinct); a case not yet stored maps to None.
async fn stored_views(
    mut conn: Conn<'_>,
    ids: &[&str],
) -> Result<BTreeMap<String, Option<CaseView>>, ProjectionError> {
    let mut views: BTreeMap<String, Option<CaseView>> =
        ids.iter().map(|id| ((*id).to_owned(), None)).collect();
    // PostgreSQL takes every id as one array parameter; SQLite a bounded list per statement.
    let per_statement = match conn {
        Conn::Postgres(_) => ids.len().max(1),
        Conn::Sqlite(_) => sqlite_rows_per_statement(1),
    };
    for chunk in ids.chunks(per_statement) {
        let select = "SELECT case_id, view FROM case_state WHERE case_id";
        let rows: Vec<(String, String)> = match &mut conn {
            Conn::Postgres(conn) => sqlx::query_as(&format!("{select} = ANY($1)"))
                .bind(chunk)
                .fetch_all(&mut **conn)
                .await
                .map_err(ProjectionError::db(NAME))?,
            Conn::Sqlite(conn) => {
                let mut select = QueryBuilder::new(format!("{select} IN ("));
                let mut list = select.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                select.push(")");
                select
                    .build_query_as()
                    .fetch_all(&mut **conn)
                    .await
                    .map_err(ProjectionError::db(NAME))?
            }
        };
        for (case_id, text) in rows {
            let view =
                serde_json::from_str(&text).map_err(|source| ProjectionError::StoredRow {
                    projector: NAME,
                    key: case_id.clone(),
                    source,
                })?;
            views.insert(case_id, Some(view));
        }
    }
    Ok(views)
}

const UPSERT_CASES: &str = "INSERT INTO case_state (case_id, bureau, status, credit_code, \
    item_code, due_on, filed_at, version, last_position, view, yellow_from, red_from, \
    breach_from, frozen_warning, valid_until, pending, check_due, pending_renewal) ";
const OVERWRITE_CASES: &str = " ON CONFLICT (case_id) DO UPDATE SET bureau = excluded.bureau, \
    status = excluded.status, credit_code = excluded.credit_code, \
    item_code = excluded.item_code, due_on = excluded.due_on, \
    filed_at = excluded.filed_at, version = excluded.version, \
    last_position = excluded.last_position, view = excluded.view, \
    yellow_from = excluded.yellow_from, red_from = excluded.red_from, \
    breach_from = excluded.breach_from, frozen_warning = excluded.frozen_warning, \
    valid_until = excluded.valid_until, pending = excluded.pending, \
    check_due = excluded.check_due, pending_renewal = excluded.pending_renewal";

/// The SQL for the warning of a `case_state` row on the business date bound at `today` (ISO
/// text, which sorts as dates do): NULL for a case with no running limit.
pub(crate) fn warning_sql(today: &str) -> String {
    format!(
        "CASE WHEN frozen_warning IS NOT NULL THEN frozen_warning \
              WHEN breach_from <= {today} THEN 'breach' \
              WHEN red_from <= {today} THEN 'red' \
              WHEN yellow_from <= {today} THEN 'yellow' \
              WHEN yellow_from IS NOT NULL THEN 'on_track' END"
    )
}

/// The `case_state` rows for some views, one vector per column, ready to be written.
pub struct CaseRows {
    case_id: Vec<String>,
    bureau: Vec<String>,
    status: Vec<&'static str>,
    credit_code: Vec<String>,
    item_code: Vec<String>,
    due_on: Vec<Option<String>>,
    filed_at: Vec<String>,
    version: Vec<i64>,
    last_position: Vec<i64>,
    view: Vec<String>,
    yellow_from: Vec<Option<String>>,
    red_from: Vec<Option<String>>,
    breach_from: Vec<Option<String>>,
    frozen_warning: Vec<Option<&'static str>>,
    valid_until: Vec<Option<String>>,
    pending: Vec<Option<&'static str>>,
    check_due: Vec<Option<String>>,
    pending_renewal: Vec<Option<&'static str>>,
}

impl CaseRows {
    /// The rows of `views`, with the dates from which each open case is at each warning
    /// (counted with `services`' calendar and thresholds).
    pub fn of(views: &[CaseView], services: &CaseServices) -> Self {
        let warnings: Vec<Option<WarningDates>> = views
            .iter()
            .map(|v| {
                v.timeline
                    .warning_dates(&services.calendar, &services.supervision)
            })
            .collect();
        let running = |pick: fn(NaiveDate, NaiveDate, NaiveDate) -> NaiveDate| {
            warnings
                .iter()
                .map(|w| match w {
                    Some(WarningDates::Running {
                        yellow_from,
                        red_from,
                        breach_from,
                    }) => Some(domain::iso_date::text(pick(
                        *yellow_from,
                        *red_from,
                        *breach_from,
                    ))),
                    _ => None,
                })
                .collect()
        };
        Self {
            yellow_from: running(|yellow, _, _| yellow),
            red_from: running(|_, red, _| red),
            breach_from: running(|_, _, breach| breach),
            frozen_warning: warnings
                .iter()
                .map(|w| match w {
                    Some(WarningDates::Frozen(warning)) => Some(warning.as_str()),
                    _ => None,
                })
                .collect(),
            case_id: views.iter().map(|v| v.case_id.to_string()).collect(),
            bureau: views.iter().map(|v| v.bureau.to_string()).collect(),
            status: views.iter().map(|v| v.status.as_str()).collect(),
            credit_code: views.iter().map(|v| v.credit_code.to_string()).collect(),
            item_code: views.iter().map(|v| v.item_code.to_string()).collect(),
            due_on: views
                .iter()
                .map(|v| v.due_on().map(domain::iso_date::text))
                .collect(),
            filed_at: views.iter().map(|v| v.filed_at.to_string()).collect(),
            version: views.iter().map(|v| v.version as i64).collect(),
            last_position: views.iter().map(|v| v.last_position).collect(),
            view: views
                .iter()
                .map(|v| serde_json::to_string(v).expect("a case view always serialises"))
                .collect(),
            valid_until: views
                .iter()
                .map(|v| v.permit_in_force_until().map(domain::iso_date::text))
                .collect(),
            pending: views.iter().map(CaseView::pending_amendment).collect(),
            pending_renewal: views.iter().map(CaseView::pending_renewal).collect(),
            check_due: views
                .iter()
                .map(|v| v.check_due().map(domain::iso_date::text))
                .collect(),
        }
    }

    /// One statement with an array per column, however many cases.
    pub fn write_postgres<'q>(&'q self, writes: &mut PostgresWrites<'q>) {
        writes.add(|query, condition| {
            query.push(UPSERT_CASES).push("SELECT * FROM UNNEST(");
            query.push_bind(&self.case_id).push("::text[], ");
            query.push_bind(&self.bureau).push("::text[], ");
            query.push_bind(&self.status).push("::text[], ");
            query.push_bind(&self.credit_code).push("::text[], ");
            query.push_bind(&self.item_code).push("::text[], ");
            query.push_bind(&self.due_on).push("::text[], ");
            query.push_bind(&self.filed_at).push("::text[], ");
            query.push_bind(&self.version).push("::bigint[], ");
            query.push_bind(&self.last_position).push("::bigint[], ");
            query.push_bind(&self.view).push("::text[], ");
            query.push_bind(&self.yellow_from).push("::text[], ");
            query.push_bind(&self.red_from).push("::text[], ");
            query.push_bind(&self.breach_from).push("::text[], ");
            query.push_bind(&self.frozen_warning).push("::text[], ");
            query.push_bind(&self.valid_until).push("::text[], ");
            query.push_bind(&self.pending).push("::text[], ");
            query.push_bind(&self.check_due).push("::text[], ");
            query
                .push_bind(&self.pending_renewal)
                .push("::text[]) AS case_row");
            query.push(condition).push(OVERWRITE_CASES);
        });
    }

    pub async fn write_sqlite(&self, conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        let indices: Vec<usize> = (0..self.case_id.len()).collect();
        for chunk in indices.chunks(sqlite_rows_per_statement(18)) {
            let mut upsert = QueryBuilder::new(UPSERT_CASES);
            upsert.push_values(chunk, |mut row, &i| {
                row.push_bind(self.case_id[i].as_str())
                    .push_bind(self.bureau[i].as_str())
                    .push_bind(self.status[i])
                    .push_bind(self.credit_code[i].as_str())
                    .push_bind(self.item_code[i].as_str())
                    .push_bind(self.due_on[i].as_deref())
                    .push_bind(self.filed_at[i].as_str())
                    .push_bind(self.version[i])
                    .push_bind(self.last_position[i])
                    .push_bind(self.view[i].as_str())
                    .push_bind(self.yellow_from[i].as_deref())
                    .push_bind(self.red_from[i].as_deref())
                    .push_bind(self.breach_from[i].as_deref())
                    .push_bind(self.frozen_warning[i])
                    .push_bind(self.valid_until[i].as_deref())
                    .push_bind(self.pending[i])
                    .push_bind(self.check_due[i].as_deref())
                    .push_bind(self.pending_renewal[i]);
            });
            upsert.push(OVERWRITE_CASES);
            upsert.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}

//! The case-state projection: the current state of every case, with the columns worklists
//! filter and sort on. A batch of events costs one read of the views it touches and one
//! upsert, whatever the number of cases.

use std::collections::BTreeMap;

use sqlx::{QueryBuilder, Row};

use crate::case_view::CaseView;
use crate::log::LoggedEvent;
use crate::on_tx;
use crate::projector::{ProjectionError, Tx};

const AGGREGATE_TYPE: &str = "PermitCase";
const NAME: &str = "case_state";
/// Rows per statement: well under either database's limit on bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

pub struct CaseProjection;

impl CaseProjection {
    /// Folds the case events among `events` into the stored views of their cases, calling
    /// `observe` with each case event and the case as it stood right after it; returns the
    /// views the batch changed, to be [`Self::store`]d.
    pub async fn fold(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        mut observe: impl FnMut(&LoggedEvent, &CaseView) -> Result<(), ProjectionError> + Send,
    ) -> Result<Vec<CaseView>, ProjectionError> {
        let case_events: Vec<&LoggedEvent> = events
            .iter()
            .filter(|e| e.aggregate_type == AGGREGATE_TYPE)
            .collect();
        let mut ids: Vec<&str> = case_events
            .iter()
            .map(|e| e.aggregate_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut views = stored_views(tx, &ids).await?;
        for event in case_events {
            let slot = views.entry(event.aggregate_id.clone()).or_default();
            let view = CaseView::fold(slot.take(), event)?;
            observe(event, &view)?;
            *slot = Some(view);
        }
        Ok(views.into_values().flatten().collect())
    }

    /// Writes `views` over the stored ones.
    pub async fn store(&self, tx: &mut Tx, views: &[CaseView]) -> Result<(), ProjectionError> {
        for chunk in views.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<(&CaseView, String)> = chunk
                .iter()
                .map(|view| {
                    let json = serde_json::to_string(view).expect("a case view always serialises");
                    (view, json)
                })
                .collect();
            on_tx!(tx, |conn| {
                let mut upsert = QueryBuilder::new(
                    "INSERT INTO case_state (case_id, bureau, status, credit_code, item_code, \
                     due_on, filed_at, version, last_position, view) ",
                );
                upsert.push_values(&rows, |mut row, (view, json)| {
                    row.push_bind(view.case_id.as_str())
                        .push_bind(view.bureau.as_str())
                        .push_bind(view.status.as_str())
                        .push_bind(view.credit_code.as_str())
                        .push_bind(view.item_code.as_str())
                        .push_bind(view.due_on().map(|d| d.to_string()))
                        .push_bind(view.filed_at.as_str())
                        .push_bind(view.version as i64)
                        .push_bind(view.last_position)
                        .push_bind(json.as_str());
                });
                upsert.push(
                    " ON CONFLICT (case_id) DO UPDATE SET bureau = excluded.bureau, \
                     status = excluded.status, credit_code = excluded.credit_code, \
                     item_code = excluded.item_code, due_on = excluded.due_on, \
                     filed_at = excluded.filed_at, version = excluded.version, \
                     last_position = excluded.last_position, view = excluded.view",
                );
                upsert
                    .build()
                    .execute(&mut *conn)
                    .await
                    .map_err(ProjectionError::db(NAME))?
                    .rows_affected()
            });
        }
        Ok(())
    }

    pub async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        on_tx!(tx, |conn| sqlx::query("DELETE FROM case_state")
            .execute(&mut *conn)
            .await
            .map_err(ProjectionError::db(NAME))?
            .rows_affected());
        Ok(())
    }
}

/// The stored views of the cases `ids` (sorted, distinct); a case not yet stored maps to None.
async fn stored_views(
    tx: &mut Tx,
    ids: &[&str],
) -> Result<BTreeMap<String, Option<CaseView>>, ProjectionError> {
    let mut views: BTreeMap<String, Option<CaseView>> =
        ids.iter().map(|id| ((*id).to_owned(), None)).collect();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(String, String)> = on_tx!(tx, |conn| {
            let mut select =
                QueryBuilder::new("SELECT case_id, view FROM case_state WHERE case_id IN (");
            let mut list = select.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            select.push(")");
            select
                .build()
                .fetch_all(&mut *conn)
                .await
                .map_err(ProjectionError::db(NAME))?
                .iter()
                .map(|row| Ok((row.try_get("case_id")?, row.try_get("view")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(ProjectionError::db(NAME))?
        });
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

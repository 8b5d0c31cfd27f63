//! The case-state projection: the current state of every case, with the columns worklists
//! filter and sort on.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::Row;

use crate::case_view::CaseView;
use crate::log::LoggedEvent;
use crate::on_tx;
use crate::projector::{Projection, ProjectionError, Projector, Tx};

const AGGREGATE_TYPE: &str = "PermitCase";

pub struct CaseProjection;

pub type CaseProjector = Projector<CaseProjection>;

#[async_trait]
impl Projection for CaseProjection {
    const NAME: &'static str = "case_state";

    async fn apply(&self, tx: &mut Tx, events: &[LoggedEvent]) -> Result<(), ProjectionError> {
        let db_error = ProjectionError::db(Self::NAME);
        let mut views: BTreeMap<String, Option<CaseView>> = BTreeMap::new();
        for event in events.iter().filter(|e| e.aggregate_type == AGGREGATE_TYPE) {
            if !views.contains_key(&event.aggregate_id) {
                let stored: Option<String> = on_tx!(tx, |conn| sqlx::query(
                    "SELECT view FROM case_state WHERE case_id = $1"
                )
                .bind(&event.aggregate_id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(&db_error)?
                .map(|row| row.try_get("view"))
                .transpose()
                .map_err(&db_error)?);
                let view = stored
                    .map(|text| serde_json::from_str(&text))
                    .transpose()
                    .map_err(|source| ProjectionError::StoredRow {
                        projector: Self::NAME,
                        key: event.aggregate_id.clone(),
                        source,
                    })?;
                views.insert(event.aggregate_id.clone(), view);
            }
            let slot = views.get_mut(&event.aggregate_id).expect("inserted above");
            *slot = Some(CaseView::fold(slot.take(), event)?);
        }
        for view in views.into_values().flatten() {
            let json = serde_json::to_string(&view).expect("a case view always serialises");
            on_tx!(tx, |conn| sqlx::query(
                "INSERT INTO case_state (case_id, bureau, status, credit_code, item_code, due_on, \
                   filed_at, version, last_position, view) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (case_id) DO UPDATE SET bureau = excluded.bureau, \
                   status = excluded.status, credit_code = excluded.credit_code, \
                   item_code = excluded.item_code, due_on = excluded.due_on, \
                   filed_at = excluded.filed_at, version = excluded.version, \
                   last_position = excluded.last_position, view = excluded.view"
            )
            .bind(view.case_id.as_str())
            .bind(view.bureau.as_str())
            .bind(view.status.as_str())
            .bind(view.credit_code.as_str())
            .bind(view.item_code.as_str())
            .bind(view.due_on().map(|d| d.to_string()))
            .bind(&view.filed_at)
            .bind(view.version as i64)
            .bind(view.last_position)
            .bind(json)
            .execute(&mut *conn)
            .await
            .map_err(&db_error)?
            .rows_affected());
        }
        Ok(())
    }

    async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        on_tx!(tx, |conn| sqlx::query("DELETE FROM case_state")
            .execute(&mut *conn)
            .await
            .map_err(ProjectionError::db(Self::NAME))?
            .rows_affected());
        Ok(())
    }
}

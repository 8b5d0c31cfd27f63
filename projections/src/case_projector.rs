//! The case-state projector: reads the log by global position after its checkpoint and writes
//! the changed cases and its new checkpoint in one transaction.

use std::collections::BTreeMap;

use sqlx::Row;
use tokio::sync::Mutex;

use crate::case_view::{CaseView, FoldError};
use crate::db::Db;
use crate::log::{self, LogError, LoggedEvent};
use crate::on_db;

const AGGREGATE_TYPE: &str = "PermitCase";

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database error in the {projector} projector: {source}")]
    Db {
        projector: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Fold(#[from] FoldError),
    #[error("the log skips from position {after} to {found}: refusing to project past a gap")]
    Gap { after: i64, found: i64 },
    #[error("stored view of case {case_id} does not decode: {source}")]
    StoredView {
        case_id: String,
        #[source]
        source: serde_json::Error,
    },
}

fn db_error(source: sqlx::Error) -> ProjectionError {
    ProjectionError::Db {
        projector: CaseProjector::NAME,
        source,
    }
}

/// Keeps `case_state` equal to the fold of the log. Safe to run from several tasks or
/// processes: the checkpoint moves by compare-and-set, so no event is applied twice.
#[derive(Debug)]
pub struct CaseProjector {
    db: Db,
    batch_size: i64,
    running: Mutex<()>,
}

impl CaseProjector {
    pub const NAME: &'static str = "case_state";

    pub fn new(db: Db) -> Self {
        Self {
            db,
            batch_size: 500,
            running: Mutex::new(()),
        }
    }

    /// Applies every event after the checkpoint; returns the position reached.
    pub async fn catch_up(&self) -> Result<i64, ProjectionError> {
        let _one_at_a_time = self.running.lock().await;
        loop {
            let checkpoint = self.checkpoint().await?;
            let events = log::read_after(&self.db, checkpoint, self.batch_size).await?;
            let Some(last) = events.last().map(|e| e.position) else {
                return Ok(checkpoint);
            };
            for (expected, event) in (checkpoint + 1..).zip(&events) {
                if event.position != expected {
                    return Err(ProjectionError::Gap {
                        after: expected - 1,
                        found: event.position,
                    });
                }
            }
            self.apply_batch(checkpoint, last, &events).await?;
        }
    }

    /// Forgets every row and the checkpoint, then replays the whole log.
    pub async fn rebuild(&self) -> Result<i64, ProjectionError> {
        {
            let _one_at_a_time = self.running.lock().await;
            on_db!(&self.db, |pool| {
                let mut tx = pool.begin().await.map_err(db_error)?;
                sqlx::query("UPDATE projector_checkpoints SET position = 0 WHERE name = $1")
                    .bind(Self::NAME)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                sqlx::query("DELETE FROM case_state")
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                tx.commit().await.map_err(db_error)?;
            });
        }
        self.catch_up().await
    }

    pub async fn checkpoint(&self) -> Result<i64, ProjectionError> {
        let position = on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO projector_checkpoints (name, position) VALUES ($1, 0) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(Self::NAME)
            .execute(pool)
            .await
            .map_err(db_error)?;
            sqlx::query_scalar::<_, i64>(
                "SELECT position FROM projector_checkpoints WHERE name = $1",
            )
            .bind(Self::NAME)
            .fetch_one(pool)
            .await
            .map_err(db_error)?
        });
        Ok(position)
    }

    async fn apply_batch(
        &self,
        from: i64,
        to: i64,
        events: &[LoggedEvent],
    ) -> Result<(), ProjectionError> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin().await.map_err(db_error)?;
            // The checkpoint moves first: it takes the write lock at once (SQLite) and tells
            // whether another projector got here first, in which case nothing is written.
            let moved = sqlx::query(
                "UPDATE projector_checkpoints SET position = $1 WHERE name = $2 AND position = $3",
            )
            .bind(to)
            .bind(Self::NAME)
            .bind(from)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if moved.rows_affected() != 1 {
                tx.rollback().await.map_err(db_error)?;
                return Ok(());
            }
            let mut views: BTreeMap<String, Option<CaseView>> = BTreeMap::new();
            for event in events.iter().filter(|e| e.aggregate_type == AGGREGATE_TYPE) {
                if !views.contains_key(&event.aggregate_id) {
                    let row = sqlx::query("SELECT view FROM case_state WHERE case_id = $1")
                        .bind(&event.aggregate_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    let stored = match row {
                        Some(row) => {
                            let text: String = row.try_get("view").map_err(db_error)?;
                            Some(serde_json::from_str(&text).map_err(|source| {
                                ProjectionError::StoredView {
                                    case_id: event.aggregate_id.clone(),
                                    source,
                                }
                            })?)
                        }
                        None => None,
                    };
                    views.insert(event.aggregate_id.clone(), stored);
                }
                let slot = views.get_mut(&event.aggregate_id).expect("inserted above");
                *slot = Some(CaseView::fold(slot.take(), event)?);
            }
            for view in views.into_values().flatten() {
                let json = serde_json::to_string(&view).expect("a case view always serialises");
                sqlx::query(
                    "INSERT INTO case_state (case_id, bureau, status, credit_code, item_code, due_on, \
                       filed_at, version, last_position, view) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (case_id) DO UPDATE SET bureau = excluded.bureau, \
                       status = excluded.status, credit_code = excluded.credit_code, \
                       item_code = excluded.item_code, due_on = excluded.due_on, \
                       filed_at = excluded.filed_at, version = excluded.version, \
                       last_position = excluded.last_position, view = excluded.view",
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
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            tx.commit().await.map_err(db_error)?;
        });
        Ok(())
    }
}

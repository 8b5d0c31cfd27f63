//! Committing a batch: one INSERT for every command's events and their projection in the
//! same transaction on SQLite; on PostgreSQL the INSERT commits on its own and the projection
//! follows (see [`PostgresSessions`]). If the INSERT is refused, each command is written again
//! under a savepoint of its own; if projecting fails, the transaction is written again
//! without it.

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use projections::log::{self, LoggedEvent};
use projections::{on_tx, Db, ProjectionError, ReadModelProjector, Tx};

use super::sessions::PostgresSessions;
use super::{store_error, Append, Receipt};

/// Queued events beyond which the writer leaves projecting to the projector (after a
/// rebuild has been started, say), so a commit never carries a long replay.
pub(super) const MAX_EVENTS_PROJECTED_INLINE: i64 = 2_000;

/// Why a transaction of the writer did not commit.
enum Failure {
    Append(PersistenceError),
    Projection(ProjectionError),
}

impl From<PersistenceError> for Failure {
    fn from(error: PersistenceError) -> Self {
        Failure::Append(error)
    }
}

/// One outcome per append, in order.
pub(super) async fn write_batch(
    db: &Db,
    sessions: Option<&mut PostgresSessions>,
    projector: &ReadModelProjector,
    batch: &[Append],
) -> Vec<Result<Receipt, PersistenceError>> {
    let all: Vec<&SerializedEvent> = batch.iter().flat_map(|a| &a.events).collect();
    let mut project = true;
    // A catch-up of this process would race this projection to the batch's events (on
    // PostgreSQL they are committed before they are projected; on either store it could read
    // the checkpoint before this commit and the log after it): it waits instead, unless one
    // was running already (a replay, say).
    let _projecting = projector.hold_if_idle();
    match sessions {
        Some(sessions) => match sessions.append(&all).await {
            Ok(appended) => {
                let receipt = sessions.project(projector, &appended).await;
                return batch.iter().map(|_| Ok(receipt.clone())).collect();
            }
            Err(error) if batch.len() == 1 => return vec![Err(error)],
            Err(_) => {}
        },
        None => loop {
            match write_at_once(db, projector, &all, project).await {
                Ok(receipt) => return batch.iter().map(|_| Ok(receipt.clone())).collect(),
                Err(Failure::Projection(error)) => not_projecting(&mut project, &error),
                Err(Failure::Append(error)) if batch.len() == 1 => return vec![Err(error)],
                Err(Failure::Append(_)) => break,
            }
        },
    }
    // Something in the batch was refused: write each command under its own savepoint.
    loop {
        match write_one_by_one(db, projector, batch, project).await {
            Ok((receipt, outcomes)) => {
                return outcomes
                    .into_iter()
                    .map(|outcome| outcome.map(|()| receipt.clone()))
                    .collect()
            }
            Err(Failure::Projection(error)) => not_projecting(&mut project, &error),
            Err(Failure::Append(error)) => {
                let message = error.to_string();
                return batch
                    .iter()
                    .map(|_| Err(PersistenceError::UnknownError(message.clone().into())))
                    .collect();
            }
        }
    }
}

/// After a failed projection the transaction is written again without one.
fn not_projecting(project: &mut bool, error: &ProjectionError) {
    tracing::error!(%error, "projecting with the commit failed; the projector will retry");
    *project = false;
}

async fn write_at_once(
    db: &Db,
    projector: &ReadModelProjector,
    events: &[&SerializedEvent],
    project: bool,
) -> Result<Receipt, Failure> {
    let mut tx = db.begin().await.map_err(store_error)?;
    let appended = log::append(&mut tx, events).await.map_err(store_error)?;
    commit(tx, projector, project, &appended).await
}

async fn write_one_by_one(
    db: &Db,
    projector: &ReadModelProjector,
    batch: &[Append],
    project: bool,
) -> Result<(Receipt, Vec<Result<(), PersistenceError>>), Failure> {
    let mut tx = db.begin().await.map_err(store_error)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut appended = Vec::new();
    for append in batch {
        savepoint(&mut tx, "SAVEPOINT append").await?;
        let events: Vec<&SerializedEvent> = append.events.iter().collect();
        match log::append(&mut tx, &events).await.map_err(store_error) {
            Ok(rows) => {
                appended.extend(rows);
                outcomes.push(Ok(()));
            }
            Err(error) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT append").await?;
                outcomes.push(Err(error));
            }
        }
        savepoint(&mut tx, "RELEASE SAVEPOINT append").await?;
    }
    let receipt = commit(tx, projector, project, &appended).await?;
    Ok((receipt, outcomes))
}

/// Projects in `tx`, if `project`, what it appended (`appended`: the rows as read back, or
/// none on SQLite, where the projector reads them), and commits.
async fn commit(
    mut tx: Tx,
    projector: &ReadModelProjector,
    project: bool,
    appended: &[LoggedEvent],
) -> Result<Receipt, Failure> {
    let projected = if project {
        projector
            .project_in_transaction(&mut tx, appended, MAX_EVENTS_PROJECTED_INLINE)
            .await
            .map_err(Failure::Projection)?
    } else {
        None
    };
    tx.commit().await.map_err(store_error)?;
    Ok(Receipt::of(projector, projected))
}

async fn savepoint(tx: &mut Tx, statement: &'static str) -> Result<(), PersistenceError> {
    on_tx!(tx, |conn| sqlx::query(statement)
        .execute(&mut *conn)
        .await
        .map_err(store_error)?
        .rows_affected());
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use domain::CaseServices;
    use projections::{NoticesProjection, Projector, ReadModels};
    use serde_json::json;
    use test_support::{Scratch, Store};

    use super::*;
    use crate::ledger::writer::testing::{append, event};
    use crate::ledger::writer::EventWriter;

    async fn ledger_store(store: Store) -> (Scratch, Db, Arc<ReadModelProjector>) {
        let scratch = Scratch::new(store).await.unwrap();
        let db = scratch.connect().await.unwrap();
        db.migrate().await.unwrap();
        let projector = Arc::new(Projector::new(
            db.clone(),
            ReadModels::new(
                NoticesProjection::new(
                    CaseServices::bundled().catalogue,
                    chrono_tz::Asia::Shanghai,
                ),
                CaseServices::bundled(),
            ),
        ));
        projector.catch_up().await.unwrap();
        (scratch, db, projector)
    }

    /// Writes `batch` as the writer task would, on sessions of its own on PostgreSQL.
    async fn write(
        db: &Db,
        projector: &ReadModelProjector,
        batch: &[Append],
    ) -> Vec<Result<Receipt, PersistenceError>> {
        write_batch(db, PostgresSessions::of(db).as_mut(), projector, batch).await
    }

    async fn positions(db: &Db) -> Vec<(i64, String, i64)> {
        log::read_after(db, 0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.position, e.aggregate_id, e.sequence))
            .collect()
    }

    async fn one_conflict_in_a_batch_refuses_only_that_command(store: Store) {
        let (scratch, db, projector) = ledger_store(store).await;
        let batch = vec![
            append(vec![
                event("Probe", "a", 1, json!(1)),
                event("Probe", "a", 2, json!(2)),
            ])
            .0,
            append(vec![event("Probe", "b", 1, json!(3))]).0,
            // Same case and sequence as the first: a second writer that read the same version.
            append(vec![event("Probe", "a", 1, json!(4))]).0,
            append(vec![event("Probe", "c", 1, json!(5))]).0,
        ];
        let outcomes = write(&db, &projector, &batch).await;
        assert!(
            matches!(&outcomes[0], Ok(r) if r.is_projected()),
            "{outcomes:?}"
        );
        assert!(
            matches!(&outcomes[1], Ok(r) if r.is_projected()),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[2], Err(PersistenceError::OptimisticLockError)),
            "{outcomes:?}"
        );
        assert!(
            matches!(&outcomes[3], Ok(r) if r.is_projected()),
            "{outcomes:?}"
        );
        assert_eq!(
            positions(&db).await,
            vec![
                (1, "a".to_owned(), 1),
                (2, "a".to_owned(), 2),
                (3, "b".to_owned(), 1),
                (4, "c".to_owned(), 1),
            ]
        );
        assert_eq!(projector.checkpoint().await.unwrap(), 4);
        scratch.remove().await;
    }

    async fn a_batch_without_conflicts_commits_in_one_go_in_queue_order(store: Store) {
        let (scratch, db, projector) = ledger_store(store).await;
        let batch: Vec<Append> = (0..20)
            .map(|i| append(vec![event("Probe", &format!("case-{i:02}"), 1, json!(i))]).0)
            .collect();
        let outcomes = write(&db, &projector, &batch).await;
        assert!(outcomes
            .iter()
            .all(|o| matches!(o, Ok(r) if r.is_projected())));
        let logged = positions(&db).await;
        let expected: Vec<(i64, String, i64)> = (0..20)
            .map(|i| (i + 1, format!("case-{i:02}"), 1))
            .collect();
        assert_eq!(logged, expected);
        assert_eq!(projector.checkpoint().await.unwrap(), 20);
        scratch.remove().await;
    }

    async fn a_command_the_log_refuses_takes_no_other_command_with_it(store: Store) {
        let (scratch, db, projector) = ledger_store(store).await;
        let mut unstamped = event("Probe", "b", 1, json!(2));
        unstamped.metadata = json!({});
        let batch = vec![
            append(vec![event("Probe", "a", 1, json!(1))]).0,
            append(vec![unstamped]).0,
            append(vec![event("Probe", "c", 1, json!(3))]).0,
        ];
        let outcomes = write(&db, &projector, &batch).await;
        assert!(outcomes[0].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
        let refusal = outcomes[1].as_ref().unwrap_err().to_string();
        assert!(refusal.contains("requested_at"), "{refusal}");
        let ids: Vec<String> = positions(&db).await.into_iter().map(|p| p.1).collect();
        assert_eq!(ids, ["a", "c"]);
        scratch.remove().await;
    }

    async fn a_projection_failure_still_commits_the_events(store: Store) {
        let (scratch, db, projector) = ledger_store(store).await;
        let batch = vec![append(vec![event("PermitCase", "x", 1, json!({"Nonsense": {}}))]).0];
        let outcomes = write(&db, &projector, &batch).await;
        assert!(
            matches!(&outcomes[0], Ok(r) if !r.is_projected()),
            "{outcomes:?}"
        );
        assert_eq!(positions(&db).await, vec![(1, "x".to_owned(), 1)]);
        assert_eq!(
            projector.checkpoint().await.unwrap(),
            0,
            "nothing half-projected"
        );
        scratch.remove().await;
    }

    async fn events_left_unprojected_are_projected_with_the_next_commit(store: Store) {
        let (scratch, db, projector) = ledger_store(store).await;
        let mut tx = db.begin().await.unwrap();
        let appended = log::append(&mut tx, &[&event("Probe", "early", 1, json!(0))]).await;
        assert!(appended.is_ok());
        tx.commit().await.unwrap();
        assert_eq!(projector.checkpoint().await.unwrap(), 0);
        let batch = vec![append(vec![event("Probe", "later", 1, json!(1))]).0];
        let outcomes = write(&db, &projector, &batch).await;
        assert!(
            matches!(&outcomes[0], Ok(r) if r.is_projected()),
            "{outcomes:?}"
        );
        assert_eq!(projector.checkpoint().await.unwrap(), 2);
        assert_eq!(leaves(&db).await, 2, "both events have their leaf");
        scratch.remove().await;
    }

    async fn the_writer_task_answers_every_concurrent_append(store: Store) {
        let (scratch, db, projector) = ledger_store(store).await;
        let writer = EventWriter::start(db.clone(), projector.clone());
        let appends = (0..64).map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .append(vec![event(
                        "Probe",
                        &format!("case-{}", i % 32),
                        1 + i / 32,
                        json!(i),
                    )])
                    .await
            })
        });
        for outcome in futures::future::join_all(appends).await {
            assert!(matches!(outcome.unwrap(), Ok(r) if r.is_projected()));
        }
        assert_eq!(positions(&db).await.len(), 64);
        assert_eq!(projector.checkpoint().await.unwrap(), 64);
        scratch.remove().await;
    }

    test_support::on_both_stores!(
        one_conflict_in_a_batch_refuses_only_that_command,
        a_batch_without_conflicts_commits_in_one_go_in_queue_order,
        a_command_the_log_refuses_takes_no_other_command_with_it,
        a_projection_failure_still_commits_the_events,
        events_left_unprojected_are_projected_with_the_next_commit,
        the_writer_task_answers_every_concurrent_append,
    );

    async fn leaves(db: &Db) -> i64 {
        projections::on_db!(db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger_leaves"
        )
        .fetch_one(pool)
        .await
        .unwrap())
    }

    /// On PostgreSQL the projection follows the committed INSERT: a projector that gets
    /// there in between has projected the batch, and the writer must not project it again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_another_projector_projected_first_is_not_projected_again() {
        let (scratch, db, projector) = ledger_store(Store::Postgres).await;
        let mut sessions = PostgresSessions::of(&db).unwrap();
        let appended = sessions
            .append(&[&event("Probe", "a", 1, json!(1))])
            .await
            .unwrap();
        assert_eq!(projector.catch_up().await.unwrap(), 1);
        let receipt = sessions.project(&projector, &appended).await;
        assert!(!receipt.is_projected());
        assert_eq!(projector.checkpoint().await.unwrap(), 1);
        assert_eq!(leaves(&db).await, 1, "one leaf for the one event");
        // The next batch follows the checkpoint again and is projected with its commit.
        let appended = sessions
            .append(&[&event("Probe", "b", 1, json!(2))])
            .await
            .unwrap();
        assert!(sessions.project(&projector, &appended).await.is_projected());
        assert_eq!(projector.checkpoint().await.unwrap(), 2);
        // A batch the projection refuses is still logged; the checkpoint stays before it.
        let refused = event("PermitCase", "x", 1, json!({"Nonsense": {}}));
        let appended = sessions.append(&[&refused]).await.unwrap();
        assert!(!sessions.project(&projector, &appended).await.is_projected());
        assert_eq!(projector.checkpoint().await.unwrap(), 2);
        assert_eq!(positions(&db).await.len(), 3);
        scratch.remove().await;
    }

    /// What keeps the race above from happening within one process: while the writer holds
    /// the projector, a catch-up waits for the batch's projection instead of taking it over.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_catch_up_waits_while_the_writer_projects_what_it_committed() {
        let (scratch, db, projector) = ledger_store(Store::Postgres).await;
        let mut sessions = PostgresSessions::of(&db).unwrap();
        let holding = projector.hold_if_idle().expect("no catch-up is running");
        let appended = sessions
            .append(&[&event("Probe", "a", 1, json!(1))])
            .await
            .unwrap();
        let catching_up = tokio::spawn({
            let projector = projector.clone();
            async move { projector.catch_up().await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!catching_up.is_finished(), "the catch-up waits");
        assert!(sessions.project(&projector, &appended).await.is_projected());
        drop(holding);
        assert_eq!(catching_up.await.unwrap().unwrap(), 1);
        assert!(projector.hold_if_idle().is_some(), "nothing holds it now");
        scratch.remove().await;
    }
}

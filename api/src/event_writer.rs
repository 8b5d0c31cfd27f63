//! Group commit: one task appends the events of every command waiting at that moment in one
//! transaction, and projects them in the same transaction, so a burst of commands costs one
//! commit (one fsync), not two per command. Position order stays commit order: the stamping
//! trigger still numbers each row as it is inserted.
//!
//! Each command keeps its own outcome: the batch is first tried as one INSERT; if that fails
//! (a version conflict, say), it is written again command by command, each under a savepoint,
//! so one refused command never takes another's events with it.

use std::sync::Arc;

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use projections::{on_tx, Db, LedgerProjector, Tx};
use sqlx::QueryBuilder;
use tokio::sync::{mpsc, oneshot};

/// The most commands one transaction takes; a longer queue waits for the next one.
const MAX_COMMANDS_PER_COMMIT: usize = 128;
/// Queued events beyond which the writer leaves projecting to the projector (after a
/// rebuild has been started, say), so a commit never carries a long replay.
const MAX_EVENTS_PROJECTED_INLINE: i64 = 2_000;

/// What a committed append tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// True when the projections include these events already (they committed together);
    /// false when the caller should catch the projector up to read its own write.
    pub projected: bool,
}

struct Append {
    events: Vec<SerializedEvent>,
    reply: oneshot::Sender<Result<Receipt, PersistenceError>>,
}

/// The handle commands append through; cloning it shares the one writer task.
#[derive(Clone)]
pub struct EventWriter {
    appends: mpsc::Sender<Append>,
}

impl EventWriter {
    /// Starts the writer task on `db`, projecting with `projector`. The task ends when the
    /// last handle is dropped.
    pub fn start(db: Db, projector: Arc<LedgerProjector>) -> Self {
        let (appends, queue) = mpsc::channel(4 * MAX_COMMANDS_PER_COMMIT);
        tokio::spawn(write_batches(db, projector, queue));
        Self { appends }
    }

    /// Appends one command's events, all or none; returns once they are committed.
    pub async fn append(&self, events: Vec<SerializedEvent>) -> Result<Receipt, PersistenceError> {
        if events.is_empty() {
            return Ok(Receipt { projected: true });
        }
        let (reply, answer) = oneshot::channel();
        self.appends
            .send(Append { events, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> PersistenceError {
    PersistenceError::UnknownError("the event writer has stopped".into())
}

async fn write_batches(db: Db, projector: Arc<LedgerProjector>, mut queue: mpsc::Receiver<Append>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_COMMANDS_PER_COMMIT {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let outcomes = write_batch(&db, &projector, &batch).await;
        for (append, outcome) in batch.into_iter().zip(outcomes) {
            // A caller that went away (a dropped request) still had its events written.
            let _ = append.reply.send(outcome);
        }
    }
}

/// One outcome per append, in order.
async fn write_batch(
    db: &Db,
    projector: &LedgerProjector,
    batch: &[Append],
) -> Vec<Result<Receipt, PersistenceError>> {
    let all: Vec<&SerializedEvent> = batch.iter().flat_map(|a| &a.events).collect();
    let at_once = async {
        let mut tx = db.begin().await.map_err(store_error)?;
        insert_all(&mut tx, &all).await?;
        project_and_commit(tx, projector).await
    };
    match at_once.await {
        Ok(receipt) => return batch.iter().map(|_| Ok(receipt)).collect(),
        Err(error) if batch.len() == 1 => return vec![Err(error)],
        Err(_) => {}
    }
    // Something in the batch was refused: write each command under its own savepoint.
    let one_by_one = async {
        let mut tx = db.begin().await.map_err(store_error)?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for append in batch {
            savepoint(&mut tx, "SAVEPOINT append").await?;
            let events: Vec<&SerializedEvent> = append.events.iter().collect();
            match insert_all(&mut tx, &events).await {
                Ok(()) => outcomes.push(Ok(())),
                Err(error) => {
                    savepoint(&mut tx, "ROLLBACK TO SAVEPOINT append").await?;
                    outcomes.push(Err(error));
                }
            }
            savepoint(&mut tx, "RELEASE SAVEPOINT append").await?;
        }
        let receipt = project_and_commit(tx, projector).await?;
        Ok::<_, PersistenceError>((receipt, outcomes))
    };
    match one_by_one.await {
        Ok((receipt, outcomes)) => outcomes
            .into_iter()
            .map(|outcome| outcome.map(|()| receipt))
            .collect(),
        Err(error) => {
            let message = error.to_string();
            batch
                .iter()
                .map(|_| Err(PersistenceError::UnknownError(message.clone().into())))
                .collect()
        }
    }
}

/// Projects what `tx` appended, in `tx` (under a savepoint: a projection that fails leaves
/// the events to commit and the projector to retry), and commits.
async fn project_and_commit(
    mut tx: Tx,
    projector: &LedgerProjector,
) -> Result<Receipt, PersistenceError> {
    savepoint(&mut tx, "SAVEPOINT projection").await?;
    let projected = match projector
        .project_within(&mut tx, MAX_EVENTS_PROJECTED_INLINE)
        .await
    {
        Ok(projected) => projected,
        Err(error) => {
            tracing::error!(%error, "projecting with the commit failed; the projector will retry");
            false
        }
    };
    if !projected {
        savepoint(&mut tx, "ROLLBACK TO SAVEPOINT projection").await?;
    }
    savepoint(&mut tx, "RELEASE SAVEPOINT projection").await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Receipt { projected })
}

async fn savepoint(tx: &mut Tx, statement: &'static str) -> Result<(), PersistenceError> {
    on_tx!(tx, |conn| sqlx::query(statement)
        .execute(&mut *conn)
        .await
        .map_err(store_error)?
        .rows_affected());
    Ok(())
}

/// One INSERT for all `events`; the stamping trigger numbers the rows in this order.
async fn insert_all(tx: &mut Tx, events: &[&SerializedEvent]) -> Result<(), PersistenceError> {
    const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, \
                          event_type, event_version, payload, metadata) ";
    on_tx!(tx, |conn| {
        let mut insert = QueryBuilder::new(INSERT);
        insert.push_values(events, |mut row, event| {
            row.push_bind(event.aggregate_type.as_str())
                .push_bind(event.aggregate_id.as_str())
                .push_bind(event.sequence as i64)
                .push_bind(event.event_type.as_str())
                .push_bind(event.event_version.as_str())
                .push_bind(&event.payload)
                .push_bind(&event.metadata);
        });
        insert
            .build()
            .execute(&mut *conn)
            .await
            .map_err(store_error)?
            .rows_affected()
    });
    Ok(())
}

/// A version conflict (the key of aggregate and sequence taken) is the optimistic lock of
/// cqrs-es; anything else is the store's failure.
fn store_error(error: sqlx::Error) -> PersistenceError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            PersistenceError::OptimisticLockError
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            PersistenceError::ConnectionError(Box::new(error))
        }
        _ => PersistenceError::UnknownError(Box::new(error)),
    }
}

#[cfg(test)]
mod tests {
    use domain::CaseServices;
    use projections::transparency::LeavesProjection;
    use projections::{log, CaseProjection, LedgerProjection, NoticesProjection, Projector};
    use serde_json::{json, Value};

    use super::*;
    use crate::bench::stores::{Scratch, Store};

    fn postgres_server() -> String {
        std::env::var("PERMIT_LEDGER_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
    }

    async fn ledger_store(store: Store) -> (Scratch, Db, Arc<LedgerProjector>) {
        let scratch = Scratch::new(store, Some(&postgres_server())).await.unwrap();
        let db = scratch.connect().await.unwrap();
        db.migrate().await.unwrap();
        let projector = Arc::new(Projector::new(
            db.clone(),
            LedgerProjection {
                leaves: LeavesProjection,
                cases: CaseProjection,
                notices: NoticesProjection::new(
                    CaseServices::bundled().catalogue,
                    chrono_tz::Asia::Shanghai,
                ),
            },
        ));
        projector.catch_up().await.unwrap();
        (scratch, db, projector)
    }

    /// An event of an aggregate the read models ignore (only the leaves record it), or, with
    /// `aggregate_type` "PermitCase", one they must decode.
    fn event(aggregate_type: &str, id: &str, sequence: usize, payload: Value) -> SerializedEvent {
        SerializedEvent::new(
            id.to_owned(),
            sequence,
            aggregate_type.to_owned(),
            "Probed".to_owned(),
            "1.0".to_owned(),
            payload,
            json!({"requested_at": "2026-11-29T08:00:00.000000Z"}),
        )
    }

    fn append(
        events: Vec<SerializedEvent>,
    ) -> (Append, oneshot::Receiver<Result<Receipt, PersistenceError>>) {
        let (reply, answer) = oneshot::channel();
        (Append { events, reply }, answer)
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
        let outcomes = write_batch(&db, &projector, &batch).await;
        assert!(
            matches!(outcomes[0], Ok(Receipt { projected: true })),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[1], Ok(Receipt { projected: true })),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[2], Err(PersistenceError::OptimisticLockError)),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[3], Ok(Receipt { projected: true })),
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
        let outcomes = write_batch(&db, &projector, &batch).await;
        assert!(outcomes
            .iter()
            .all(|o| matches!(o, Ok(Receipt { projected: true }))));
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
        let outcomes = write_batch(&db, &projector, &batch).await;
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
        let outcomes = write_batch(&db, &projector, &batch).await;
        assert!(
            matches!(outcomes[0], Ok(Receipt { projected: false })),
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
            assert!(matches!(outcome.unwrap(), Ok(Receipt { projected: true })));
        }
        assert_eq!(positions(&db).await.len(), 64);
        assert_eq!(projector.checkpoint().await.unwrap(), 64);
        scratch.remove().await;
    }

    macro_rules! on_both_stores {
        ($($name:ident),* $(,)?) => {
            mod sqlite {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Store::Sqlite).await
                })*
            }
            mod postgres {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Store::Postgres).await
                })*
            }
        };
    }

    on_both_stores!(
        one_conflict_in_a_batch_refuses_only_that_command,
        a_batch_without_conflicts_commits_in_one_go_in_queue_order,
        a_command_the_log_refuses_takes_no_other_command_with_it,
        a_projection_failure_still_commits_the_events,
        the_writer_task_answers_every_concurrent_append,
    );
}

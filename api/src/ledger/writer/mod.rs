//! Group commit: one task appends the events of every command waiting at that moment in one
//! transaction, and projects them in the same transaction, so a burst of commands costs one
//! commit (one fsync), not two per command. Position order stays commit order: the stamping
//! trigger still numbers each row as it is inserted.
//!
//! Each command keeps its own outcome: the batch is first tried as one INSERT; if that fails
//! (a version conflict, say), it is written again command by command, each under a savepoint,
//! so one refused command never takes another's events with it. If projecting fails, the
//! transaction is written again without it: the events commit, the projector retries.
//!
//! Latecomers get a moment. A command this process has started and not yet ended is
//! *underway* ([`EventWriter::command_underway`]); while more commands are underway than the
//! batch holds, the writer waits for them (at most [`MAX_WAIT_FOR_UNDERWAY`]) before it
//! commits: an issuance allocating its permit number, say, joins this commit instead of
//! waiting a whole commit for the next. And when the previous commit carried more than one
//! command (clients are writing at once), it also lets the other tasks run for a few turns,
//! until a few turns in a row bring no new command: requests still on their way in from
//! HTTP join too. Otherwise, with clients answered together, batches alternate between a
//! first comer alone and everyone else. A lone client does not wait.
//!
//! On PostgreSQL the batch's INSERT commits on its own, in autocommit, and its projection
//! follows in one statement of its own, on two sessions the writer keeps for itself (see
//! [`WriterSession`]), the second without waiting for the disk: two round trips a batch
//! instead of five (taking a pooled connection, BEGIN, INSERT, projection, COMMIT) plus the
//! pool's ping when the connection is given back. The events are durable before their
//! projection; a projection that does not happen (it failed, or the checkpoint was not where
//! the batch began) is left to the projector, as on a failed projection in one transaction,
//! and a projection lost in a crash goes with its checkpoint (they are one statement), so the
//! projector redoes it.
//!
//! On SQLite, which has one writer at a time, other write transactions of this process take
//! the writer's [`WriteGate`] first: they queue behind the batch instead of polling SQLite's
//! busy handler, whose growing sleeps would otherwise starve them under a steady stream of
//! batches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use projections::log::{LoggedEvent, COLUMNS};
use projections::{on_tx, CaseView, Db, LedgerProjector, ProjectionError, Tx};
use sqlx::{PgConnection, QueryBuilder};
use tokio::sync::{mpsc, oneshot, Mutex, MutexGuard, Notify};
use tokio::time::Instant;

mod session;

use session::WriterSession;

/// The most commands one transaction takes; a longer queue waits for the next one.
const MAX_COMMANDS_PER_COMMIT: usize = 128;
/// The longest a batch waits for commands underway (see the module documentation).
const MAX_WAIT_FOR_UNDERWAY: Duration = Duration::from_millis(1);
/// Turns in a row without a new command after which the writer stops waiting for latecomers.
const IDLE_TURNS_FOR_LATECOMERS: usize = 8;
/// The most turns the writer waits for latecomers in all; each costs microseconds.
const MAX_TURNS_FOR_LATECOMERS: usize = 64;
/// Queued events beyond which the writer leaves projecting to the projector (after a
/// rebuild has been started, say), so a commit never carries a long replay.
const MAX_EVENTS_PROJECTED_INLINE: i64 = 2_000;

/// What a committed append tells its caller.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// When the projections include these events already (they committed together): the
    /// cases as that commit left them. None when the caller should catch the projector up to
    /// read its own write.
    pub projected: Option<Arc<[CaseView]>>,
}

impl Receipt {
    /// The receipt of a committed batch whose projection, if it happened, left the cases
    /// `projected`; they are remembered, so the next command on them reads none back.
    fn of(projector: &LedgerProjector, projected: Option<Vec<CaseView>>) -> Self {
        if let Some(cases) = &projected {
            projector.projection().cases.remember(cases);
        }
        Self {
            projected: projected.map(Arc::from),
        }
    }

    pub fn is_projected(&self) -> bool {
        self.projected.is_some()
    }

    /// The case as the commit left it, if it was projected with it.
    pub fn case(&self, case_id: &str) -> Option<&CaseView> {
        self.projected
            .as_deref()?
            .iter()
            .find(|view| view.case_id.as_str() == case_id)
    }
}

struct Append {
    events: Vec<SerializedEvent>,
    reply: oneshot::Sender<Result<Receipt, PersistenceError>>,
}

/// Turns for this process's write transactions on SQLite (none needed on PostgreSQL).
#[derive(Clone)]
pub struct WriteGate(Option<Arc<Mutex<()>>>);

impl WriteGate {
    pub fn for_db(db: &Db) -> Self {
        match db {
            Db::Sqlite(_) => WriteGate(Some(Arc::new(Mutex::new(())))),
            Db::Postgres(_) => WriteGate(None),
        }
    }

    /// Waits for the turn to write; the turn lasts as long as the guard.
    pub async fn turn(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }
}

/// The handle commands append through; cloning it shares the one writer task.
#[derive(Clone)]
pub struct EventWriter {
    appends: mpsc::Sender<Append>,
    gate: WriteGate,
    underway: Arc<CommandsUnderway>,
}

/// How many commands are underway, and a wake-up for the writer when one ends.
#[derive(Default)]
struct CommandsUnderway {
    count: AtomicUsize,
    ended: Notify,
}

/// A command underway, from its start until this is dropped (see
/// [`EventWriter::command_underway`]).
pub struct Underway(Arc<CommandsUnderway>);

impl Underway {
    fn start(commands: &Arc<CommandsUnderway>) -> Self {
        commands.count.fetch_add(1, Ordering::AcqRel);
        Underway(commands.clone())
    }
}

impl Drop for Underway {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::AcqRel);
        self.0.ended.notify_one();
    }
}

impl EventWriter {
    /// Starts the writer task on `db`, projecting with `projector`. The task ends when the
    /// last handle is dropped.
    pub fn start(db: Db, projector: Arc<LedgerProjector>) -> Self {
        let (appends, queue) = mpsc::channel(4 * MAX_COMMANDS_PER_COMMIT);
        let gate = WriteGate::for_db(&db);
        let underway = Arc::new(CommandsUnderway::default());
        tokio::spawn(write_batches(
            db,
            projector,
            gate.clone(),
            underway.clone(),
            queue,
        ));
        Self {
            appends,
            gate,
            underway,
        }
    }

    /// Counts a command as underway until the guard is dropped: a batch about to commit
    /// waits a moment for it (see the module documentation).
    pub fn command_underway(&self) -> Underway {
        Underway::start(&self.underway)
    }

    /// The gate other write transactions of this process take on SQLite.
    pub fn gate(&self) -> &WriteGate {
        &self.gate
    }

    /// Appends one command's events, all or none; returns once they are committed.
    pub async fn append(&self, events: Vec<SerializedEvent>) -> Result<Receipt, PersistenceError> {
        if events.is_empty() {
            return Ok(Receipt {
                projected: Some(Arc::from([])),
            });
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

async fn write_batches(
    db: Db,
    projector: Arc<LedgerProjector>,
    gate: WriteGate,
    underway: Arc<CommandsUnderway>,
    mut queue: mpsc::Receiver<Append>,
) {
    let mut sessions = PostgresSessions::of(&db);
    if let Some(sessions) = &mut sessions {
        sessions.open().await;
    }
    let mut clients_at_once = false;
    while let Some(first) = queue.recv().await {
        let batch = gather(first, &mut queue, &underway, clients_at_once).await;
        clients_at_once = batch.len() > 1;
        let outcomes = {
            let _turn = gate.turn().await;
            write_batch(&db, sessions.as_mut(), &projector, &batch).await
        };
        for (append, outcome) in batch.into_iter().zip(outcomes) {
            // A caller that went away (a dropped request) still had its events written.
            let _ = append.reply.send(outcome);
        }
    }
}

/// The batch `first` opens: every append queued, and those of the commands underway and of
/// latecomers (see the module documentation).
async fn gather(
    first: Append,
    queue: &mut mpsc::Receiver<Append>,
    underway: &CommandsUnderway,
    clients_at_once: bool,
) -> Vec<Append> {
    let mut batch = vec![first];
    let deadline = Instant::now() + MAX_WAIT_FOR_UNDERWAY;
    let (mut turns, mut idle_turns) = (0, 0);
    while batch.len() < MAX_COMMANDS_PER_COMMIT {
        if let Ok(next) = queue.try_recv() {
            batch.push(next);
            idle_turns = 0;
        } else if underway.count.load(Ordering::Acquire) > batch.len() && Instant::now() < deadline
        {
            tokio::select! {
                next = queue.recv() => match next {
                    Some(next) => batch.push(next),
                    None => break,
                },
                () = underway.ended.notified() => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        } else if clients_at_once
            && idle_turns < IDLE_TURNS_FOR_LATECOMERS
            && turns < MAX_TURNS_FOR_LATECOMERS
        {
            turns += 1;
            idle_turns += 1;
            tokio::task::yield_now().await;
        } else {
            break;
        }
    }
    batch
}

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

/// The event writer's own sessions on PostgreSQL (see the module documentation).
struct PostgresSessions {
    /// Where batches are appended, each INSERT committing on its own.
    appends: WriterSession,
    /// Where their projections are written, with `synchronous_commit = off`.
    projections: WriterSession,
}

impl PostgresSessions {
    /// The sessions on `db`'s server; none on SQLite, whose writer runs in one transaction.
    fn of(db: &Db) -> Option<Self> {
        let Db::Postgres(pool) = db else {
            return None;
        };
        let options = pool.connect_options().as_ref().clone();
        Some(Self {
            projections: WriterSession::new(
                options.clone().options([("synchronous_commit", "off")]),
            ),
            appends: WriterSession::new(options),
        })
    }

    /// Opens both sessions now, so that the first command does not wait for them; one that
    /// does not open now is tried again when first used.
    async fn open(&mut self) {
        for session in [&mut self.appends, &mut self.projections] {
            if let Err(error) = session.connection().await {
                tracing::warn!(%error, "the event writer's session did not open; it will retry");
            }
        }
    }

    /// Appends `events` in one INSERT that commits on its own; the rows as stored.
    async fn append(
        &mut self,
        events: &[&SerializedEvent],
    ) -> Result<Vec<LoggedEvent>, PersistenceError> {
        let connection = self.appends.connection().await.map_err(store_error)?;
        match insert_returning(connection, events).await {
            Ok(appended) => Ok(appended),
            Err(error) => {
                self.appends.failed().await;
                Err(store_error(error))
            }
        }
    }

    /// Projects what [`Self::append`] committed, if it can (see
    /// [`LedgerProjection::project_committed`](projections::LedgerProjection::project_committed)).
    async fn project(&mut self, projector: &LedgerProjector, appended: &[LoggedEvent]) -> Receipt {
        let connection = match self.projections.connection().await {
            Ok(connection) => connection,
            Err(error) => {
                tracing::error!(%error, "no session to project the commit on; the projector will retry");
                return Receipt::of(projector, None);
            }
        };
        let projected = match projector
            .projection()
            .project_committed(connection, appended, MAX_EVENTS_PROJECTED_INLINE)
            .await
        {
            Ok(projected) => projected,
            Err(error) => {
                tracing::error!(%error, "projecting the commit failed; the projector will retry");
                self.projections.failed().await;
                None
            }
        };
        Receipt::of(projector, projected)
    }
}

/// One outcome per append, in order.
async fn write_batch(
    db: &Db,
    sessions: Option<&mut PostgresSessions>,
    projector: &LedgerProjector,
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
    projector: &LedgerProjector,
    events: &[&SerializedEvent],
    project: bool,
) -> Result<Receipt, Failure> {
    let mut tx = db.begin().await.map_err(store_error)?;
    let appended = insert_all(&mut tx, events).await?;
    commit(tx, projector, project, &appended).await
}

async fn write_one_by_one(
    db: &Db,
    projector: &LedgerProjector,
    batch: &[Append],
    project: bool,
) -> Result<(Receipt, Vec<Result<(), PersistenceError>>), Failure> {
    let mut tx = db.begin().await.map_err(store_error)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut appended = Vec::new();
    for append in batch {
        savepoint(&mut tx, "SAVEPOINT append").await?;
        let events: Vec<&SerializedEvent> = append.events.iter().collect();
        match insert_all(&mut tx, &events).await {
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
    projector: &LedgerProjector,
    project: bool,
    appended: &[LoggedEvent],
) -> Result<Receipt, Failure> {
    let projected = if project {
        projector
            .project_appended(&mut tx, appended, MAX_EVENTS_PROJECTED_INLINE)
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

/// One INSERT for all `events`; the stamping trigger numbers the rows in this order. On
/// PostgreSQL the rows come back as stored (RETURNING); SQLite stamps them in an AFTER
/// trigger, which RETURNING does not see, so there none come back and the projector reads
/// them.
async fn insert_all(
    tx: &mut Tx,
    events: &[&SerializedEvent],
) -> Result<Vec<LoggedEvent>, PersistenceError> {
    Ok(match tx {
        Tx::Sqlite(conn) => {
            let mut insert = QueryBuilder::new(INSERT);
            push_events(&mut insert, events);
            insert
                .build()
                .execute(&mut **conn)
                .await
                .map_err(store_error)?;
            Vec::new()
        }
        Tx::Postgres(conn) => insert_returning(conn, events).await.map_err(store_error)?,
    })
}

/// One INSERT for all `events` on PostgreSQL; the rows as stored, in position order.
async fn insert_returning(
    conn: &mut PgConnection,
    events: &[&SerializedEvent],
) -> Result<Vec<LoggedEvent>, sqlx::Error> {
    let mut insert = QueryBuilder::new(INSERT);
    push_events(&mut insert, events);
    insert.push(" RETURNING ").push(COLUMNS);
    let rows = insert.build().fetch_all(conn).await?;
    let mut appended = LoggedEvent::from_rows(&rows)?;
    appended.sort_by_key(|e| e.position);
    Ok(appended)
}

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, \
                      event_type, event_version, payload, metadata) ";

/// The VALUES of an INSERT of `events`, in this order.
fn push_events<'a, DB>(insert: &mut QueryBuilder<'a, DB>, events: &[&'a SerializedEvent])
where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a serde_json::Value: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    insert.push_values(events, |mut row, event| {
        row.push_bind(event.aggregate_type.as_str())
            .push_bind(event.aggregate_id.as_str())
            .push_bind(event.sequence as i64)
            .push_bind(event.event_type.as_str())
            .push_bind(event.event_version.as_str())
            .push_bind(&event.payload)
            .push_bind(&event.metadata);
    });
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
    use projections::{log, LedgerProjection, NoticesProjection, Projector};
    use serde_json::{json, Value};

    use super::*;
    use test_support::{Scratch, Store};

    async fn ledger_store(store: Store) -> (Scratch, Db, Arc<LedgerProjector>) {
        let scratch = Scratch::new(store).await.unwrap();
        let db = scratch.connect().await.unwrap();
        db.migrate().await.unwrap();
        let projector = Arc::new(Projector::new(
            db.clone(),
            LedgerProjection::new(NoticesProjection::new(
                CaseServices::bundled().catalogue,
                chrono_tz::Asia::Shanghai,
            )),
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

    /// Writes `batch` as the writer task would, on sessions of its own on PostgreSQL.
    async fn write(
        db: &Db,
        projector: &LedgerProjector,
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
        let appended = insert_all(&mut tx, &[&event("Probe", "early", 1, json!(0))]).await;
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

    /// Gathers the batch a first append opens while `underway` commands are underway, after
    /// a previous batch of one command; returns its size and how long gathering took.
    async fn gathered(
        queue: &mut mpsc::Receiver<Append>,
        underway: &CommandsUnderway,
    ) -> (usize, Duration) {
        gathered_after(queue, underway, false).await
    }

    /// As [`gathered`], after a previous batch of several commands when `clients_at_once`.
    async fn gathered_after(
        queue: &mut mpsc::Receiver<Append>,
        underway: &CommandsUnderway,
        clients_at_once: bool,
    ) -> (usize, Duration) {
        let first = append(vec![event("Probe", "a", 1, json!(1))]).0;
        let started = Instant::now();
        let batch = gather(first, queue, underway, clients_at_once).await;
        (batch.len(), started.elapsed())
    }

    /// A command being decided: it gives the other tasks a few turns. (Tokio's timers count
    /// whole milliseconds, as long as the longest wait: these tests run in paused time and
    /// let the tasks take turns instead.)
    async fn still_deciding() {
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_command_is_written_at_once() {
        let (_sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _lone = Underway::start(&underway);
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!((size, waited), (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_underway_joins_the_batch_it_would_have_missed() {
        let (sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _first = Underway::start(&underway);
        let second = Underway::start(&underway);
        tokio::spawn(async move {
            still_deciding().await;
            let _ = sender
                .send(append(vec![event("Probe", "b", 1, json!(2))]).0)
                .await;
            drop(second);
        });
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!((size, waited), (2, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_that_ends_without_appending_ends_the_wait() {
        let (_sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _first = Underway::start(&underway);
        let refused = Underway::start(&underway);
        tokio::spawn(async move {
            still_deciding().await;
            drop(refused);
        });
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!(
            (size, waited),
            (1, Duration::ZERO),
            "no wait for the deadline"
        );
    }

    /// A request still on its way in (not yet a command underway) joins the batch when the
    /// previous commit carried several commands, and only then.
    async fn a_latecomer_joins_when_clients_write_at_once(clients_at_once: bool) -> usize {
        let (sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        tokio::spawn(async move {
            still_deciding().await;
            let _ = sender
                .send(append(vec![event("Probe", "b", 1, json!(2))]).0)
                .await;
        });
        let (size, waited) = gathered_after(&mut queue, &underway, clients_at_once).await;
        assert_eq!(waited, Duration::ZERO, "turns, never a timer");
        size
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_on_its_way_joins_only_while_clients_write_at_once() {
        assert_eq!(a_latecomer_joins_when_clients_write_at_once(true).await, 2);
        assert_eq!(a_latecomer_joins_when_clients_write_at_once(false).await, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_for_commands_underway_is_bounded() {
        let (_sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _first = Underway::start(&underway);
        let _stuck = Underway::start(&underway);
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!((size, waited), (1, MAX_WAIT_FOR_UNDERWAY));
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

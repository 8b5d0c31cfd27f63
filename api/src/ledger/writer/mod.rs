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
//! batch holds, the writer waits for them (at most `batching::MAX_WAIT_FOR_UNDERWAY`) before it
//! commits: an issuance allocating its permit number, say, joins this commit instead of
//! waiting a whole commit for the next. And when the previous commit carried more than one
//! command (clients are writing at once), it also lets the other tasks run for a few turns,
//! until a few turns in a row bring no new command: requests still on their way in from
//! HTTP join too. Otherwise, with clients answered together, batches alternate between a
//! first comer alone and everyone else. A lone client does not wait.
//!
//! On PostgreSQL the batch's INSERT commits on its own, in autocommit, and its projection
//! follows in one statement of its own, on two sessions the writer keeps for itself (see
//! `sessions::WriterSession`), the second without waiting for the disk: two round trips a batch
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

mod batching;
mod commit;
mod sessions;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use projections::{CaseView, Db, ReadModelProjector};
use tokio::sync::{mpsc, oneshot, Mutex, MutexGuard, Notify};

use batching::{gather, MAX_COMMANDS_PER_COMMIT};
use commit::write_batch;
use sessions::PostgresSessions;

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
    pub(super) fn of(projector: &ReadModelProjector, projected: Option<Vec<CaseView>>) -> Self {
        if let Some(cases) = &projected {
            projector.projection().remember_committed(cases);
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

pub(super) struct Append {
    pub(super) events: Vec<SerializedEvent>,
    pub(super) reply: oneshot::Sender<Result<Receipt, PersistenceError>>,
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
pub(super) struct CommandsUnderway {
    pub(super) count: AtomicUsize,
    pub(super) ended: Notify,
}

/// A command underway, from its start until this is dropped (see
/// [`EventWriter::command_underway`]).
pub struct Underway(Arc<CommandsUnderway>);

impl Underway {
    pub(super) fn start(commands: &Arc<CommandsUnderway>) -> Self {
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
    pub fn start(db: Db, projector: Arc<ReadModelProjector>) -> Self {
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
    projector: Arc<ReadModelProjector>,
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
        metrics::histogram!("permit_ledger_commit_batch_commands").record(batch.len() as f64);
        let events: usize = batch.iter().map(|append| append.events.len()).sum();
        metrics::histogram!("permit_ledger_commit_batch_events").record(events as f64);
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

/// A version conflict (the key of aggregate and sequence taken) is the optimistic lock of
/// cqrs-es; anything else is the store's failure.
pub(super) fn store_error(error: sqlx::Error) -> PersistenceError {
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
pub(super) mod testing {
    //! Events and appends the writer's tests send.

    use cqrs_es::persist::{PersistenceError, SerializedEvent};
    use serde_json::{json, Value};
    use tokio::sync::oneshot;

    use super::{Append, Receipt};

    /// An event of an aggregate the read models ignore (only the leaves record it), or, with
    /// `aggregate_type` "PermitCase", one they must decode.
    pub fn event(
        aggregate_type: &str,
        id: &str,
        sequence: usize,
        payload: Value,
    ) -> SerializedEvent {
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

    pub fn append(
        events: Vec<SerializedEvent>,
    ) -> (Append, oneshot::Receiver<Result<Receipt, PersistenceError>>) {
        let (reply, answer) = oneshot::channel();
        (Append { events, reply }, answer)
    }
}

//! The checkpointed projector: reads the log by global position after its checkpoint, lets a
//! projection fold a batch into its rows, and moves the checkpoint in the same transaction.

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard};
use tokio::task::JoinHandle;

use crate::case_view::FoldError;
use crate::db::{Db, Tx};
use crate::log::{self, LogError, LoggedEvent};
use crate::projection::{waiting, Projection, ProjectionError, CHECKPOINT};
use crate::{on_db, on_tx};

/// Keeps a projection equal to the fold of the log. Safe to run from several tasks or
/// processes: the checkpoint moves by compare-and-set, so no event is applied twice.
pub struct Projector<P> {
    db: Db,
    projection: P,
    batch_size: i64,
    running: Mutex<()>,
}

impl<P: Projection + 'static> Projector<P> {
    pub fn new(db: Db, projection: P) -> Self {
        Self {
            db,
            projection,
            batch_size: 5_000,
            running: Mutex::new(()),
        }
    }

    /// Reads and projects at most `batch_size` events per transaction (5,000 by default).
    pub fn with_batch_size(mut self, batch_size: i64) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    pub fn name(&self) -> &'static str {
        P::NAME
    }

    /// Keeps this process's catch-ups and rebuilds of this projection waiting while the guard
    /// lives, if none is running now (None then): for a writer about to project, right
    /// after committing them, events a catch-up would otherwise find unprojected and race it
    /// to (the loser's work is refused, but wasted).
    pub fn hold_if_idle(&self) -> Option<MutexGuard<'_, ()>> {
        self.running.try_lock().ok()
    }

    /// Applies every event after the checkpoint; returns the position reached. Three batches
    /// are under way at once, each in a task of its own: the next is read, the one after the
    /// checkpoint is prepared, and the one before it is written.
    ///
    /// The work runs in a task of its own, so a caller that gives up waiting (a timeout, a
    /// request whose client went away) cuts nothing short: it goes on to the end. Cutting it
    /// would be unsafe besides: sqlx's `begin` is not cancel-safe on PostgreSQL (0.8.6), and a
    /// future dropped during its round trip leaves the session inside a transaction that the
    /// pool then hands on, whose next borrowers' statements hold their locks and are never
    /// committed. For the same reason no task of the projector is ever aborted.
    pub async fn catch_up(self: &Arc<Self>) -> Result<i64, ProjectionError> {
        self.in_a_task_of_its_own(|this| async move { this.catch_up_here().await })
            .await
    }

    /// Runs `work` on this projector in a task of its own and waits for it: dropping the
    /// wait leaves the work going (see [`Self::catch_up`]).
    async fn in_a_task_of_its_own<Work, Done>(
        self: &Arc<Self>,
        work: Work,
    ) -> Result<i64, ProjectionError>
    where
        Work: FnOnce(Arc<Self>) -> Done,
        Done: std::future::Future<Output = Result<i64, ProjectionError>> + Send + 'static,
    {
        tokio::spawn(work(Arc::clone(self)))
            .await
            .map_err(|e| ProjectionError::Task(e.to_string()))?
    }

    /// [`Self::catch_up`], in the caller's task.
    async fn catch_up_here(self: &Arc<Self>) -> Result<i64, ProjectionError> {
        let _one_at_a_time = self.running.lock().await;
        let mut checkpoint = self.checkpoint().await?;
        let mut next = Some(self.read_ahead(checkpoint));
        // The batch prepared and waiting to be written: its events, its fold, its checkpoint.
        let mut pending: Option<(Vec<LoggedEvent>, Arc<P::Prepared>, i64)> = None;
        loop {
            let events = next
                .take()
                .expect("a read is under way until the log is exhausted")
                .await
                .map_err(|e| ProjectionError::Task(e.to_string()))??;
            let after = pending.as_ref().map_or(checkpoint, |(_, _, to)| *to);
            for (expected, event) in (after + 1..).zip(&events) {
                if event.position != expected {
                    return Err(ProjectionError::Gap {
                        after: expected - 1,
                        found: event.position,
                    });
                }
            }
            let preparing = match events.last().map(|e| e.position) {
                Some(last) => {
                    next = Some(self.read_ahead(last));
                    let previous = pending.as_ref().map(|(_, prepared, _)| prepared.clone());
                    Some((last, self.prepare_ahead(events, previous)))
                }
                None => None,
            };
            let written = match &pending {
                Some((events, prepared, to)) => {
                    self.write_batch(checkpoint, *to, events, prepared).await?
                }
                None => true,
            };
            if !written {
                // Another projector got there first: start again from where it stands. The
                // batch being prepared is left to finish on its own, unused.
                drop(preparing);
                pending = None;
                checkpoint = self.checkpoint().await?;
                self.read_again_from(checkpoint, &mut next);
                continue;
            }
            if let Some((_, _, to)) = pending.take() {
                checkpoint = to;
            }
            let Some((last, prepare)) = preparing else {
                return Ok(checkpoint);
            };
            let (events, prepared) = match prepare
                .await
                .map_err(|e| ProjectionError::Task(e.to_string()))?
            {
                Ok(ready) => ready,
                // Folded onto rows another projector may have moved on from since this one
                // read the checkpoint: if it has, start again from where that one stands.
                Err(error @ ProjectionError::Fold(FoldError::OutOfSequence { .. })) => {
                    let stands = self.checkpoint().await?;
                    if stands <= checkpoint {
                        return Err(error);
                    }
                    checkpoint = stands;
                    self.read_again_from(checkpoint, &mut next);
                    continue;
                }
                Err(error) => return Err(error),
            };
            pending = Some((events, Arc::new(prepared), last));
        }
    }

    /// Prepares the batch `events`, which follows `previous`, in a task of its own and in a
    /// read-only transaction of its own; hands the events back with it.
    #[allow(clippy::type_complexity)]
    fn prepare_ahead(
        self: &Arc<Self>,
        events: Vec<LoggedEvent>,
        previous: Option<Arc<P::Prepared>>,
    ) -> JoinHandle<Result<(Vec<LoggedEvent>, P::Prepared), ProjectionError>> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let db_error = ProjectionError::db(P::NAME);
            let mut tx = this.db.begin().await.map_err(&db_error)?;
            let prepared = this
                .projection
                .prepare(&mut tx, &events, previous.as_deref())
                .await?;
            tx.rollback().await.map_err(&db_error)?;
            Ok((events, prepared))
        })
    }

    /// Abandons the read under way in `next` (it finishes on its own, unused) and reads from
    /// `checkpoint` instead.
    fn read_again_from(
        &self,
        checkpoint: i64,
        next: &mut Option<JoinHandle<Result<Vec<LoggedEvent>, LogError>>>,
    ) {
        *next = Some(self.read_ahead(checkpoint));
    }

    /// Reads the batch after `position` in a task of its own.
    fn read_ahead(&self, position: i64) -> JoinHandle<Result<Vec<LoggedEvent>, LogError>> {
        let (db, limit) = (self.db.clone(), self.batch_size);
        tokio::spawn(async move { log::read_after(&db, position, limit).await })
    }

    /// Forgets every row and the checkpoint, then replays the whole log; like
    /// [`Self::catch_up`], in a task of its own that a caller giving up does not cut short.
    pub async fn rebuild(self: &Arc<Self>) -> Result<i64, ProjectionError> {
        self.in_a_task_of_its_own(|this| async move { this.rebuild_here().await })
            .await
    }

    /// [`Self::rebuild`], in the caller's task.
    async fn rebuild_here(self: &Arc<Self>) -> Result<i64, ProjectionError> {
        {
            let _one_at_a_time = self.running.lock().await;
            let db_error = ProjectionError::db(P::NAME);
            let mut tx = self.db.begin().await.map_err(&db_error)?;
            self.reset_in(&mut tx).await?;
            tx.commit().await.map_err(&db_error)?;
        }
        self.catch_up_here().await
    }

    /// Forgets, inside `tx`, every row of this projection and its checkpoint.
    async fn reset_in(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        let reached = self.checkpoint().await?;
        self.projection.reset(tx, reached).await?;
        on_tx!(tx, |conn| sqlx::query(
            "UPDATE projector_checkpoints SET position = 0 WHERE name = $1"
        )
        .bind(P::NAME)
        .execute(&mut *conn)
        .await
        .map_err(ProjectionError::db(P::NAME))?
        .rows_affected());
        Ok(())
    }

    /// Replays the whole log into this projection inside `tx`, batch by batch: forgets its
    /// rows and its checkpoint there, then projects every event. Nothing is committed: the
    /// caller compares what `tx` holds with the live rows, then rolls it back or commits it.
    /// Returns the position reached.
    pub async fn rebuild_in(&self, tx: &mut Tx) -> Result<i64, ProjectionError> {
        let _one_at_a_time = self.running.lock().await;
        self.reset_in(tx).await?;
        let mut at = 0;
        loop {
            let events = log::read_after_on(tx.conn(), at, self.batch_size).await?;
            let Some(last) = events.last().map(|e| e.position) else {
                return Ok(at);
            };
            if !log::follow(at, &events) {
                let found = events.iter().zip(at + 1..).find(|(e, p)| e.position != *p);
                return Err(ProjectionError::Gap {
                    after: at,
                    found: found.map_or(last, |(e, _)| e.position),
                });
            }
            if self
                .projection
                .apply_moving_checkpoint(tx, &events, at, last)
                .await?
                .is_none()
            {
                return Err(ProjectionError::Task(
                    "the checkpoint moved inside the rebuild's own transaction".into(),
                ));
            }
            at = last;
        }
    }

    /// Projects, inside `tx`, the events `tx` has just appended: `appended` holds them as the
    /// log stores them (read back with `RETURNING`), or nothing where the database cannot
    /// return them. When the checkpoint stands right before them, they are all there is to
    /// project, and no event is read; otherwise this is `Self::project_waiting_in`.
    pub async fn project_in_transaction(
        &self,
        tx: &mut Tx,
        appended: &[LoggedEvent],
        limit: i64,
    ) -> Result<Option<P::Applied>, ProjectionError> {
        let (Some(first), Some(last)) = (appended.first(), appended.last()) else {
            return self.project_waiting_in(tx, limit).await;
        };
        if log::follow(first.position - 1, appended) {
            let applied = self
                .projection
                .apply_moving_checkpoint(tx, appended, first.position - 1, last.position)
                .await?;
            if applied.is_some() {
                return Ok(applied);
            }
        }
        self.project_waiting_in(tx, limit).await
    }

    /// Projects, inside `tx`, every event after the checkpoint, so that events `tx` has just
    /// appended commit together with their projection. Returns None, having written nothing,
    /// when there is nothing to do safely here: more than `limit` events are waiting (after a
    /// rebuild was started), another projector moved the checkpoint first, or the log has a gap;
    /// the caller then catches up outside its transaction. On an error the caller must roll
    /// back what this wrote (a savepoint) or the whole transaction.
    async fn project_waiting_in(
        &self,
        tx: &mut Tx,
        limit: i64,
    ) -> Result<Option<P::Applied>, ProjectionError> {
        let Some((checkpoint, events)) = waiting(tx.conn(), P::NAME, limit).await? else {
            return Ok(None);
        };
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(Some(P::Applied::default()));
        };
        self.projection
            .apply_moving_checkpoint(tx, &events, checkpoint, last)
            .await
    }

    pub fn projection(&self) -> &P {
        &self.projection
    }

    /// Where this projection's checkpoint stands. Each projection's checkpoint row is made by
    /// a migration (0006 for the ledger's), so it is only ever read here.
    pub async fn checkpoint(&self) -> Result<i64, ProjectionError> {
        let position = on_db!(&self.db, |pool| {
            sqlx::query_scalar(CHECKPOINT)
                .bind(P::NAME)
                .fetch_one(pool)
                .await
                .map_err(ProjectionError::db(P::NAME))?
        });
        Ok(position)
    }

    /// Writes a prepared batch and moves the checkpoint from `from` to `to`; false, having
    /// written nothing, if another projector moved it first.
    async fn write_batch(
        &self,
        from: i64,
        to: i64,
        events: &[LoggedEvent],
        prepared: &P::Prepared,
    ) -> Result<bool, ProjectionError> {
        let db_error = ProjectionError::db(P::NAME);
        let mut tx = self.db.begin().await.map_err(&db_error)?;
        // The events are in the log already: a batch lost in a crash is projected again.
        tx.commit_without_waiting_for_disk()
            .await
            .map_err(&db_error)?;
        let written = self
            .projection
            .write(&mut tx, events, prepared, Some((from, to)))
            .await?;
        if !written {
            tx.rollback().await.map_err(&db_error)?;
            return Ok(false);
        }
        tx.commit().await.map_err(&db_error)?;
        Ok(true)
    }
}

//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use domain::CaseServices;
use sqlx::PgConnection;

use crate::case_projection::{CaseProjection, CaseRows};
use crate::case_view::{CaseView, FoldError};
use crate::db::{Conn, Tx};
use crate::log::{self, LoggedEvent};
use crate::notices::{NoticeKind, NoticeRows, NoticesProjection};
use crate::postgres_writes::PostgresWrites;
use crate::projection::{move_checkpoint, waiting, Projection, ProjectionError};
use crate::projector::Projector;
use crate::supervision::{SupervisionProjection, Tally, TallyRows};
use crate::transparency::LeafRows;

/// The ledger's read models: the log's leaves, the cases, the public notices, the
/// supervision figures.
pub struct ReadModels {
    cases: CaseProjection,
    notices: NoticesProjection,
    supervision: SupervisionProjection,
    /// The events up to here have their leaves recorded already (the checkpoint a rebuild
    /// started from): replaying them hashes nothing, since the recorded leaf is kept.
    leaves_recorded_through: AtomicI64,
}

impl ReadModels {
    /// The read models, with what the supervision figures are counted by (the catalogue, the
    /// calendar, the warning thresholds).
    pub fn new(notices: NoticesProjection, services: CaseServices) -> Self {
        Self {
            cases: CaseProjection::default(),
            notices,
            supervision: SupervisionProjection::new(services),
            leaves_recorded_through: AtomicI64::new(0),
        }
    }
}

pub type ReadModelProjector = Projector<ReadModels>;

impl ReadModels {
    /// Remembers the cases as a commit left them, so that the next batch on one of them is
    /// folded onto its view instead of reading it back (a view at version n is the fold of
    /// its first n events, which never change). Only for views whose events have committed.
    pub fn remember_committed(&self, views: &[CaseView]) {
        self.cases.remember(views);
    }

    /// Projects `events`, which the caller has just committed on PostgreSQL, on `conn`, a
    /// session in autocommit, in one statement that also moves the checkpoint, or writes
    /// nothing. If the checkpoint was not right before them (another projector got there
    /// first, or events before them are not projected yet), everything after the checkpoint
    /// is projected instead, unless that is more than `limit` events. Returns the cases as
    /// the projected events left them; None, having written nothing, when the checkpoint
    /// moved meanwhile, the events after it are too many or not one unbroken run, or one
    /// publishes a day (that takes statements of its own: it is left to the projector,
    /// whose transaction holds them together).
    ///
    /// Views (if not remembered) and the log are read before the statement, outside any
    /// transaction. A view read while the checkpoint stood before a later event of its case
    /// is stale, but then that event does not follow the view's version and the fold refuses
    /// it, or the checkpoint is not where the statement expects it and nothing is written.
    pub async fn project_after_commit(
        &self,
        conn: &mut PgConnection,
        events: &[LoggedEvent],
        limit: i64,
    ) -> Result<Option<Vec<CaseView>>, ProjectionError> {
        match self.project_unbroken_run(conn, events).await {
            Ok(Some(views)) => return Ok(Some(views)),
            // Not right after the checkpoint, or (the same, seen from a case) folded onto a
            // view that events before these, not yet projected, will move on first.
            Ok(None) | Err(ProjectionError::Fold(FoldError::OutOfSequence { .. })) => {}
            Err(error) => return Err(error),
        }
        match waiting(Conn::Postgres(&mut *conn), Self::NAME, limit).await? {
            Some((_, events)) => self.project_unbroken_run(conn, &events).await,
            None => Ok(None),
        }
    }

    /// Projects `events`, one unbroken run of positions, in one statement moving the
    /// checkpoint from right before the first to the last; None if it stood elsewhere.
    async fn project_unbroken_run(
        &self,
        conn: &mut PgConnection,
        events: &[LoggedEvent],
    ) -> Result<Option<Vec<CaseView>>, ProjectionError> {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return Ok(None);
        };
        if !log::follow(first.position - 1, events)
            || events.iter().any(NoticesProjection::is_publication)
        {
            return Ok(None);
        }
        let batch = self
            .prepare_on(Conn::Postgres(&mut *conn), events, None)
            .await?;
        let writes = batch.postgres_writes(Some((first.position - 1, last.position)));
        if !writes
            .execute(conn)
            .await
            .map_err(ProjectionError::db(Self::NAME))?
        {
            return Ok(None);
        }
        Ok(Some(batch.views))
    }

    /// [`Projection::prepare`], reading on `conn`.
    async fn prepare_on(
        &self,
        conn: Conn<'_>,
        events: &[LoggedEvent],
        previous: Option<&PreparedBatch>,
    ) -> Result<PreparedBatch, ProjectionError> {
        let mut notices = Vec::new();
        let mut tally = Tally::default();
        let carried = previous.map_or(&[][..], |batch| &batch.views[..]);
        let views = self
            .cases
            .fold(conn, events, carried, |event, case| {
                if let Some(kind) = NoticeKind::of(event) {
                    notices.push(self.notices.notice(event, kind, case)?);
                }
                self.supervision.observe(&mut tally, event, case);
                Ok(())
            })
            .await?;
        let recorded = self.leaves_recorded_through.load(Ordering::Acquire);
        let unrecorded = &events[events.partition_point(|e| e.position <= recorded)..];
        Ok(PreparedBatch {
            leaves: LeafRows::of(unrecorded),
            cases: CaseRows::of(&views, self.supervision.services()),
            notices: NoticeRows::of(&notices),
            tally: tally.rows(),
            views,
        })
    }
}

/// A batch folded and ready to be written: its rows, and the cases as it leaves them.
pub struct PreparedBatch {
    leaves: LeafRows,
    cases: CaseRows,
    notices: NoticeRows,
    tally: TallyRows,
    views: Vec<CaseView>,
}

impl PreparedBatch {
    /// The batch's rows as one PostgreSQL statement; with `checkpoint` = (from, to), one that
    /// writes them only if it moves the checkpoint from `from` to `to`.
    fn postgres_writes(&self, checkpoint: Option<(i64, i64)>) -> PostgresWrites<'_> {
        let mut writes = match checkpoint {
            Some((from, to)) => PostgresWrites::guarded(ReadModels::NAME, from, to),
            None => PostgresWrites::default(),
        };
        self.leaves.write_postgres(&mut writes);
        self.cases.write_postgres(&mut writes);
        self.notices.write_postgres(&mut writes);
        self.tally.write_postgres(&mut writes);
        writes
    }
}

#[async_trait]
impl Projection for ReadModels {
    const NAME: &'static str = "ledger";

    /// The cases as the batch left them.
    type Applied = Vec<CaseView>;

    type Prepared = PreparedBatch;

    /// The case views are folded in memory from the stored ones (or the previous batch's),
    /// and each permit notice is drawn from the case as it stood right after its event: no
    /// case is read twice. The rows are serialised and the leaves hashed here, off the
    /// database's critical path.
    async fn prepare(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        previous: Option<&PreparedBatch>,
    ) -> Result<PreparedBatch, ProjectionError> {
        self.prepare_on(tx.conn(), events, previous).await
    }

    /// On PostgreSQL one statement writes the batch and moves the checkpoint.
    async fn write(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        batch: &PreparedBatch,
        checkpoint: Option<(i64, i64)>,
    ) -> Result<bool, ProjectionError> {
        let db_error = ProjectionError::db(Self::NAME);
        // SQLite moves the checkpoint first, which takes the write lock at once; PostgreSQL
        // moves it in the one statement of the writes.
        if let (Tx::Sqlite(_), Some((from, to))) = (&*tx, checkpoint) {
            if !move_checkpoint(tx, Self::NAME, from, to).await? {
                return Ok(false);
            }
        }
        match tx {
            Tx::Postgres(conn) => {
                if !batch
                    .postgres_writes(checkpoint)
                    .execute(conn)
                    .await
                    .map_err(&db_error)?
                {
                    return Ok(false);
                }
            }
            Tx::Sqlite(conn) => {
                batch.leaves.write_sqlite(conn).await.map_err(&db_error)?;
                batch.cases.write_sqlite(conn).await.map_err(&db_error)?;
                batch.notices.write_sqlite(conn).await.map_err(&db_error)?;
                batch.tally.write_sqlite(conn).await.map_err(&db_error)?;
            }
        }
        // After the notices are stored: a publication marks the notices it lists.
        self.notices.apply_publications(tx, events).await?;
        Ok(true)
    }

    fn applied(batch: PreparedBatch) -> Vec<CaseView> {
        batch.views
    }

    /// Resets the derived rows; the recorded leaves are never reset (a replay keeps the first
    /// leaf of each position), since they are the evidence of what was logged. Every event up
    /// to the checkpoint has its leaf (they were written together): the replay skips them.
    async fn reset(&self, tx: &mut Tx, reached: i64) -> Result<(), ProjectionError> {
        self.cases.reset(tx).await?;
        self.notices.reset(tx).await?;
        self.supervision.reset(tx).await?;
        self.leaves_recorded_through
            .fetch_max(reached, Ordering::AcqRel);
        Ok(())
    }
}

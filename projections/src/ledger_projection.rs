//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;

use crate::case_projector::{CaseProjection, CaseRows};
use crate::case_view::CaseView;
use crate::log::LoggedEvent;
use crate::notices::{NoticeKind, NoticeRows, NoticesProjection};
use crate::postgres_writes::PostgresWrites;
use crate::projector::{move_checkpoint, Projection, ProjectionError, Projector, Tx};
use crate::transparency::LeafRows;

/// The ledger's read models: the log's leaves, the cases, the public notices.
pub struct LedgerProjection {
    pub cases: CaseProjection,
    pub notices: NoticesProjection,
    /// The events up to here have their leaves recorded already (the checkpoint a rebuild
    /// started from): replaying them hashes nothing, since the recorded leaf is kept.
    leaves_recorded_through: AtomicI64,
}

impl LedgerProjection {
    pub fn new(notices: NoticesProjection) -> Self {
        Self {
            cases: CaseProjection::default(),
            notices,
            leaves_recorded_through: AtomicI64::new(0),
        }
    }
}

pub type LedgerProjector = Projector<LedgerProjection>;

/// A batch folded and ready to be written: its rows, and the cases as it leaves them.
pub struct LedgerBatch {
    leaves: LeafRows,
    cases: CaseRows,
    notices: NoticeRows,
    views: Vec<CaseView>,
}

#[async_trait]
impl Projection for LedgerProjection {
    const NAME: &'static str = "ledger";

    /// The cases as the batch left them.
    type Applied = Vec<CaseView>;

    type Prepared = LedgerBatch;

    /// The case views are folded in memory from the stored ones (or the previous batch's),
    /// and each permit notice is drawn from the case as it stood right after its event: no
    /// case is read twice. The rows are serialised and the leaves hashed here, off the
    /// database's critical path.
    async fn prepare(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        previous: Option<&LedgerBatch>,
    ) -> Result<LedgerBatch, ProjectionError> {
        let mut notices = Vec::new();
        let carried = previous.map_or(&[][..], |batch| &batch.views[..]);
        let views = self
            .cases
            .fold(tx, events, carried, |event, case| {
                if let Some(kind) = NoticeKind::of(event) {
                    notices.push(self.notices.notice(event, kind, case)?);
                }
                Ok(())
            })
            .await?;
        let recorded = self.leaves_recorded_through.load(Ordering::Acquire);
        let unrecorded = &events[events.partition_point(|e| e.position <= recorded)..];
        Ok(LedgerBatch {
            leaves: LeafRows::of(unrecorded),
            cases: CaseRows::of(&views),
            notices: NoticeRows::of(&notices),
            views,
        })
    }

    /// On PostgreSQL one statement writes the batch and moves the checkpoint.
    async fn write(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        batch: &LedgerBatch,
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
                let mut writes = match checkpoint {
                    Some((from, to)) => PostgresWrites::guarded(Self::NAME, from, to),
                    None => PostgresWrites::default(),
                };
                batch.leaves.write_postgres(&mut writes);
                batch.cases.write_postgres(&mut writes);
                batch.notices.write_postgres(&mut writes);
                if !writes.execute(conn).await.map_err(&db_error)? {
                    return Ok(false);
                }
            }
            Tx::Sqlite(conn) => {
                batch.leaves.write_sqlite(conn).await.map_err(&db_error)?;
                batch.cases.write_sqlite(conn).await.map_err(&db_error)?;
                batch.notices.write_sqlite(conn).await.map_err(&db_error)?;
            }
        }
        // After the notices are stored: a publication marks the notices it lists.
        self.notices.apply_publications(tx, events).await?;
        Ok(true)
    }

    fn applied(batch: LedgerBatch) -> Vec<CaseView> {
        batch.views
    }

    /// Resets the derived rows; the recorded leaves are never reset (a replay keeps the first
    /// leaf of each position), since they are the evidence of what was logged. Every event up
    /// to the checkpoint has its leaf (they were written together): the replay skips them.
    async fn reset(&self, tx: &mut Tx, reached: i64) -> Result<(), ProjectionError> {
        self.cases.reset(tx).await?;
        self.notices.reset(tx).await?;
        self.leaves_recorded_through
            .fetch_max(reached, Ordering::AcqRel);
        Ok(())
    }
}

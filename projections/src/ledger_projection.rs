//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

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
}

pub type LedgerProjector = Projector<LedgerProjection>;

#[async_trait]
impl Projection for LedgerProjection {
    const NAME: &'static str = "ledger";

    /// The cases as the batch left them.
    type Applied = Vec<CaseView>;

    /// The case views are folded in memory from the stored ones, and each permit notice is
    /// drawn from the case as it stood right after its event: no case is read twice.
    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
    ) -> Result<Vec<CaseView>, ProjectionError> {
        let applied = self.apply_if_moved(tx, events, None).await?;
        Ok(applied.expect("writes without a checkpoint to move always apply"))
    }

    /// On PostgreSQL the checkpoint moves in the same statement as the writes.
    async fn apply_moving_checkpoint(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        from: i64,
        to: i64,
    ) -> Result<Option<Vec<CaseView>>, ProjectionError> {
        self.apply_if_moved(tx, events, Some((from, to))).await
    }

    /// Resets the derived rows; the recorded leaves are never reset (a replay keeps the first
    /// leaf of each position), since they are the evidence of what was logged.
    async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        self.cases.reset(tx).await?;
        self.notices.reset(tx).await
    }
}

impl LedgerProjection {
    /// Folds and writes `events`; with `checkpoint` = (from, to), only if the checkpoint moves
    /// from `from` to `to` (None otherwise, nothing written). SQLite moves it first, which
    /// takes the write lock at once; PostgreSQL moves it in the one statement of the writes.
    async fn apply_if_moved(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        checkpoint: Option<(i64, i64)>,
    ) -> Result<Option<Vec<CaseView>>, ProjectionError> {
        if let (Tx::Sqlite(_), Some((from, to))) = (&*tx, checkpoint) {
            if !move_checkpoint(tx, Self::NAME, from, to).await? {
                return Ok(None);
            }
        }
        let mut notices = Vec::new();
        let views = self
            .cases
            .fold(tx, events, |event, case| {
                if let Some(kind) = NoticeKind::of(event) {
                    notices.push(self.notices.notice(event, kind, case)?);
                }
                Ok(())
            })
            .await?;
        let (leaves, cases) = (LeafRows::of(events), CaseRows::of(&views));
        let new_notices = NoticeRows::of(&notices);
        let db_error = ProjectionError::db(Self::NAME);
        match tx {
            Tx::Postgres(conn) => {
                let mut writes = match checkpoint {
                    Some((from, to)) => PostgresWrites::guarded(Self::NAME, from, to),
                    None => PostgresWrites::default(),
                };
                leaves.write_postgres(&mut writes);
                cases.write_postgres(&mut writes);
                new_notices.write_postgres(&mut writes);
                if !writes.execute(conn).await.map_err(&db_error)? {
                    return Ok(None);
                }
            }
            Tx::Sqlite(conn) => {
                leaves.write_sqlite(conn).await.map_err(&db_error)?;
                cases.write_sqlite(conn).await.map_err(&db_error)?;
                new_notices.write_sqlite(conn).await.map_err(&db_error)?;
            }
        }
        // After the notices are stored: a publication marks the notices it lists.
        self.notices.apply_publications(tx, events).await?;
        Ok(Some(views))
    }
}

//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

use async_trait::async_trait;

use crate::case_projector::{CaseProjection, CaseRows};
use crate::case_view::CaseView;
use crate::log::LoggedEvent;
use crate::notices::{NoticeKind, NoticeRows, NoticesProjection};
use crate::postgres_writes::PostgresWrites;
use crate::projector::{move_checkpoint, Projection, ProjectionError, Projector, Tx};
use crate::transparency::{LeafRows, LeavesProjection};

pub struct LedgerProjection {
    pub leaves: LeavesProjection,
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
    /// drawn from the case as it stood right after its event: no case is read twice. On
    /// PostgreSQL the leaves, cases and notices are written in one statement.
    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
    ) -> Result<Vec<CaseView>, ProjectionError> {
        let applied = self.apply_if_moved(tx, events, None).await?;
        Ok(applied.expect("unguarded writes always apply"))
    }

    /// On PostgreSQL the checkpoint moves in the same statement as the writes.
    async fn apply_moving_checkpoint(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        from: i64,
        to: i64,
    ) -> Result<Option<Vec<CaseView>>, ProjectionError> {
        match tx {
            Tx::Postgres(_) => self.apply_if_moved(tx, events, Some((from, to))).await,
            Tx::Sqlite(_) => {
                if !move_checkpoint(tx, Self::NAME, from, to).await? {
                    return Ok(None);
                }
                Ok(Some(self.apply(tx, events).await?))
            }
        }
    }

    /// Resets the derived rows; the recorded leaves are never reset (a replay keeps the first
    /// leaf of each position), since they are the evidence of what was logged.
    async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        self.cases.reset(tx).await?;
        self.notices.reset(tx).await
    }
}

impl LedgerProjection {
    /// Folds and writes `events`; with `guard`, on PostgreSQL, only if the checkpoint moves
    /// from `guard.0` to `guard.1` in the same statement (None otherwise, nothing written).
    async fn apply_if_moved(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        guard: Option<(i64, i64)>,
    ) -> Result<Option<Vec<CaseView>>, ProjectionError> {
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
        match tx {
            Tx::Postgres(conn) => {
                let (leaves, cases) = (LeafRows::of(events), CaseRows::of(&views));
                let new_notices = NoticeRows::of(&notices);
                let mut writes = match guard {
                    Some((from, to)) => PostgresWrites::guarded(Self::NAME, from, to),
                    None => PostgresWrites::default(),
                };
                leaves.write_postgres(&mut writes);
                cases.write_postgres(&mut writes);
                new_notices.write_postgres(&mut writes);
                let moved = writes
                    .execute(conn)
                    .await
                    .map_err(ProjectionError::db(Self::NAME))?;
                if !moved {
                    return Ok(None);
                }
            }
            Tx::Sqlite(_) => {
                self.leaves.apply(tx, events).await?;
                self.cases.store(tx, &views).await?;
                self.notices.insert(tx, &notices).await?;
            }
        }
        // After the notices are stored: a publication marks the notices it lists.
        self.notices.apply_publications(tx, events).await?;
        Ok(Some(views))
    }
}

//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

use async_trait::async_trait;

use crate::case_projector::{CaseProjection, CaseRows};
use crate::case_view::CaseView;
use crate::log::LoggedEvent;
use crate::notices::{NoticeKind, NoticeRows, NoticesProjection};
use crate::postgres_writes::PostgresWrites;
use crate::projector::{Projection, ProjectionError, Projector, Tx};
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
                let mut writes = PostgresWrites::default();
                leaves.write_postgres(&mut writes);
                cases.write_postgres(&mut writes);
                new_notices.write_postgres(&mut writes);
                writes
                    .execute(conn)
                    .await
                    .map_err(ProjectionError::db(Self::NAME))?;
            }
            Tx::Sqlite(_) => {
                self.leaves.apply(tx, events).await?;
                self.cases.store(tx, &views).await?;
                self.notices.insert(tx, &notices).await?;
            }
        }
        // After the notices are stored: a publication marks the notices it lists.
        self.notices.apply_publications(tx, events).await?;
        Ok(views)
    }

    /// Resets the derived rows; the recorded leaves are never reset (a replay keeps the first
    /// leaf of each position), since they are the evidence of what was logged.
    async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        self.cases.reset(tx).await?;
        self.notices.reset(tx).await
    }
}

//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

use async_trait::async_trait;

use crate::case_projector::CaseProjection;
use crate::case_view::CaseView;
use crate::log::LoggedEvent;
use crate::notices::{NoticeKind, NoticesProjection};
use crate::projector::{Projection, ProjectionError, Projector, Tx};
use crate::transparency::LeavesProjection;

pub struct LedgerProjection {
    pub leaves: LeavesProjection,
    pub cases: CaseProjection,
    pub notices: NoticesProjection,
}

pub type LedgerProjector = Projector<LedgerProjection>;

#[async_trait]
impl Projection for LedgerProjection {
    const NAME: &'static str = "ledger";

    /// The case views are folded in memory from the stored ones, and each permit notice is
    /// drawn from the case as it stood right after its event: no case is read twice.
    /// The cases as the batch left them.
    type Applied = Vec<CaseView>;

    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
    ) -> Result<Vec<CaseView>, ProjectionError> {
        self.leaves.apply(tx, events).await?;
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
        self.cases.store(tx, &views).await?;
        self.notices.insert(tx, &notices).await?;
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

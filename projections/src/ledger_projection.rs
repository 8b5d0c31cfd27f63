//! The ledger's projections, kept together: one checkpoint, one transaction per batch, so a
//! command costs one projection commit, not one per read model.

use async_trait::async_trait;

use crate::case_projector::CaseProjection;
use crate::log::LoggedEvent;
use crate::notices::NoticesProjection;
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

    async fn apply(&self, tx: &mut Tx, events: &[LoggedEvent]) -> Result<(), ProjectionError> {
        self.leaves.apply(tx, events).await?;
        self.cases.apply(tx, events).await?;
        self.notices.apply(tx, events).await
    }

    /// Resets the derived rows; the recorded leaves are never reset (a replay keeps the first
    /// leaf of each position), since they are the evidence of what was logged.
    async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        self.cases.reset(tx).await?;
        self.notices.reset(tx).await
    }
}

//! The supervision projection: figures per business day, bureau and item, added to as events
//! arrive (rebuildable like every projection), and the efficiency query that sums them.

mod efficiency;
mod figures;
mod open_checks;
mod tally;

pub use efficiency::{efficiency, Efficiency, EfficiencyQuery, EfficiencyRow, Figures};
pub use figures::{DayFigures, TABLE_COLUMNS};
pub use open_checks::OpenChecks;
pub use tally::{Tally, TallyRows};

use domain::CaseServices;

use crate::case_view::CaseView;
use crate::db::Tx;
use crate::log::LoggedEvent;
use crate::projection::ProjectionError;

const NAME: &str = "supervision";

/// Tallies each batch with the catalogue, the calendar and the supervision rules.
pub struct SupervisionProjection {
    services: CaseServices,
}

impl SupervisionProjection {
    pub fn new(services: CaseServices) -> Self {
        Self { services }
    }

    pub fn services(&self) -> &CaseServices {
        &self.services
    }

    pub fn observe(&self, tally: &mut Tally, event: &LoggedEvent, case: &CaseView) {
        tally.observe(&self.services, event, case);
    }

    pub async fn reset(&self, tx: &mut Tx) -> Result<(), ProjectionError> {
        for table in ["supervision_daily", "supervision_used_days"] {
            tx.empty(table).await.map_err(ProjectionError::db(NAME))?;
        }
        Ok(())
    }
}

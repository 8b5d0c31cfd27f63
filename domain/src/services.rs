use crate::calendar::WorkingCalendar;
use crate::catalogue::Catalogue;
use crate::supervision::SupervisionRules;

/// What the case aggregate consults while deciding: data, passed in, never fetched.
#[derive(Debug, Clone)]
pub struct CaseServices {
    pub catalogue: Catalogue,
    pub calendar: WorkingCalendar,
    pub supervision: SupervisionRules,
}

impl CaseServices {
    pub fn bundled() -> Self {
        Self {
            catalogue: Catalogue::bundled(),
            calendar: WorkingCalendar::bundled(),
            supervision: SupervisionRules::bundled(),
        }
    }
}

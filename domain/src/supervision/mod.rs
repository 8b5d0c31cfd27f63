//! Supervision of time, read from a case's events: who held the case when (the bureau's posts,
//! the applicant, a third party), its clock against both deadlines, and the warning it is at.
//! Pure: the business date, the moment and the calendar are passed in.

mod clock;
mod post_times;
mod rules;
mod timeline;

pub use clock::{ClockReport, ClockState, Warning, WarningDates};
pub use post_times::{PostTime, PostTimes};
pub use rules::{SupervisionRules, SupervisionRulesError, BUNDLED_SUPERVISION_RULES};
pub use timeline::{CaseTimeline, Holder, Outcome, Stretch, Suspension};

#[cfg(test)]
mod tests;

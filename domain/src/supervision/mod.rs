//! Supervision of time, read from a case's events: who held the case when (the bureau's posts,
//! the applicant, a third party), its clock against both deadlines, and the warning it is at.
//! Pure: the business date and the calendar are passed in.

mod rules;

pub use rules::{SupervisionRules, SupervisionRulesError, BUNDLED_SUPERVISION_RULES};

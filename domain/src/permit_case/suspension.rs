//! The clock of a case: suspended for the time the law does not count (Administrative
//! Licensing Law art. 45), resumed with both deadlines moved by the working days it stood
//! still, and the statutory limit extended once (art. 42). Only an accepted, undecided case
//! has a clock that can be stopped or extended.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{text, CaseError, CaseEvent, CaseFile};
use crate::calendar::{Deadline, DeadlineBasis, WorkingCalendar};
use crate::services::CaseServices;
use crate::text::TextKind;

/// What the clock stops for: the procedures art. 45 does not count against the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionKind {
    Hearing,
    Testing,
    Inspection,
    Quarantine,
    Appraisal,
    ExpertReview,
}

impl CaseFile {
    pub(super) fn suspend(
        &self,
        kind: SuspensionKind,
        reason: &str,
        notice: &str,
        today: NaiveDate,
    ) -> Result<CaseEvent, CaseError> {
        if self.suspended_since.is_some() {
            return Err(CaseError::ClockAlreadySuspended);
        }
        Ok(CaseEvent::ClockSuspended {
            kind,
            reason: text(TextKind::Reason, reason, "reason")?,
            notice: text(TextKind::Reason, notice, "notice")?,
            suspended_on: today,
        })
    }

    pub(super) fn resume(
        &self,
        today: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Result<CaseEvent, CaseError> {
        let since = self.suspended_since.ok_or(CaseError::ClockNotSuspended)?;
        let (statutory, committed) = self.deadlines("resume_clock")?;
        let days = calendar.working_days_between(since, today);
        Ok(CaseEvent::ClockResumed {
            resumed_on: today,
            suspended_working_days: days,
            statutory_deadline: moved(statutory, days, 0, calendar),
            committed_deadline: moved(committed, days, 0, calendar),
        })
    }

    pub(super) fn extend(
        &self,
        reason: &str,
        today: NaiveDate,
        services: &CaseServices,
    ) -> Result<CaseEvent, CaseError> {
        if self.extended {
            return Err(CaseError::ExtensionAlreadyGranted);
        }
        let (statutory, _) = self.deadlines("extend_time_limit")?;
        let calendar = &services.calendar;
        // While suspended the deadline is due to move by the days stood still so far.
        let standing = self
            .suspended_since
            .map_or(0, |since| calendar.working_days_between(since, today));
        let ends_on = moved(statutory, standing, 0, calendar).date;
        if today > ends_on {
            return Err(CaseError::StatutoryLimitPassed(ends_on));
        }
        let added = services.supervision.extension_working_days;
        Ok(CaseEvent::TimeLimitExtended {
            reason: text(TextKind::Reason, reason, "reason")?,
            extended_on: today,
            added_working_days: added,
            statutory_deadline: moved(statutory, added, added, calendar),
        })
    }

    /// Refuses a decision while the clock stands still.
    pub(super) fn refuse_while_suspended(&self, action: &'static str) -> Result<(), CaseError> {
        match self.suspended_since {
            Some(_) => Err(CaseError::ClockSuspended { action }),
            None => Ok(()),
        }
    }

    /// Working days the bureau has used of its limits by `today`: from acceptance, less the
    /// days the clock stood still.
    pub(super) fn working_days_used(&self, today: NaiveDate, calendar: &WorkingCalendar) -> u32 {
        let accepted_on = self.accepted_on.unwrap_or(today);
        calendar
            .working_days_between(accepted_on, today)
            .saturating_sub(self.suspended_working_days)
    }

    fn deadlines(&self, action: &'static str) -> Result<(Deadline, Deadline), CaseError> {
        match (self.statutory_deadline, self.committed_deadline) {
            (Some(statutory), Some(committed)) => Ok((statutory, committed)),
            // Accepted cases carry both from their acceptance event.
            _ => Err(CaseError::WrongState {
                action,
                status: self.status.as_str(),
            }),
        }
    }
}

/// `deadline` moved `days` working days later, its limit grown by `added_to_limit`; counted
/// with weekends only if either count was.
pub fn moved(
    deadline: Deadline,
    days: u32,
    added_to_limit: u32,
    calendar: &WorkingCalendar,
) -> Deadline {
    let later = calendar.add_working_days(deadline.date, days);
    let basis = if deadline.basis == DeadlineBasis::WeekendsOnly {
        DeadlineBasis::WeekendsOnly
    } else {
        later.basis
    };
    Deadline {
        date: later.date,
        working_days: deadline.working_days + added_to_limit,
        basis,
    }
}

//! A case's clock read against a business date: how much of its limits the bureau has used,
//! what is left, and the warning it is at.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::timeline::{CaseTimeline, Holder, Suspension};
use super::SupervisionRules;
use crate::calendar::{Deadline, WorkingCalendar};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// The bureau holds the case and its working days count.
    Running,
    /// A hearing, test, inspection, quarantine, appraisal or expert review runs: nothing counts.
    Suspended,
    /// The case is decided, withdrawn or closed.
    Stopped,
}

/// How close an open case is to its deadlines.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    OnTrack,
    /// The configured number of working days or fewer left to the committed deadline.
    Yellow,
    /// Past the committed deadline: late against the promise.
    Red,
    /// Past the statutory deadline (extension included): late against the law.
    Breach,
}

impl Warning {
    pub const ALL: [Warning; 4] = [
        Warning::OnTrack,
        Warning::Yellow,
        Warning::Red,
        Warning::Breach,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Warning::OnTrack => "on_track",
            Warning::Yellow => "yellow",
            Warning::Red => "red",
            Warning::Breach => "breach",
        }
    }

    pub fn parse(text: &str) -> Option<Warning> {
        Warning::ALL.into_iter().find(|w| w.as_str() == text)
    }

    /// The warning on `date` against the deadlines as they stand.
    pub fn on(
        date: NaiveDate,
        committed: &Deadline,
        statutory: &Deadline,
        calendar: &WorkingCalendar,
        rules: &SupervisionRules,
    ) -> Warning {
        if date > statutory.date {
            Warning::Breach
        } else if date > committed.date {
            Warning::Red
        } else if calendar.working_days_between(date, committed.date) <= rules.yellow_working_days {
            Warning::Yellow
        } else {
            Warning::OnTrack
        }
    }
}

/// From which business date a running case is at each warning, so that a store can tell the
/// warning of every open case on any date without the calendar; or the warning a suspended
/// case stands at until it resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningDates {
    Running {
        yellow_from: NaiveDate,
        red_from: NaiveDate,
        breach_from: NaiveDate,
    },
    Frozen(Warning),
}

impl WarningDates {
    pub fn warning_on(&self, date: NaiveDate) -> Warning {
        match *self {
            WarningDates::Frozen(warning) => warning,
            WarningDates::Running { breach_from, .. } if date >= breach_from => Warning::Breach,
            WarningDates::Running { red_from, .. } if date >= red_from => Warning::Red,
            WarningDates::Running { yellow_from, .. } if date >= yellow_from => Warning::Yellow,
            WarningDates::Running { .. } => Warning::OnTrack,
        }
    }
}

/// The clock of an accepted case on a business date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClockReport {
    pub state: ClockState,
    /// Working days the bureau has held the case since acceptance (suspensions excluded).
    pub used_working_days: u32,
    /// Working days the clock has stood still (a running suspension up to today).
    pub suspended_working_days: u32,
    /// Working days left to the committed deadline; negative once it is past.
    pub remaining_committed: i64,
    /// Working days left to the statutory deadline (extension included); negative once past.
    pub remaining_statutory: i64,
    pub warning: Warning,
    pub committed_deadline: Deadline,
    pub statutory_deadline: Deadline,
    pub suspensions: Vec<Suspension>,
    pub extended: bool,
}

impl CaseTimeline {
    /// The clock on `today`; None before the case is accepted (no limit runs yet).
    pub fn clock(
        &self,
        today: NaiveDate,
        calendar: &WorkingCalendar,
        rules: &SupervisionRules,
    ) -> Option<ClockReport> {
        let accepted_on = self.accepted_on?;
        let (committed, statutory) = (self.committed_deadline?, self.statutory_deadline?);
        let (state, at) = match (self.stopped_on, self.open_suspension()) {
            (Some(stopped), _) => (ClockState::Stopped, stopped),
            (None, Some(open)) => (ClockState::Suspended, open.suspended_on),
            (None, None) => (ClockState::Running, today),
        };
        let stood_still_by = |date| self.held_by(Holder::ThirdParty, date, calendar);
        let used = calendar
            .working_days_between(accepted_on, at)
            .saturating_sub(stood_still_by(at));
        let mut warning = Warning::on(at, &committed, &statutory, calendar, rules);
        if state == ClockState::Stopped && warning == Warning::Yellow {
            warning = Warning::OnTrack;
        }
        Some(ClockReport {
            state,
            used_working_days: used,
            suspended_working_days: stood_still_by(today.max(at)),
            remaining_committed: remaining(at, committed.date, calendar),
            remaining_statutory: remaining(at, statutory.date, calendar),
            warning,
            committed_deadline: committed,
            statutory_deadline: statutory,
            suspensions: self.suspensions.clone(),
            extended: self.extended,
        })
    }

    /// From when an open accepted case is at which warning; None for a case with no running
    /// limit (not yet accepted, or stopped).
    pub fn warning_dates(
        &self,
        calendar: &WorkingCalendar,
        rules: &SupervisionRules,
    ) -> Option<WarningDates> {
        self.accepted_on?;
        if self.stopped_on.is_some() {
            return None;
        }
        let (committed, statutory) = (self.committed_deadline?, self.statutory_deadline?);
        if let Some(open) = self.open_suspension() {
            return Some(WarningDates::Frozen(Warning::on(
                open.suspended_on,
                &committed,
                &statutory,
                calendar,
                rules,
            )));
        }
        // The earliest day with at most `yellow_working_days` working days left: walk back
        // from the deadline over the days that do not count.
        let mut yellow_from = committed.date;
        let mut left = 0;
        loop {
            let counted = u32::from(calendar.is_working_day(yellow_from));
            let Some(before) = yellow_from.pred_opt() else {
                break;
            };
            if left + counted > rules.yellow_working_days {
                break;
            }
            left += counted;
            yellow_from = before;
        }
        Some(WarningDates::Running {
            yellow_from,
            red_from: day_after(committed.date),
            breach_from: day_after(statutory.date),
        })
    }

    /// Working days `holder` held the case up to `date` (a running stretch counted to it).
    pub fn held_by(&self, holder: Holder, date: NaiveDate, calendar: &WorkingCalendar) -> u32 {
        self.stretches_with_ends()
            .filter(|(s, _)| s.holder == holder && s.from_on <= date)
            .map(|(s, end)| {
                let until = end.map_or(date, |(until, _)| until.min(date));
                calendar.working_days_between(s.from_on, until)
            })
            .sum()
    }
}

/// Working days from `date` to `deadline`, negative once `date` is past it.
fn remaining(date: NaiveDate, deadline: NaiveDate, calendar: &WorkingCalendar) -> i64 {
    if date <= deadline {
        i64::from(calendar.working_days_between(date, deadline))
    } else {
        -i64::from(calendar.working_days_between(deadline, date))
    }
}

fn day_after(date: NaiveDate) -> NaiveDate {
    date.succ_opt()
        .expect("deadlines stay within chrono's range")
}

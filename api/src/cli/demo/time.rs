//! The demo's supervision of time: clocks suspended for testing and expert review (more often
//! right before a public holiday, so that they stand still over it), limits extended, and one
//! slow bureau whose figures show what the reform is against.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use domain::catalogue::Item;
use domain::permit_case::SuspensionKind;
use domain::supervision::ClockState;
use domain::values::ItemCode;
use domain::{CaseAction, CaseStatus, Post};
use projections::CaseView;

use super::{officer_of, Demo, CITIES};

/// The bureau the demo makes slow (Linyi): its approvers decide a case only once its
/// committed deadline has passed, and on the first day it receives cases its reviewers then
/// forget (see [`Forgotten`]), so its figures show cases late against the promise, and open
/// ones late against the law, beside the other bureaus' on-time ones.
const SLOW_BUREAU: &str = "371300";

/// The item of the forgotten cases: a twenty-working-day statutory limit, which a month of
/// history outruns.
const FORGOTTEN_ITEM: &str = "XK-003";

/// A case the slow bureau accepts and never reviews: its approver extends the statutory limit
/// when three working days are left, or it runs past the law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Forgotten {
    pub extended_in_time: bool,
}

/// What a case's clock makes of its turn: a clock action, nothing (it stands still), or the
/// case's next step as usual.
// Made and matched at once, one per case turn: boxing the action would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(super) enum ClockStep {
    Act(domain::Actor, CaseAction),
    Wait,
    Carry,
}

/// The clock actions the demo made.
#[derive(Debug, Default)]
pub(super) struct ClockActions {
    pub suspensions: usize,
    /// Suspensions that stood still over a public holiday, counted when resumed.
    pub over_holidays: usize,
    pub extensions: usize,
}

/// The day (counted from the demo's start) of its first working day, if any.
pub(super) fn first_working_day(demo: &Demo, start: DateTime<Utc>, days: u32) -> u32 {
    let tz = demo.ledger.time_zone();
    let calendar = &demo.ledger.services().calendar;
    (0..days)
        .find(|day| {
            let date = (start + Duration::days(i64::from(*day)))
                .with_timezone(&tz)
                .date_naive();
            calendar.is_working_day(date)
        })
        .unwrap_or(days)
}

impl Demo {
    /// Files four cases with the slow bureau and accepts them at once: it then forgets them;
    /// two have their limit extended in time, two run past the law.
    pub(super) async fn file_forgotten_cases(&mut self) -> anyhow::Result<()> {
        let Some(city) = CITIES
            .iter()
            .position(|(district, _, _)| district[..4] == SLOW_BUREAU[..4])
        else {
            return Ok(());
        };
        let item: Item = ItemCode::parse(FORGOTTEN_ITEM)
            .ok()
            .and_then(|code| self.ledger.services().catalogue.item(&code).cloned())
            .ok_or_else(|| anyhow::anyhow!("the catalogue has no {FORGOTTEN_ITEM}"))?;
        for n in 0..4 {
            let case_id = self.file_in(city, item.clone()).await?;
            self.forgotten.insert(
                case_id.clone(),
                Forgotten {
                    extended_in_time: n % 2 == 0,
                },
            );
            let view = self
                .ledger
                .case(&case_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("case {case_id} was just filed"))?;
            let acceptor = officer_of(&view.bureau, Post::Acceptor);
            self.send(&view, acceptor, CaseAction::Accept {}).await?;
        }
        Ok(())
    }

    /// Whether the slow bureau holds `view` up today: a forgotten case, or a decision while
    /// the committed deadline still holds.
    pub(super) fn is_held_up(&self, view: &CaseView) -> bool {
        if view.bureau.as_str() != SLOW_BUREAU {
            return false;
        }
        let promise_kept = view
            .clock
            .as_ref()
            .filter(|c| c.state == ClockState::Running)
            .is_some_and(|clock| clock.remaining_committed >= 0);
        match view.status {
            _ if self.forgotten.contains_key(&view.case_id) => true,
            // Approved on the commitment, without a review: a decision all the same.
            CaseStatus::Accepted => view.commitment.is_some() && promise_kept,
            CaseStatus::Reviewed => promise_kept,
            _ => false,
        }
    }

    /// What the supervision of time asks of `view` today: resume a suspended clock after a
    /// while (nothing else happens to the case meanwhile); extend the statutory limit of a
    /// case about to run out of it; suspend a clock for testing or expert review now and then
    /// (more often right before a holiday).
    pub(super) fn clock_step(&mut self, view: &CaseView, roll: f64) -> ClockStep {
        let Some(clock) = view.clock.as_ref() else {
            return ClockStep::Carry;
        };
        if !matches!(view.status, CaseStatus::Accepted | CaseStatus::Reviewed) {
            return ClockStep::Carry;
        }
        let forgotten = self.forgotten.get(&view.case_id).copied();
        let reviewer = officer_of(&view.bureau, Post::Reviewer);
        match clock.state {
            ClockState::Suspended if roll < 0.35 => {
                let over_holiday = clock
                    .suspensions
                    .last()
                    .is_some_and(|s| self.holiday_between(s.suspended_on));
                self.clock_actions.over_holidays += usize::from(over_holiday);
                ClockStep::Act(reviewer, CaseAction::ResumeClock {})
            }
            ClockState::Suspended => ClockStep::Wait,
            ClockState::Running
                if !clock.extended
                    && clock.remaining_statutory <= 3
                    && forgotten.is_none_or(|f| f.extended_in_time) =>
            {
                self.clock_actions.extensions += 1;
                ClockStep::Act(
                    officer_of(&view.bureau, Post::Approver),
                    CaseAction::ExtendTimeLimit {
                        reason: "案情复杂，需组织专家论证，经负责人批准延长十日".into(),
                    },
                )
            }
            ClockState::Running if forgotten.is_none() && self.suspends_today(roll) => {
                self.clock_actions.suspensions += 1;
                let (kind, reason) = if roll < 0.015 {
                    (SuspensionKind::ExpertReview, "组织专家评审")
                } else {
                    (SuspensionKind::Testing, "产品委托检验")
                };
                ClockStep::Act(
                    reviewer,
                    CaseAction::SuspendClock {
                        kind,
                        reason: reason.into(),
                        notice: "已书面告知申请人所需时间不计入审批时限".into(),
                    },
                )
            }
            _ => ClockStep::Carry,
        }
    }

    /// A clock is suspended on one turn in thirty-odd, one in five when a public holiday
    /// falls in the next three days.
    fn suspends_today(&self, roll: f64) -> bool {
        let today = self.ledger.today();
        let holiday_ahead = (1..=3).any(|ahead| self.is_holiday(today + Duration::days(ahead)));
        roll < 0.03 || (holiday_ahead && roll < 0.2)
    }

    /// Whether a public holiday fell after `since`, up to today.
    fn holiday_between(&self, since: NaiveDate) -> bool {
        let today = self.ledger.today();
        since
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= today)
            .any(|day| self.is_holiday(day))
    }

    /// A weekday that is not a working day.
    fn is_holiday(&self, day: NaiveDate) -> bool {
        !self.ledger.services().calendar.is_working_day(day)
            && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

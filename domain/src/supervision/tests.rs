//! The clock, the warnings and the time at each post, read from events.

use chrono::{DateTime, Days, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::calendar::{Deadline, WorkingCalendar};
use crate::permit_case::{Contact, Recommendation, SuspensionKind};
use crate::values::{BureauCode, CreditCode, ItemCode, PermitNumber};
use crate::CaseEvent;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::bundled()
}

fn rules() -> SupervisionRules {
    SupervisionRules::bundled()
}

fn at(date: NaiveDate, hour: u32) -> String {
    format!("{date}T{hour:02}:00:00Z")
}

fn filed(on: NaiveDate) -> CaseEvent {
    CaseEvent::ApplicationFiled {
        item_code: ItemCode::parse("XK-003").unwrap(),
        item_name: "化肥".into(),
        credit_code: CreditCode::with_check_character("91370102MA3C4F5G6").unwrap(),
        enterprise_name: "济南恒力化工有限公司".into(),
        bureau: BureauCode::parse("370100").unwrap(),
        product: "复合肥料".into(),
        process: None,
        materials: vec![],
        commitment: None,
        contact: Contact {
            person: "王经理".into(),
            phone: "13800000000".into(),
        },
        filed_on: on,
        address: None,
        applicant_listed: false,
    }
}

fn accepted(on: NaiveDate) -> CaseEvent {
    CaseEvent::ApplicationAccepted {
        accepted_on: on,
        statutory_deadline: calendar().add_working_days(on, 20),
        committed_deadline: calendar().add_working_days(on, 10),
    }
}

fn suspended(on: NaiveDate) -> CaseEvent {
    CaseEvent::ClockSuspended {
        kind: SuspensionKind::Testing,
        reason: "送检".into(),
        notice: "中止通知书".into(),
        suspended_on: on,
    }
}

fn resumed(suspended_on: NaiveDate, on: NaiveDate, timeline: &CaseTimeline) -> CaseEvent {
    let days = calendar().working_days_between(suspended_on, on);
    let move_by = |d: Deadline| crate::permit_case::moved(d, days, 0, &calendar());
    CaseEvent::ClockResumed {
        resumed_on: on,
        suspended_working_days: days,
        statutory_deadline: move_by(timeline.statutory_deadline.unwrap()),
        committed_deadline: move_by(timeline.committed_deadline.unwrap()),
    }
}

fn reviewed(on: NaiveDate) -> CaseEvent {
    CaseEvent::ReviewRecorded {
        findings: "符合".into(),
        recommendation: Recommendation::Approve,
        reviewed_on: on,
        reviewer: None,
    }
}

fn approved(on: NaiveDate) -> CaseEvent {
    CaseEvent::ApplicationApproved {
        approved_on: on,
        on_commitment: false,
    }
}

fn issued(on: NaiveDate, used: u32) -> CaseEvent {
    CaseEvent::PermitIssued {
        permit_number: PermitNumber::parse("XK-003-370100-2026-00001").unwrap(),
        scope: "复合肥料".into(),
        valid_from: on,
        valid_until: on,
        issued_on: on,
        working_days_used: used,
        check_due: None,
    }
}

fn correction(on: NaiveDate) -> CaseEvent {
    CaseEvent::CorrectionRequested {
        round: 1,
        corrections: vec!["营业执照".into()],
        reason: "不清晰".into(),
        requested_on: on,
    }
}

fn resubmitted(on: NaiveDate) -> CaseEvent {
    CaseEvent::MaterialsResubmitted {
        round: 1,
        materials: vec![],
        resubmitted_on: on,
    }
}

fn timeline_of(events: &[(CaseEvent, NaiveDate)]) -> CaseTimeline {
    let mut timeline = CaseTimeline::default();
    for (hour, (event, on)) in events.iter().enumerate() {
        timeline.record(event, &at(*on, 1 + hour as u32 % 20));
    }
    timeline
}

fn instant(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    at(date, hour).parse().unwrap()
}

#[test]
fn no_clock_runs_before_acceptance() {
    let timeline = timeline_of(&[(filed(day("2026-11-02")), day("2026-11-02"))]);
    assert_eq!(
        timeline.clock(day("2026-11-20"), &calendar(), &rules()),
        None
    );
    assert_eq!(timeline.warning_dates(&calendar(), &rules()), None);
}

#[test]
fn a_running_clock_counts_the_working_days_since_acceptance() {
    let timeline = timeline_of(&[
        (filed(day("2026-11-02")), day("2026-11-02")),
        (accepted(day("2026-11-02")), day("2026-11-02")),
    ]);
    let clock = timeline
        .clock(day("2026-11-09"), &calendar(), &rules())
        .unwrap();
    assert_eq!(clock.state, ClockState::Running);
    // 3-6 and 9 Nov: five working days used, five left of ten, fifteen of twenty.
    assert_eq!(clock.used_working_days, 5);
    assert_eq!(clock.remaining_committed, 5);
    assert_eq!(clock.remaining_statutory, 15);
    assert_eq!(clock.warning, Warning::OnTrack);
}

#[test]
fn warnings_flip_on_exactly_the_boundary_days() {
    // Accepted Mon 2 Nov 2026: committed deadline Mon 16 Nov, statutory Mon 30 Nov.
    let timeline = timeline_of(&[
        (filed(day("2026-11-02")), day("2026-11-02")),
        (accepted(day("2026-11-02")), day("2026-11-02")),
    ]);
    let warning_on = |date: &str| {
        timeline
            .clock(day(date), &calendar(), &rules())
            .unwrap()
            .warning
    };
    // Thu 12 Nov: 13, 16 left (2) -> yellow; Wed 11 Nov: 3 left -> on track.
    assert_eq!(warning_on("2026-11-11"), Warning::OnTrack);
    assert_eq!(warning_on("2026-11-12"), Warning::Yellow);
    assert_eq!(warning_on("2026-11-16"), Warning::Yellow);
    assert_eq!(warning_on("2026-11-17"), Warning::Red);
    assert_eq!(warning_on("2026-11-30"), Warning::Red);
    assert_eq!(warning_on("2026-12-01"), Warning::Breach);
    assert_eq!(
        timeline.warning_dates(&calendar(), &rules()),
        Some(WarningDates::Running {
            yellow_from: day("2026-11-12"),
            red_from: day("2026-11-17"),
            breach_from: day("2026-12-01"),
        })
    );
}

#[test]
fn a_suspended_clock_stands_at_the_warning_and_the_days_it_had() {
    let timeline = timeline_of(&[
        (filed(day("2026-11-02")), day("2026-11-02")),
        (accepted(day("2026-11-02")), day("2026-11-02")),
        (suspended(day("2026-11-12")), day("2026-11-12")),
    ]);
    let clock = timeline
        .clock(day("2026-11-25"), &calendar(), &rules())
        .unwrap();
    assert_eq!(clock.state, ClockState::Suspended);
    assert_eq!(clock.used_working_days, 8);
    assert_eq!(clock.remaining_committed, 2);
    assert_eq!(clock.warning, Warning::Yellow, "frozen, not red");
    // 13, 16-20, 23-25 Nov so far.
    assert_eq!(clock.suspended_working_days, 9);
    assert_eq!(
        timeline.warning_dates(&calendar(), &rules()),
        Some(WarningDates::Frozen(Warning::Yellow))
    );
}

#[test]
fn after_resumption_the_case_has_the_same_days_left_as_when_it_stopped() {
    let mut timeline = timeline_of(&[
        (filed(day("2026-11-02")), day("2026-11-02")),
        (accepted(day("2026-11-02")), day("2026-11-02")),
        (suspended(day("2026-11-12")), day("2026-11-12")),
    ]);
    let resume = resumed(day("2026-11-12"), day("2026-11-25"), &timeline);
    timeline.record(&resume, &at(day("2026-11-25"), 10));
    let clock = timeline
        .clock(day("2026-11-25"), &calendar(), &rules())
        .unwrap();
    assert_eq!(clock.state, ClockState::Running);
    assert_eq!(clock.used_working_days, 8);
    assert_eq!(clock.remaining_committed, 2);
    assert_eq!(clock.suspended_working_days, 9);
    assert_eq!(clock.suspensions[0].working_days, Some(9));
}

#[test]
fn a_decided_case_keeps_whether_it_was_late() {
    let timeline = timeline_of(&[
        (filed(day("2026-11-02")), day("2026-11-02")),
        (accepted(day("2026-11-02")), day("2026-11-02")),
        (reviewed(day("2026-11-10")), day("2026-11-10")),
        (approved(day("2026-11-18")), day("2026-11-18")),
        (issued(day("2026-11-18"), 12), day("2026-11-18")),
    ]);
    let clock = timeline
        .clock(day("2026-12-20"), &calendar(), &rules())
        .unwrap();
    assert_eq!(clock.state, ClockState::Stopped);
    assert_eq!(clock.used_working_days, 12);
    assert_eq!(clock.warning, Warning::Red);
    assert_eq!(clock.remaining_committed, -2);
    assert_eq!(timeline.warning_dates(&calendar(), &rules()), None);
}

#[test]
fn post_times_name_who_held_the_case() {
    let timeline = timeline_of(&[
        (filed(day("2026-11-02")), day("2026-11-02")),
        (correction(day("2026-11-03")), day("2026-11-03")),
        (resubmitted(day("2026-11-05")), day("2026-11-05")),
        (accepted(day("2026-11-06")), day("2026-11-06")),
        (reviewed(day("2026-11-11")), day("2026-11-11")),
        (approved(day("2026-11-12")), day("2026-11-12")),
        (issued(day("2026-11-13"), 5), day("2026-11-13")),
    ]);
    let times = timeline.post_times(
        day("2026-11-16"),
        instant(day("2026-11-16"), 9),
        &calendar(),
        &rules(),
    );
    assert_eq!(times.acceptor.working_days, 2, "2-3 Nov and 5-6 Nov");
    assert_eq!(times.applicant.working_days, 2, "3-5 Nov");
    assert_eq!(times.reviewer.working_days, 3, "6-11 Nov");
    assert_eq!(times.approver.working_days, 2, "11-13 Nov");
    assert_eq!(times.dispatcher.working_days, 1, "13-16 Nov, still with it");
    assert_eq!(times.total.working_days, 10);
    assert_eq!(times.certificate_due_on, Some(day("2026-11-26")));
    assert_eq!(times.approval_to_dispatch_working_days, None);
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..650).prop_map(|d| day("2025-01-01") + chrono::Duration::days(d))
}

proptest! {
    /// Whatever the gaps between the steps (holidays included), the time at each post, the
    /// applicant's and the third party's add up to the case's total, in working days and in
    /// hours; and the clock's days used are the reviewer's and approver's.
    #[test]
    fn post_times_add_up_to_the_total(
        start in any_date(),
        gaps in proptest::collection::vec(0u64..9, 8),
    ) {
        let mut on = start;
        let mut dates = Vec::new();
        for gap in &gaps {
            on = on.checked_add_days(Days::new(*gap)).unwrap();
            dates.push(on);
        }
        let mut timeline = timeline_of(&[
            (filed(dates[0]), dates[0]),
            (correction(dates[1]), dates[1]),
            (resubmitted(dates[2]), dates[2]),
            (accepted(dates[3]), dates[3]),
            (suspended(dates[4]), dates[4]),
        ]);
        let resume = resumed(dates[4], dates[5], &timeline);
        timeline.record(&resume, &at(dates[5], 5));
        timeline.record(&reviewed(dates[6]), &at(dates[6], 6));
        timeline.record(&approved(dates[7]), &at(dates[7], 7));
        timeline.record(&issued(dates[7], 0), &at(dates[7], 8));
        let end = dates[7].checked_add_days(Days::new(3)).unwrap();
        let times = timeline.post_times(end, instant(end, 12), &calendar(), &rules());
        let parts = [times.acceptor, times.reviewer, times.approver, times.dispatcher,
            times.applicant, times.third_party, times.courier];
        prop_assert_eq!(parts.iter().map(|p| p.working_days).sum::<u32>(), times.total.working_days);
        prop_assert_eq!(times.total.working_days, calendar().working_days_between(dates[0], end));
        let hours: f64 = parts.iter().map(|p| p.hours).sum();
        prop_assert!((hours - times.total.hours).abs() < 0.5);
        let clock = timeline.clock(end, &calendar(), &rules()).unwrap();
        prop_assert_eq!(clock.used_working_days, times.reviewer.working_days + times.approver.working_days);
    }

    /// The dates a store keeps give the same warning as the clock, on every day.
    #[test]
    fn warning_dates_agree_with_the_clock(accepted_on in any_date(), offset in 0u64..60) {
        let timeline = timeline_of(&[(filed(accepted_on), accepted_on), (accepted(accepted_on), accepted_on)]);
        let dates = timeline.warning_dates(&calendar(), &rules()).unwrap();
        let today = accepted_on.checked_add_days(Days::new(offset)).unwrap();
        let clock = timeline.clock(today, &calendar(), &rules()).unwrap();
        prop_assert_eq!(dates.warning_on(today), clock.warning);
    }
}

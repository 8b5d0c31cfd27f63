//! The clock: suspended (art. 45), resumed with both deadlines moved, extended once (art. 42).

use proptest::prelude::*;

use super::*;
use crate::calendar::WorkingCalendar;
use crate::permit_case::SuspensionKind;

fn on(date: &str, actor: Actor, action: CaseAction) -> CaseCommand {
    CaseCommand {
        today: day(date),
        ..send(actor, action)
    }
}

fn accepted_on(date: &str) -> CaseEvent {
    let calendar = WorkingCalendar::bundled();
    CaseEvent::ApplicationAccepted {
        accepted_on: day(date),
        statutory_deadline: calendar.add_working_days(day(date), 20),
        committed_deadline: calendar.add_working_days(day(date), 10),
    }
}

fn suspend() -> CaseAction {
    CaseAction::SuspendClock {
        kind: SuspensionKind::Testing,
        reason: "产品送检".into(),
        notice: "鲁质检中止〔2026〕12号".into(),
    }
}

fn suspended_on(date: &str) -> CaseEvent {
    CaseEvent::ClockSuspended {
        kind: SuspensionKind::Testing,
        reason: "产品送检".into(),
        notice: "鲁质检中止〔2026〕12号".into(),
        suspended_on: day(date),
    }
}

fn deadline(date: &str, working_days: u32) -> Deadline {
    Deadline {
        date: day(date),
        working_days,
        basis: DeadlineBasis::HolidayCalendar,
    }
}

fn extend() -> CaseAction {
    CaseAction::ExtendTimeLimit {
        reason: "案情复杂，需进一步核查".into(),
    }
}

#[tokio::test]
async fn the_reviewer_suspends_the_clock_of_an_accepted_case() {
    expect_events(
        vec![filed("XK-003", None), accepted()],
        send(officer(Post::Reviewer), suspend()),
        vec![suspended_on(TODAY)],
    )
    .await;
}

#[tokio::test]
async fn the_approver_suspends_the_clock_of_a_reviewed_case() {
    expect_events(
        vec![filed("XK-003", None), accepted(), reviewed()],
        send(officer(Post::Approver), suspend()),
        vec![suspended_on(TODAY)],
    )
    .await;
}

#[tokio::test]
async fn the_acceptor_cannot_suspend_the_clock() {
    expect_error(
        vec![filed("XK-003", None), accepted()],
        send(officer(Post::Acceptor), suspend()),
        CaseError::WrongPost {
            action: "suspend_clock",
            required: "reviewer or approver",
            actual: "acceptor",
        },
    )
    .await;
}

#[tokio::test]
async fn an_officer_of_another_bureau_cannot_suspend_the_clock() {
    expect_error(
        vec![filed("XK-003", None), accepted()],
        send(officer_of("370200", Post::Reviewer), suspend()),
        CaseError::CaseNotFound,
    )
    .await;
}

#[tokio::test]
async fn a_suspended_clock_cannot_be_suspended_again() {
    expect_error(
        vec![filed("XK-003", None), accepted(), suspended_on(TODAY)],
        send(officer(Post::Reviewer), suspend()),
        CaseError::ClockAlreadySuspended,
    )
    .await;
}

#[tokio::test]
async fn a_running_clock_cannot_be_resumed() {
    expect_error(
        vec![filed("XK-003", None), accepted()],
        send(officer(Post::Reviewer), CaseAction::ResumeClock {}),
        CaseError::ClockNotSuspended,
    )
    .await;
}

#[tokio::test]
async fn the_clock_of_a_case_not_yet_accepted_cannot_be_suspended() {
    expect_error(
        vec![filed("XK-003", None)],
        send(officer(Post::Reviewer), suspend()),
        CaseError::WrongState {
            action: "suspend_clock",
            status: "filed",
        },
    )
    .await;
}

#[tokio::test]
async fn the_clock_of_a_decided_case_cannot_be_suspended() {
    expect_error(
        vec![filed("XK-003", None), accepted(), reviewed(), approved()],
        send(officer(Post::Approver), suspend()),
        CaseError::WrongState {
            action: "suspend_clock",
            status: "approved",
        },
    )
    .await;
}

#[tokio::test]
async fn a_suspension_needs_the_written_notice() {
    let action = CaseAction::SuspendClock {
        kind: SuspensionKind::Hearing,
        reason: "听证".into(),
        notice: "  ".into(),
    };
    expect_error(
        vec![filed("XK-003", None), accepted()],
        send(officer(Post::Reviewer), action),
        CaseError::Required { field: "notice" },
    )
    .await;
}

#[tokio::test]
async fn a_case_cannot_be_approved_while_its_clock_is_suspended() {
    expect_error(
        vec![
            filed("XK-003", None),
            accepted(),
            reviewed(),
            suspended_on(TODAY),
        ],
        send(officer(Post::Approver), CaseAction::Approve {}),
        CaseError::ClockSuspended { action: "approve" },
    )
    .await;
}

#[tokio::test]
async fn a_case_cannot_be_denied_while_its_clock_is_suspended() {
    let deny = CaseAction::Deny {
        reason: "不符合".into(),
    };
    expect_error(
        vec![filed("XK-003", None), accepted(), suspended_on(TODAY)],
        send(officer(Post::Approver), deny),
        CaseError::ClockSuspended { action: "deny" },
    )
    .await;
}

#[tokio::test]
async fn resuming_over_national_day_moves_both_deadlines_by_the_working_days_stood_still() {
    // Accepted Mon 28 Sep 2026: committed deadline (10) Fri 16 Oct, statutory (20) Fri 30
    // Oct. Suspended Tue 29 Sep, resumed Fri 9 Oct: Wed 30 Sep, Thu 8 and Fri 9 Oct are the
    // working days stood still (1-7 Oct are holidays), so both move 3 working days.
    expect_events(
        vec![
            filed("XK-003", None),
            accepted_on("2026-09-28"),
            suspended_on("2026-09-29"),
        ],
        on(
            "2026-10-09",
            officer(Post::Reviewer),
            CaseAction::ResumeClock {},
        ),
        vec![CaseEvent::ClockResumed {
            resumed_on: day("2026-10-09"),
            suspended_working_days: 3,
            statutory_deadline: deadline("2026-11-04", 20),
            committed_deadline: deadline("2026-10-21", 10),
        }],
    )
    .await;
}

#[tokio::test]
async fn a_permit_issued_after_a_suspension_counts_only_the_bureaus_working_days() {
    let resumed = CaseEvent::ClockResumed {
        resumed_on: day("2026-10-09"),
        suspended_working_days: 3,
        statutory_deadline: deadline("2026-11-04", 20),
        committed_deadline: deadline("2026-10-21", 10),
    };
    let issue = on(
        "2026-10-12",
        officer(Post::Approver),
        CaseAction::IssuePermit {
            permit_number: permit_number(),
            scope: "复合肥料".into(),
        },
    );
    let events = PermitCase::default()
        .tap_all(vec![
            filed("XK-003", None),
            accepted_on("2026-09-28"),
            suspended_on("2026-09-29"),
            resumed,
            reviewed(),
            approved(),
        ])
        .decide(issue, &services())
        .unwrap();
    // After 28 Sep, up to 12 Oct: 29, 30 Sep, 8, 9, 10 (make-up Saturday) and 12 Oct are 6
    // working days, 3 of them stood still.
    let CaseEvent::PermitIssued {
        working_days_used, ..
    } = &events[0]
    else {
        panic!("expected an issuance, got {events:?}");
    };
    assert_eq!(*working_days_used, 3);
}

#[tokio::test]
async fn the_approver_extends_the_statutory_limit_by_ten_working_days() {
    expect_events(
        vec![filed("XK-003", None), accepted(), reviewed()],
        send(officer(Post::Approver), extend()),
        vec![CaseEvent::TimeLimitExtended {
            reason: "案情复杂，需进一步核查".into(),
            extended_on: day(TODAY),
            added_working_days: 10,
            // 30 Nov (20 working days from 2 Nov), then 1-4 and 7-11 Dec and 14 Dec.
            statutory_deadline: Deadline {
                date: day("2026-12-14"),
                working_days: 30,
                basis: DeadlineBasis::HolidayCalendar,
            },
        }],
    )
    .await;
}

#[tokio::test]
async fn an_extension_leaves_the_committed_deadline_where_it_was() {
    let case = PermitCase::default().tap_all(vec![
        filed("XK-003", None),
        accepted(),
        CaseEvent::TimeLimitExtended {
            reason: "复杂".into(),
            extended_on: day(TODAY),
            added_working_days: 10,
            statutory_deadline: deadline("2026-12-14", 30),
        },
    ]);
    let file = case.file.as_ref().unwrap();
    assert_eq!(file.committed_deadline, Some(deadline("2026-11-16", 10)));
    assert_eq!(file.statutory_deadline, Some(deadline("2026-12-14", 30)));
}

#[tokio::test]
async fn the_statutory_limit_is_extended_only_once() {
    let extended = CaseEvent::TimeLimitExtended {
        reason: "复杂".into(),
        extended_on: day(TODAY),
        added_working_days: 10,
        statutory_deadline: deadline("2026-12-14", 30),
    };
    expect_error(
        vec![filed("XK-003", None), accepted(), extended],
        send(officer(Post::Approver), extend()),
        CaseError::ExtensionAlreadyGranted,
    )
    .await;
}

#[tokio::test]
async fn a_statutory_limit_that_has_ended_cannot_be_extended() {
    expect_error(
        vec![filed("XK-003", None), accepted()],
        on("2026-12-01", officer(Post::Approver), extend()),
        CaseError::StatutoryLimitPassed(day("2026-11-30")),
    )
    .await;
}

#[tokio::test]
async fn only_the_approver_extends_a_time_limit() {
    expect_error(
        vec![filed("XK-003", None), accepted()],
        send(officer(Post::Reviewer), extend()),
        CaseError::WrongPost {
            action: "extend_time_limit",
            required: "approver",
            actual: "reviewer",
        },
    )
    .await;
}

impl PermitCase {
    fn tap_all(mut self, events: Vec<CaseEvent>) -> Self {
        for event in events {
            self.apply(event);
        }
        self
    }
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..700).prop_map(|d| day("2025-01-01") + chrono::Duration::days(d))
}

proptest! {
    /// Over random acceptance days, suspension days and lengths (holidays included), both
    /// deadlines move by exactly the working days the clock stood still.
    #[test]
    fn a_suspension_moves_both_deadlines_by_exactly_the_days_stood_still(
        accepted in any_date(), after in 0u64..15, length in 0u64..40,
    ) {
        let calendar = WorkingCalendar::bundled();
        let suspended = accepted + chrono::Days::new(after);
        let resumed = suspended + chrono::Days::new(length);
        let acceptance = CaseEvent::ApplicationAccepted {
            accepted_on: accepted,
            statutory_deadline: calendar.add_working_days(accepted, 20),
            committed_deadline: calendar.add_working_days(accepted, 10),
        };
        let case = PermitCase::default().tap_all(vec![
            filed("XK-003", None),
            acceptance.clone(),
            suspended_on(&suspended.to_string()),
        ]);
        let resume = CaseCommand {
            today: resumed,
            ..send(officer(Post::Reviewer), CaseAction::ResumeClock {})
        };
        let events = case.decide(resume, &services()).unwrap();
        let CaseEvent::ClockResumed { suspended_working_days, statutory_deadline, committed_deadline, .. } = &events[0] else {
            panic!("expected a resumption");
        };
        let CaseEvent::ApplicationAccepted { statutory_deadline: statutory, committed_deadline: committed, .. } = acceptance else {
            unreachable!()
        };
        prop_assert_eq!(*suspended_working_days, calendar.working_days_between(suspended, resumed));
        prop_assert_eq!(calendar.working_days_between(statutory.date, statutory_deadline.date), *suspended_working_days);
        prop_assert_eq!(calendar.working_days_between(committed.date, committed_deadline.date), *suspended_working_days);
        prop_assert_eq!(statutory_deadline.working_days, 20);
        prop_assert_eq!(committed_deadline.working_days, 10);
    }
}

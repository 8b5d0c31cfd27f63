//! The check after issuance of a permit issued on a commitment.

use super::*;
use crate::permit_case::{CheckResult, FALSE_COMMITMENT_GROUND};

fn check_due() -> Deadline {
    services().calendar.add_working_days(day(TODAY), 20)
}

/// A permit issued on a commitment, its check due in 20 working days.
fn issued_on_commitment() -> Vec<CaseEvent> {
    let CaseEvent::PermitIssued {
        permit_number,
        scope,
        valid_from,
        valid_until,
        issued_on,
        working_days_used,
        ..
    } = issued()
    else {
        unreachable!()
    };
    vec![
        filed("XK-003", Some(commitment())),
        accepted(),
        CaseEvent::ApplicationApproved {
            approved_on: day(TODAY),
            on_commitment: true,
        },
        CaseEvent::PermitIssued {
            permit_number,
            scope,
            valid_from,
            valid_until,
            issued_on,
            working_days_used,
            check_due: Some(check_due()),
        },
    ]
}

fn check(result: CheckResult, rectify_by: Option<&str>) -> CaseCommand {
    send(
        officer(Post::Inspector),
        CaseAction::RecordPostIssuanceCheck {
            result,
            findings: "现场核查生产条件".into(),
            rectify_by: rectify_by.map(day),
        },
    )
}

fn recorded(round: u32, result: CheckResult, rectify_by: Option<&str>) -> CaseEvent {
    CaseEvent::PostIssuanceCheckRecorded {
        round,
        result,
        findings: "现场核查生产条件".into(),
        rectify_by: rectify_by.map(day),
        checked_on: day(TODAY),
    }
}

#[tokio::test]
async fn a_permit_issued_on_a_commitment_has_its_check_due_within_the_items_limit() {
    let mut given = issued_on_commitment();
    let expected = given.pop().unwrap();
    expect_events(
        given,
        send(
            officer(Post::Approver),
            CaseAction::IssuePermit {
                permit_number: permit_number(),
                scope: "复合肥料".into(),
            },
        ),
        vec![expected],
    )
    .await;
}

#[tokio::test]
async fn a_permit_issued_after_a_review_has_no_check_due() {
    expect_error(
        through_issuance(),
        check(CheckResult::Conforms, None),
        CaseError::NoCheckDue,
    )
    .await;
}

#[tokio::test]
async fn the_inspector_finds_the_permit_conforms_and_no_check_is_due_after() {
    expect_events(
        issued_on_commitment(),
        check(CheckResult::Conforms, None),
        vec![recorded(1, CheckResult::Conforms, None)],
    )
    .await;
    let mut given = issued_on_commitment();
    given.push(recorded(1, CheckResult::Conforms, None));
    expect_error(
        given,
        check(CheckResult::Conforms, None),
        CaseError::NoCheckDue,
    )
    .await;
}

#[tokio::test]
async fn a_rectification_has_a_date_after_today_and_a_follow_up_check() {
    expect_error(
        issued_on_commitment(),
        check(CheckResult::Rectify, None),
        CaseError::Required {
            field: "rectify_by",
        },
    )
    .await;
    expect_error(
        issued_on_commitment(),
        check(CheckResult::Rectify, Some(TODAY)),
        CaseError::RectifyByPassed(day(TODAY)),
    )
    .await;
    expect_events(
        issued_on_commitment(),
        check(CheckResult::Rectify, Some("2026-12-01")),
        vec![recorded(1, CheckResult::Rectify, Some("2026-12-01"))],
    )
    .await;
    let mut given = issued_on_commitment();
    given.push(recorded(1, CheckResult::Rectify, Some("2026-12-01")));
    expect_events(
        given,
        check(CheckResult::Conforms, None),
        vec![recorded(2, CheckResult::Conforms, None)],
    )
    .await;
}

#[tokio::test]
async fn a_rectification_date_goes_with_a_rectify_result_only() {
    expect_error(
        issued_on_commitment(),
        check(CheckResult::Conforms, Some("2026-12-01")),
        CaseError::RectifyByWithoutRectify,
    )
    .await;
}

#[tokio::test]
async fn a_false_commitment_found_by_the_check_revokes_the_permit_in_the_same_decision() {
    expect_events(
        issued_on_commitment(),
        check(CheckResult::FalseCommitment, None),
        vec![
            recorded(1, CheckResult::FalseCommitment, None),
            CaseEvent::PermitRevoked {
                reason: FALSE_COMMITMENT_GROUND.into(),
                false_commitment: true,
                revoked_on: day(TODAY),
            },
        ],
    )
    .await;
}

#[tokio::test]
async fn only_the_inspector_post_records_checks() {
    expect_error(
        issued_on_commitment(),
        send(
            officer(Post::Reviewer),
            CaseAction::RecordPostIssuanceCheck {
                result: CheckResult::Conforms,
                findings: "x".into(),
                rectify_by: None,
            },
        ),
        CaseError::WrongPost {
            action: "record_post_issuance_check",
            required: "inspector",
            actual: "reviewer",
        },
    )
    .await;
}

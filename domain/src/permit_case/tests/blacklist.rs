//! What the list of seriously untrustworthy entities does to a case: a listed enterprise
//! files without a commitment, for a full review; a revocation for a false commitment lists
//! the enterprise.

use super::*;
use crate::credit_record::{listing_called_for, CreditAction, CreditRules};
use crate::values::CaseId;

fn listed(command: CaseCommand) -> CaseCommand {
    CaseCommand {
        applicant_listed: true,
        ..command
    }
}

fn case_id() -> CaseId {
    CaseId::parse("0190f2a4-6c1e-7000-8000-000000000001").unwrap()
}

#[tokio::test]
async fn a_listed_enterprise_cannot_file_on_a_commitment() {
    let mut app = application("XK-003");
    app.commitment = Some(commitment());
    expect_error(
        vec![],
        listed(send(applicant(), CaseAction::FileApplication(app))),
        CaseError::BlacklistedNoCommitment,
    )
    .await;
}

#[tokio::test]
async fn a_listed_enterprise_files_for_a_full_review() {
    let command = listed(send(
        applicant(),
        CaseAction::FileApplication(application("XK-003")),
    ));
    let mut expected = filed("XK-003", None);
    if let CaseEvent::ApplicationFiled {
        applicant_listed, ..
    } = &mut expected
    {
        *applicant_listed = true;
    }
    expect_events(vec![], command, vec![expected]).await;
}

/// The case `given` and `decided` leave, and the listing `decided` calls for.
fn listing_after(given: Vec<CaseEvent>, decided: Vec<CaseEvent>) -> Option<CreditAction> {
    let mut case = PermitCase::default();
    for event in given.into_iter().chain(decided.iter().cloned()) {
        case.apply(event);
    }
    listing_called_for(&case_id(), &case, &decided, &CreditRules::bundled())
}

#[test]
fn a_revocation_for_a_false_commitment_lists_the_enterprise_with_its_reason_and_basis() {
    let given = vec![
        filed("XK-003", Some(commitment())),
        accepted(),
        CaseEvent::ApplicationApproved {
            approved_on: day(TODAY),
            on_commitment: true,
        },
        issued(),
    ];
    let decided = vec![CaseEvent::PermitRevoked {
        reason: "承诺不实".into(),
        false_commitment: true,
        revoked_on: day(TODAY),
    }];
    assert_eq!(
        listing_after(given, decided),
        Some(CreditAction::List {
            credit_code: jinan_enterprise(),
            enterprise_name: "济南恒力化工有限公司".into(),
            case_id: case_id(),
            permit_number: permit_number(),
            bureau: BureauCode::parse("370100").unwrap(),
            reason: "承诺不实".into(),
            basis: CreditRules::bundled().false_commitment_basis,
        })
    );
}

#[test]
fn no_other_decision_lists_anyone() {
    let revoked_otherwise = vec![CaseEvent::PermitRevoked {
        reason: "生产条件不再具备".into(),
        false_commitment: false,
        revoked_on: day(TODAY),
    }];
    assert_eq!(listing_after(through_issuance(), revoked_otherwise), None);
    assert_eq!(listing_after(vec![], vec![filed("XK-003", None)]), None);
}

//! Given/when/then: one rule per test.

use cqrs_es::test::TestFramework;

use super::*;

type CreditTest = TestFramework<CreditRecord>;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn case() -> CaseId {
    CaseId::parse("0190f2a4-6c1e-7000-8000-000000000001").unwrap()
}

fn enterprise() -> CreditCode {
    CreditCode::with_check_character("91370102MA3C4F5G6").unwrap()
}

fn officer(bureau: &str, post: Post) -> Actor {
    Actor::Officer {
        subject: "o".into(),
        bureau: BureauCode::parse(bureau).unwrap(),
        post,
    }
}

fn list(on: &str) -> CreditCommand {
    CreditCommand {
        actor: officer("370100", Post::Inspector),
        today: day(on),
        action: CreditAction::List {
            credit_code: enterprise(),
            enterprise_name: "济南恒力化工有限公司".into(),
            case_id: case(),
            permit_number: PermitNumber::parse("XK-003-370100-2026-00001").unwrap(),
            bureau: BureauCode::parse("370100").unwrap(),
            reason: "告知承诺内容不实".into(),
            basis: "《行政许可法》第六十九条".into(),
        },
    }
}

fn listed() -> CreditEvent {
    CreditEvent::EnterpriseListed {
        credit_code: enterprise(),
        enterprise_name: "济南恒力化工有限公司".into(),
        case_id: case(),
        permit_number: PermitNumber::parse("XK-003-370100-2026-00001").unwrap(),
        bureau: BureauCode::parse("370100").unwrap(),
        reason: "告知承诺内容不实".into(),
        basis: "《行政许可法》第六十九条".into(),
        listed_on: day("2026-11-02"),
        listed_until: day("2029-11-01"),
    }
}

fn remove(actor: Actor, on: &str) -> CreditCommand {
    CreditCommand {
        actor,
        today: day(on),
        action: CreditAction::Remove {
            reason: "已完成信用修复".into(),
        },
    }
}

#[tokio::test]
async fn a_false_commitment_lists_the_enterprise_for_three_years() {
    CreditTest::with(CreditRules::bundled())
        .given_no_previous_events()
        .when_async(list("2026-11-02"))
        .await
        .then_expect_events(vec![listed()]);
}

#[tokio::test]
async fn one_case_lists_an_enterprise_once() {
    CreditTest::with(CreditRules::bundled())
        .given(vec![listed()])
        .when_async(list("2026-11-03"))
        .await
        .then_expect_error(CreditError::AlreadyListedForCase(case()));
}

#[tokio::test]
async fn a_provincial_approver_removes_a_listing_early_with_a_reason() {
    CreditTest::with(CreditRules::bundled())
        .given(vec![listed()])
        .when_async(remove(officer("370000", Post::Approver), "2027-06-01"))
        .await
        .then_expect_events(vec![CreditEvent::RemovedFromBlacklist {
            case_id: case(),
            reason: "已完成信用修复".into(),
            removed_on: day("2027-06-01"),
        }]);
}

#[tokio::test]
async fn a_city_approver_does_not_remove_listings() {
    CreditTest::with(CreditRules::bundled())
        .given(vec![listed()])
        .when_async(remove(officer("370100", Post::Approver), "2027-06-01"))
        .await
        .then_expect_error(CreditError::ProvincialApproverOnly);
}

#[tokio::test]
async fn a_listing_past_its_term_is_off_the_list_and_cannot_be_removed() {
    let mut record = CreditRecord::default();
    record.apply(listed());
    assert!(record.is_listed_on(day("2029-11-01")));
    assert!(!record.is_listed_on(day("2029-11-02")));
    CreditTest::with(CreditRules::bundled())
        .given(vec![listed()])
        .when_async(remove(officer("370000", Post::Approver), "2029-11-02"))
        .await
        .then_expect_error(CreditError::NotListed);
}

#[tokio::test]
async fn a_removal_needs_its_reason() {
    let mut command = remove(officer("370000", Post::Approver), "2027-06-01");
    command.action = CreditAction::Remove { reason: " ".into() };
    CreditTest::with(CreditRules::bundled())
        .given(vec![listed()])
        .when_async(command)
        .await
        .then_expect_error(CreditError::Required { field: "reason" });
}

#[test]
fn a_removed_listing_is_off_the_list() {
    let mut record = CreditRecord::default();
    record.apply(listed());
    record.apply(CreditEvent::RemovedFromBlacklist {
        case_id: case(),
        reason: "已完成信用修复".into(),
        removed_on: day("2027-06-01"),
    });
    assert!(!record.is_listed_on(day("2027-06-01")));
}

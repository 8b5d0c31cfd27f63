//! Given/when/then: one rule per test.

use chrono::NaiveDate;
use cqrs_es::test::TestFramework;

use super::*;
use crate::actor::Actor;
use crate::calendar::{Deadline, DeadlineBasis};
use crate::catalogue::Catalogue;
use crate::values::{MaterialDigest, PermitNumber};

type CaseTest = TestFramework<PermitCase>;

const TODAY: &str = "2026-11-02";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn services() -> CaseServices {
    CaseServices::bundled()
}

fn services_with(edit: impl FnOnce(&mut serde_json::Value)) -> CaseServices {
    let mut json: serde_json::Value =
        serde_json::from_str(crate::catalogue::BUNDLED_CATALOGUE).unwrap();
    edit(&mut json);
    CaseServices {
        catalogue: Catalogue::from_json(&json.to_string()).unwrap(),
        ..CaseServices::bundled()
    }
}

fn credit(body: &str) -> CreditCode {
    CreditCode::with_check_character(body).unwrap()
}

fn jinan_enterprise() -> CreditCode {
    credit("91370102MA3C4F5G6")
}

fn applicant() -> Actor {
    Actor::Applicant {
        subject: "济南恒力化工有限公司".into(),
        credit_code: jinan_enterprise(),
    }
}

fn applicant_of(code: CreditCode) -> Actor {
    Actor::Applicant {
        subject: "other".into(),
        credit_code: code,
    }
}

fn officer(post: Post) -> Actor {
    officer_of("370100", post)
}

fn officer_of(bureau: &str, post: Post) -> Actor {
    Actor::Officer {
        subject: format!("{}-{bureau}", post.as_str()),
        bureau: BureauCode::parse(bureau).unwrap(),
        post,
    }
}

fn auditor() -> Actor {
    Actor::Auditor {
        subject: "audit-office".into(),
    }
}

fn send(actor: Actor, action: CaseAction) -> CaseCommand {
    CaseCommand {
        actor,
        today: day(TODAY),
        expected_version: None,
        action,
        officer_ref: None,
        applicant_listed: false,
    }
}

fn material(name: &str) -> Material {
    Material {
        name: name.into(),
        digest: MaterialDigest::parse(&"ab".repeat(32)).unwrap(),
    }
}

fn materials_for(item: &str) -> Vec<Material> {
    let catalogue = Catalogue::bundled();
    let item = catalogue.item(&ItemCode::parse(item).unwrap()).unwrap();
    item.materials.iter().map(|m| material(&m.name)).collect()
}

fn contact() -> Contact {
    Contact {
        person: "王经理".into(),
        phone: "13800000000".into(),
    }
}

fn application(item: &str) -> Application {
    Application {
        item_code: ItemCode::parse(item).unwrap(),
        enterprise_name: "济南恒力化工有限公司".into(),
        address: None,
        product: "复合肥料".into(),
        process: None,
        materials: materials_for(item),
        commitment: None,
        contact: contact(),
        guidance_id: None,
    }
}

fn commitment() -> Commitment {
    Commitment {
        signed_by: "李明 法定代表人".into(),
        statement: "本企业承诺符合许可条件".into(),
    }
}

fn filed(item: &str, commitment: Option<Commitment>) -> CaseEvent {
    let catalogue = Catalogue::bundled();
    CaseEvent::ApplicationFiled {
        item_code: ItemCode::parse(item).unwrap(),
        item_name: catalogue
            .item(&ItemCode::parse(item).unwrap())
            .unwrap()
            .name
            .clone(),
        credit_code: jinan_enterprise(),
        enterprise_name: "济南恒力化工有限公司".into(),
        bureau: BureauCode::parse("370100").unwrap(),
        product: "复合肥料".into(),
        process: None,
        materials: materials_for(item),
        commitment,
        contact: contact(),
        filed_on: day(TODAY),
        address: None,
        applicant_listed: false,
    }
}

fn accepted() -> CaseEvent {
    CaseEvent::ApplicationAccepted {
        accepted_on: day(TODAY),
        statutory_deadline: services().calendar.add_working_days(day(TODAY), 20),
        committed_deadline: services().calendar.add_working_days(day(TODAY), 10),
    }
}

fn reviewed() -> CaseEvent {
    CaseEvent::ReviewRecorded {
        findings: "条件符合".into(),
        recommendation: Recommendation::Approve,
        reviewed_on: day(TODAY),
        reviewer: None,
    }
}

fn approved() -> CaseEvent {
    CaseEvent::ApplicationApproved {
        approved_on: day(TODAY),
        on_commitment: false,
    }
}

fn permit_number() -> PermitNumber {
    PermitNumber::parse("XK-003-370100-2026-00001").unwrap()
}

fn issued() -> CaseEvent {
    CaseEvent::PermitIssued {
        permit_number: permit_number(),
        scope: "复合肥料".into(),
        valid_from: day(TODAY),
        valid_until: day("2031-11-01"),
        issued_on: day(TODAY),
        working_days_used: 0,
        check_due: None,
    }
}

fn dispatched() -> CaseEvent {
    CaseEvent::CertificateDispatched {
        courier: "EMS".into(),
        tracking_number: "1234567890".into(),
        dispatched_on: day(TODAY),
    }
}

fn through_issuance() -> Vec<CaseEvent> {
    vec![
        filed("XK-003", None),
        accepted(),
        reviewed(),
        approved(),
        issued(),
    ]
}

async fn expect_events(given: Vec<CaseEvent>, command: CaseCommand, expected: Vec<CaseEvent>) {
    CaseTest::with(services())
        .given(given)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

async fn expect_error(given: Vec<CaseEvent>, command: CaseCommand, expected: CaseError) {
    CaseTest::with(services())
        .given(given)
        .when_async(command)
        .await
        .then_expect_error(expected);
}

// ---- filing and routing ----

#[tokio::test]
async fn filing_routes_the_case_to_the_city_bureau_where_the_applicant_is_registered() {
    let command = send(
        applicant(),
        CaseAction::FileApplication(application("XK-003")),
    );
    expect_events(vec![], command, vec![filed("XK-003", None)]).await;
}

#[tokio::test]
async fn an_enterprise_registered_in_another_province_cannot_file() {
    let beijing = credit("91110105MA01ABCD1");
    let command = send(
        applicant_of(beijing),
        CaseAction::FileApplication(application("XK-003")),
    );
    expect_error(
        vec![],
        command,
        CaseError::OutsideProvince(BureauCode::parse("110105").unwrap()),
    )
    .await;
}

#[tokio::test]
async fn an_area_without_a_city_bureau_cannot_file() {
    // 3712 (Laiwu) was merged into Jinan in 2019: the catalogue has no bureau for it.
    let laiwu = credit("91371202MA3C4F5G6");
    let command = send(
        applicant_of(laiwu),
        CaseAction::FileApplication(application("XK-003")),
    );
    expect_error(
        vec![],
        command,
        CaseError::NoCityBureau(BureauCode::parse("371202").unwrap()),
    )
    .await;
}

#[tokio::test]
async fn an_officer_cannot_file_an_application() {
    let command = send(
        officer(Post::Acceptor),
        CaseAction::FileApplication(application("XK-003")),
    );
    expect_error(
        vec![],
        command,
        CaseError::ApplicantOnly {
            action: "file_application",
        },
    )
    .await;
}

#[tokio::test]
async fn an_auditor_sends_no_commands() {
    let command = send(
        auditor(),
        CaseAction::FileApplication(application("XK-003")),
    );
    expect_error(vec![], command, CaseError::ReadOnlyRole).await;
    expect_error(
        through_issuance(),
        send(auditor(), CaseAction::ConfirmDelivery {}),
        CaseError::ReadOnlyRole,
    )
    .await;
}

#[tokio::test]
async fn an_item_outside_the_catalogue_is_refused() {
    let mut app = application("XK-003");
    app.item_code = ItemCode::parse("XK-999").unwrap();
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(vec![], command, CaseError::UnknownItem("XK-999".into())).await;
}

#[tokio::test]
async fn a_product_on_the_phase_out_catalogue_is_never_accepted() {
    let mut app = application("XK-003");
    app.product = "含汞体温计".into();
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(vec![], command, CaseError::PhasedOut("含汞体温计".into())).await;
}

#[tokio::test]
async fn a_process_on_the_phase_out_catalogue_is_never_accepted() {
    let mut app = application("TS-001");
    app.process = Some("手工焊接无缝气瓶 工艺".into());
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(
        vec![],
        command,
        CaseError::PhasedOut("手工焊接无缝气瓶".into()),
    )
    .await;
}

#[tokio::test]
async fn an_item_moved_to_the_phase_out_catalogue_is_refused_at_filing_and_at_acceptance() {
    let phased = services_with(|json| json["items"][2]["phased_out"] = true.into());
    CaseTest::with(phased.clone())
        .given_no_previous_events()
        .when_async(send(
            applicant(),
            CaseAction::FileApplication(application("XK-003")),
        ))
        .await
        .then_expect_error(CaseError::PhasedOut("item XK-003".into()));
    CaseTest::with(phased)
        .given(vec![filed("XK-003", None)])
        .when_async(send(officer(Post::Acceptor), CaseAction::Accept {}))
        .await
        .then_expect_error(CaseError::PhasedOut("item XK-003".into()));
}

#[tokio::test]
async fn a_product_phased_out_after_filing_is_not_accepted() {
    let phased = services_with(|json| {
        json["phase_out"]
            .as_array_mut()
            .unwrap()
            .push("复合肥料".into())
    });
    CaseTest::with(phased)
        .given(vec![filed("XK-003", None)])
        .when_async(send(officer(Post::Acceptor), CaseAction::Accept {}))
        .await
        .then_expect_error(CaseError::PhasedOut("复合肥料".into()));
}

#[tokio::test]
async fn a_commitment_is_refused_where_the_item_does_not_allow_it() {
    let mut app = application("TS-001");
    app.commitment = Some(commitment());
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(
        vec![],
        command,
        CaseError::CommitmentNotEligible("TS-001".into()),
    )
    .await;
}

#[tokio::test]
async fn a_commitment_is_recorded_where_the_item_allows_it() {
    let mut app = application("XK-003");
    app.commitment = Some(commitment());
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_events(vec![], command, vec![filed("XK-003", Some(commitment()))]).await;
}

#[tokio::test]
async fn missing_materials_are_named() {
    let mut app = application("XK-003");
    let dropped = app.materials.pop().unwrap();
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(
        vec![],
        command,
        CaseError::MaterialsIncomplete(vec![dropped.name]),
    )
    .await;
}

#[tokio::test]
async fn a_material_listed_twice_is_refused() {
    let mut app = application("XK-003");
    app.materials.push(app.materials[0].clone());
    let name = app.materials[0].name.clone();
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(vec![], command, CaseError::DuplicateMaterial(name)).await;
}

#[tokio::test]
async fn an_application_needs_an_enterprise_name() {
    let mut app = application("XK-003");
    app.enterprise_name = "  ".into();
    let command = send(applicant(), CaseAction::FileApplication(app));
    expect_error(
        vec![],
        command,
        CaseError::Required {
            field: "enterprise_name",
        },
    )
    .await;
}

#[tokio::test]
async fn a_case_is_filed_once() {
    let command = send(
        applicant(),
        CaseAction::FileApplication(application("XK-003")),
    );
    expect_error(
        vec![filed("XK-003", None)],
        command,
        CaseError::AlreadyFiled,
    )
    .await;
}

#[tokio::test]
async fn commands_to_a_case_never_filed_are_refused() {
    expect_error(
        vec![],
        send(officer(Post::Acceptor), CaseAction::Accept {}),
        CaseError::CaseNotFound,
    )
    .await;
}

// ---- correction rounds ----

#[tokio::test]
async fn the_acceptor_asks_for_corrections() {
    let command = send(
        officer(Post::Acceptor),
        CaseAction::RequestCorrection {
            corrections: vec!["检验报告已过期".into()],
            reason: "材料不齐全".into(),
        },
    );
    let expected = CaseEvent::CorrectionRequested {
        round: 1,
        corrections: vec!["检验报告已过期".into()],
        reason: "材料不齐全".into(),
        requested_on: day(TODAY),
    };
    expect_events(vec![filed("XK-003", None)], command, vec![expected]).await;
}

#[tokio::test]
async fn a_correction_request_must_say_what_to_correct() {
    let command = send(
        officer(Post::Acceptor),
        CaseAction::RequestCorrection {
            corrections: vec![" ".into()],
            reason: "材料不齐全".into(),
        },
    );
    expect_error(
        vec![filed("XK-003", None)],
        command,
        CaseError::Required {
            field: "corrections",
        },
    )
    .await;
}

fn correction(round: u32) -> CaseEvent {
    CaseEvent::CorrectionRequested {
        round,
        corrections: vec!["报告".into()],
        reason: "过期".into(),
        requested_on: day(TODAY),
    }
}

fn resubmitted(round: u32) -> CaseEvent {
    CaseEvent::MaterialsResubmitted {
        round,
        materials: vec![material("产品检验报告 product test report")],
        resubmitted_on: day(TODAY),
    }
}

#[tokio::test]
async fn the_applicant_resubmits_and_the_acceptor_may_ask_again() {
    let command = send(
        applicant(),
        CaseAction::ResubmitMaterials {
            materials: vec![material("产品检验报告 product test report")],
        },
    );
    expect_events(
        vec![filed("XK-003", None), correction(1)],
        command,
        vec![resubmitted(1)],
    )
    .await;
    let again = send(
        officer(Post::Acceptor),
        CaseAction::RequestCorrection {
            corrections: vec!["报告".into()],
            reason: "过期".into(),
        },
    );
    let given = vec![filed("XK-003", None), correction(1), resubmitted(1)];
    expect_events(given, again, vec![correction(2)]).await;
}

#[tokio::test]
async fn another_enterprise_cannot_answer_a_correction_request() {
    let other = applicant_of(credit("91370102MA3C4F5H7"));
    let command = send(
        other,
        CaseAction::ResubmitMaterials {
            materials: vec![material("x")],
        },
    );
    expect_error(
        vec![filed("XK-003", None), correction(1)],
        command,
        CaseError::CaseNotFound,
    )
    .await;
}

#[tokio::test]
async fn materials_cannot_be_resubmitted_when_none_were_asked_for() {
    let command = send(
        applicant(),
        CaseAction::ResubmitMaterials {
            materials: vec![material("x")],
        },
    );
    let expected = CaseError::WrongState {
        action: "resubmit_materials",
        status: "filed",
    };
    expect_error(vec![filed("XK-003", None)], command, expected).await;
}

// ---- acceptance ----

#[tokio::test]
async fn acceptance_computes_both_deadlines_in_working_days() {
    let command = send(officer(Post::Acceptor), CaseAction::Accept {});
    expect_events(vec![filed("XK-003", None)], command, vec![accepted()]).await;
}

#[tokio::test]
async fn special_equipment_is_committed_to_fifteen_working_days_instead_of_thirty() {
    let mut given = filed("TS-001", None);
    if let CaseEvent::ApplicationFiled { materials, .. } = &mut given {
        *materials = materials_for("TS-001");
    }
    let events = CaseTest::with(services())
        .given(vec![given])
        .when_async(send(officer(Post::Acceptor), CaseAction::Accept {}))
        .await
        .inspect_result()
        .unwrap();
    // From Mon 2 Nov 2026: 15 working days end Mon 23 Nov, 30 end Mon 14 Dec.
    let expected = CaseEvent::ApplicationAccepted {
        accepted_on: day(TODAY),
        statutory_deadline: Deadline {
            date: day("2026-12-14"),
            working_days: 30,
            basis: DeadlineBasis::HolidayCalendar,
        },
        committed_deadline: Deadline {
            date: day("2026-11-23"),
            working_days: 15,
            basis: DeadlineBasis::HolidayCalendar,
        },
    };
    assert_eq!(events, vec![expected]);
}

#[tokio::test]
async fn the_acceptor_may_refuse_to_accept_with_a_reason() {
    let command = send(
        officer(Post::Acceptor),
        CaseAction::RefuseToAccept {
            reason: "不属于本部门职权".into(),
        },
    );
    let expected = CaseEvent::ApplicationNotAccepted {
        reason: "不属于本部门职权".into(),
        decided_on: day(TODAY),
    };
    expect_events(vec![filed("XK-003", None)], command, vec![expected]).await;
    let no_reason = send(
        officer(Post::Acceptor),
        CaseAction::RefuseToAccept { reason: "".into() },
    );
    expect_error(
        vec![filed("XK-003", None)],
        no_reason,
        CaseError::Required { field: "reason" },
    )
    .await;
}

#[tokio::test]
async fn a_case_of_another_city_does_not_exist_for_its_officers() {
    let qingdao = officer_of("370200", Post::Acceptor);
    expect_error(
        vec![filed("XK-003", None)],
        send(qingdao, CaseAction::Accept {}),
        CaseError::CaseNotFound,
    )
    .await;
}

#[tokio::test]
async fn a_sender_who_may_not_see_the_case_learns_nothing_from_a_version() {
    let mut stale = send(officer_of("370200", Post::Acceptor), CaseAction::Accept {});
    stale.expected_version = Some(99);
    expect_error(vec![filed("XK-003", None)], stale, CaseError::CaseNotFound).await;
    let mut stale = send(
        applicant_of(credit("91370102MA3C4F5H7")),
        CaseAction::Withdraw { reason: "x".into() },
    );
    stale.expected_version = Some(99);
    expect_error(vec![filed("XK-003", None)], stale, CaseError::CaseNotFound).await;
}

#[tokio::test]
async fn the_provincial_bureau_handles_no_case_directly() {
    let province = officer_of("370000", Post::Approver);
    let expected = CaseError::OutsideBureau {
        case_bureau: BureauCode::parse("370100").unwrap(),
        officer_bureau: BureauCode::parse("370000").unwrap(),
    };
    let given = vec![filed("XK-003", None), accepted(), reviewed()];
    expect_error(given, send(province, CaseAction::Approve {}), expected).await;
}

#[tokio::test]
async fn each_step_belongs_to_its_post() {
    let expected = CaseError::WrongPost {
        action: "accept",
        required: "acceptor",
        actual: "approver",
    };
    expect_error(
        vec![filed("XK-003", None)],
        send(officer(Post::Approver), CaseAction::Accept {}),
        expected,
    )
    .await;
}

#[tokio::test]
async fn an_applicant_cannot_take_an_officers_step() {
    let expected = CaseError::OfficerOnly { action: "accept" };
    expect_error(
        vec![filed("XK-003", None)],
        send(applicant(), CaseAction::Accept {}),
        expected,
    )
    .await;
}

#[tokio::test]
async fn an_officer_cannot_take_the_applicants_step() {
    let command = send(
        officer(Post::Acceptor),
        CaseAction::Withdraw { reason: "x".into() },
    );
    let expected = CaseError::ApplicantOnly { action: "withdraw" };
    expect_error(vec![filed("XK-003", None)], command, expected).await;
}

// ---- review and decision ----

#[tokio::test]
async fn the_reviewer_records_findings() {
    let command = send(
        officer(Post::Reviewer),
        CaseAction::RecordReview {
            findings: "条件符合".into(),
            recommendation: Recommendation::Approve,
        },
    );
    expect_events(
        vec![filed("XK-003", None), accepted()],
        command,
        vec![reviewed()],
    )
    .await;
}

#[tokio::test]
async fn approval_needs_a_review_without_a_commitment() {
    let command = send(officer(Post::Approver), CaseAction::Approve {});
    expect_error(
        vec![filed("XK-003", None), accepted()],
        command,
        CaseError::ReviewRequired,
    )
    .await;
}

#[tokio::test]
async fn a_signed_commitment_allows_approval_on_simplified_review() {
    let command = send(officer(Post::Approver), CaseAction::Approve {});
    let expected = CaseEvent::ApplicationApproved {
        approved_on: day(TODAY),
        on_commitment: true,
    };
    expect_events(
        vec![filed("XK-003", Some(commitment())), accepted()],
        command,
        vec![expected],
    )
    .await;
}

#[tokio::test]
async fn the_approver_approves_a_reviewed_case() {
    let command = send(officer(Post::Approver), CaseAction::Approve {});
    expect_events(
        vec![filed("XK-003", None), accepted(), reviewed()],
        command,
        vec![approved()],
    )
    .await;
}

#[tokio::test]
async fn the_approver_denies_with_a_reason() {
    let command = send(
        officer(Post::Approver),
        CaseAction::Deny {
            reason: "现场核查不合格".into(),
        },
    );
    let expected = CaseEvent::ApplicationDenied {
        reason: "现场核查不合格".into(),
        decided_on: day(TODAY),
    };
    expect_events(
        vec![filed("XK-003", None), accepted(), reviewed()],
        command,
        vec![expected],
    )
    .await;
}

#[tokio::test]
async fn a_case_cannot_be_decided_before_acceptance() {
    let expected = CaseError::WrongState {
        action: "approve",
        status: "filed",
    };
    expect_error(
        vec![filed("XK-003", None)],
        send(officer(Post::Approver), CaseAction::Approve {}),
        expected,
    )
    .await;
}

// ---- issuance and delivery ----

#[tokio::test]
async fn issuing_a_permit_sets_its_validity_from_the_catalogue() {
    let command = send(
        officer(Post::Approver),
        CaseAction::IssuePermit {
            permit_number: permit_number(),
            scope: "复合肥料".into(),
        },
    );
    let given = vec![filed("XK-003", None), accepted(), reviewed(), approved()];
    expect_events(given, command, vec![issued()]).await;
}

#[tokio::test]
async fn issuing_counts_the_working_days_used_since_acceptance() {
    let mut command = send(
        officer(Post::Approver),
        CaseAction::IssuePermit {
            permit_number: permit_number(),
            scope: "复合肥料".into(),
        },
    );
    command.today = day("2026-11-09");
    let events = CaseTest::with(services())
        .given(vec![
            filed("XK-003", None),
            accepted(),
            reviewed(),
            approved(),
        ])
        .when_async(command)
        .await
        .inspect_result()
        .unwrap();
    assert!(matches!(
        events[0],
        CaseEvent::PermitIssued {
            working_days_used: 5,
            ..
        }
    ));
}

#[tokio::test]
async fn a_permit_is_issued_only_after_approval() {
    let command = send(
        officer(Post::Approver),
        CaseAction::IssuePermit {
            permit_number: permit_number(),
            scope: "x".into(),
        },
    );
    let expected = CaseError::WrongState {
        action: "issue_permit",
        status: "reviewed",
    };
    expect_error(
        vec![filed("XK-003", None), accepted(), reviewed()],
        command,
        expected,
    )
    .await;
}

#[tokio::test]
async fn the_dispatcher_sends_the_certificate_by_express() {
    let command = send(
        officer(Post::Dispatcher),
        CaseAction::DispatchCertificate {
            courier: "EMS".into(),
            tracking_number: "1234567890".into(),
        },
    );
    expect_events(through_issuance(), command, vec![dispatched()]).await;
}

#[tokio::test]
async fn the_applicant_or_the_dispatcher_confirms_delivery() {
    let mut given = through_issuance();
    given.push(dispatched());
    let expected = vec![CaseEvent::CertificateDelivered {
        delivered_on: day(TODAY),
    }];
    expect_events(
        given.clone(),
        send(applicant(), CaseAction::ConfirmDelivery {}),
        expected.clone(),
    )
    .await;
    expect_events(
        given,
        send(officer(Post::Dispatcher), CaseAction::ConfirmDelivery {}),
        expected,
    )
    .await;
}

#[tokio::test]
async fn delivery_cannot_be_confirmed_before_dispatch() {
    let expected = CaseError::WrongState {
        action: "confirm_delivery",
        status: "issued",
    };
    expect_error(
        through_issuance(),
        send(applicant(), CaseAction::ConfirmDelivery {}),
        expected,
    )
    .await;
}

// ---- withdrawal and revocation ----

#[tokio::test]
async fn the_applicant_withdraws_an_open_case() {
    let command = send(
        applicant(),
        CaseAction::Withdraw {
            reason: "不再生产".into(),
        },
    );
    let expected = CaseEvent::ApplicationWithdrawn {
        reason: "不再生产".into(),
        withdrawn_on: day(TODAY),
    };
    expect_events(
        vec![filed("XK-003", None), accepted()],
        command,
        vec![expected],
    )
    .await;
}

#[tokio::test]
async fn an_issued_permit_cannot_be_withdrawn() {
    let command = send(applicant(), CaseAction::Withdraw { reason: "x".into() });
    let expected = CaseError::WrongState {
        action: "withdraw",
        status: "issued",
    };
    expect_error(through_issuance(), command, expected).await;
}

fn false_commitment_revocation() -> CaseCommand {
    send(
        officer(Post::Approver),
        CaseAction::RevokePermit {
            reason: "承诺不实".into(),
            false_commitment: true,
        },
    )
}

#[tokio::test]
async fn the_approver_revokes_a_permit_obtained_by_a_false_commitment() {
    let given = vec![
        filed("XK-003", Some(commitment())),
        accepted(),
        CaseEvent::ApplicationApproved {
            approved_on: day(TODAY),
            on_commitment: true,
        },
        issued(),
    ];
    let expected = CaseEvent::PermitRevoked {
        reason: "承诺不实".into(),
        false_commitment: true,
        revoked_on: day(TODAY),
    };
    expect_events(given, false_commitment_revocation(), vec![expected]).await;
}

#[tokio::test]
async fn a_permit_not_issued_on_a_commitment_is_not_revoked_for_a_false_one() {
    expect_error(
        through_issuance(),
        false_commitment_revocation(),
        CaseError::NotIssuedOnCommitment,
    )
    .await;
    // Filed with a commitment, but reviewed and approved on the review: no promise decided it.
    let reviewed_after_all = vec![
        filed("XK-003", Some(commitment())),
        accepted(),
        reviewed(),
        approved(),
        issued(),
    ];
    expect_error(
        reviewed_after_all,
        false_commitment_revocation(),
        CaseError::NotIssuedOnCommitment,
    )
    .await;
}

#[tokio::test]
async fn only_a_permit_in_force_can_be_revoked() {
    let command = send(
        officer(Post::Approver),
        CaseAction::RevokePermit {
            reason: "x".into(),
            false_commitment: false,
        },
    );
    let expected = CaseError::WrongState {
        action: "revoke_permit",
        status: "approved",
    };
    expect_error(
        vec![filed("XK-003", None), accepted(), reviewed(), approved()],
        command,
        expected,
    )
    .await;
}

// ---- versions ----

#[tokio::test]
async fn a_command_made_against_a_stale_version_is_refused() {
    let mut command = send(officer(Post::Acceptor), CaseAction::Accept {});
    command.expected_version = Some(0);
    let expected = CaseError::VersionMismatch {
        expected: 0,
        actual: 1,
    };
    expect_error(vec![filed("XK-003", None)], command, expected).await;
}

#[tokio::test]
async fn a_command_made_against_the_current_version_goes_through() {
    let mut command = send(officer(Post::Acceptor), CaseAction::Accept {});
    command.expected_version = Some(1);
    expect_events(vec![filed("XK-003", None)], command, vec![accepted()]).await;
}

#[test]
fn every_event_advances_the_version() {
    let mut case = PermitCase::default();
    for event in through_issuance() {
        case.apply(event);
    }
    assert_eq!(case.version(), 5);
    assert_eq!(case.status(), Some(CaseStatus::Issued));
}

#[test]
fn actions_read_from_json_by_type() {
    let action: CaseAction = serde_json::from_str(r#"{"type":"deny","reason":"r"}"#).unwrap();
    assert_eq!(action, CaseAction::Deny { reason: "r".into() });
    assert!(
        serde_json::from_str::<CaseAction>(r#"{"type":"deny","reason":"r","extra":1}"#).is_err()
    );
    assert!(serde_json::from_str::<CaseAction>(r#"{"type":"accept"}"#).is_ok());
}

#[tokio::test]
async fn a_control_character_or_noncharacter_in_a_name_is_refused_naming_the_field() {
    let mut app = application("XK-003");
    app.enterprise_name = "恶意\u{8}企业\u{fffe}有限公司".into();
    let command = send(applicant(), CaseAction::FileApplication(app));
    let refusal = CaseError::InvalidText {
        field: "enterprise_name",
        refusal: crate::text::TextRefusal::ControlCharacter { code: 8, at: 3 },
    };
    assert_eq!(refusal.rule(), "text-control-character");
    assert_eq!(refusal.kind(), RefusalKind::Malformed);
    expect_error(vec![], command, refusal).await;
}

#[tokio::test]
async fn a_nul_in_a_contact_is_refused_as_on_every_store() {
    let mut app = application("XK-003");
    app.contact.phone = "138\u{0}0000".into();
    let command = send(applicant(), CaseAction::FileApplication(app));
    let refusal = CaseError::InvalidText {
        field: "contact.phone",
        refusal: crate::text::TextRefusal::ControlCharacter { code: 0, at: 4 },
    };
    expect_error(vec![], command, refusal).await;
}

#[tokio::test]
async fn a_reason_over_its_limit_is_refused() {
    let command = send(
        officer(Post::Approver),
        CaseAction::Deny {
            reason: "理".repeat(2_001),
        },
    );
    let refusal = CaseError::InvalidText {
        field: "reason",
        refusal: crate::text::TextRefusal::TooLong {
            max: 2_000,
            found: 2_001,
        },
    };
    expect_error(vec![filed("XK-003", None), accepted()], command, refusal).await;
}

#[tokio::test]
async fn text_is_kept_as_nfc_without_surrounding_blanks() {
    let command = send(
        officer(Post::Approver),
        CaseAction::Deny {
            reason: "  Caf\u{65}\u{301}：条件不符 ".into(),
        },
    );
    let denied = CaseEvent::ApplicationDenied {
        reason: "Café：条件不符".into(),
        decided_on: day(TODAY),
    };
    expect_events(
        vec![filed("XK-003", None), accepted()],
        command,
        vec![denied],
    )
    .await;
}

// ---- separation of duties ----

/// `command` as sent by the officer whose pseudonym on the case is `officer_ref`.
fn by(officer_ref: &str, command: CaseCommand) -> CaseCommand {
    CaseCommand {
        officer_ref: Some(officer_ref.into()),
        ..command
    }
}

fn reviewed_by(officer_ref: &str) -> CaseEvent {
    CaseEvent::ReviewRecorded {
        findings: "条件符合".into(),
        recommendation: Recommendation::Approve,
        reviewed_on: day(TODAY),
        reviewer: Some(officer_ref.into()),
    }
}

#[tokio::test]
async fn a_review_records_who_reviewed_as_a_pseudonym() {
    let review = send(
        officer(Post::Reviewer),
        CaseAction::RecordReview {
            findings: "条件符合".into(),
            recommendation: Recommendation::Approve,
        },
    );
    expect_events(
        vec![filed("XK-003", None), accepted()],
        by("p-1", review),
        vec![reviewed_by("p-1")],
    )
    .await;
}

#[tokio::test]
async fn the_officer_who_reviewed_a_case_may_not_approve_it() {
    let approve = send(officer(Post::Approver), CaseAction::Approve {});
    expect_error(
        vec![filed("XK-003", None), accepted(), reviewed_by("p-1")],
        by("p-1", approve),
        CaseError::ReviewerMayNotDecide,
    )
    .await;
}

#[tokio::test]
async fn the_officer_who_reviewed_a_case_may_not_deny_it() {
    let deny = send(
        officer(Post::Approver),
        CaseAction::Deny {
            reason: "不符合".into(),
        },
    );
    expect_error(
        vec![filed("XK-003", None), accepted(), reviewed_by("p-1")],
        by("p-1", deny),
        CaseError::ReviewerMayNotDecide,
    )
    .await;
}

#[tokio::test]
async fn another_officer_decides_a_reviewed_case() {
    let approve = send(officer(Post::Approver), CaseAction::Approve {});
    expect_events(
        vec![filed("XK-003", None), accepted(), reviewed_by("p-1")],
        by("p-2", approve),
        vec![approved()],
    )
    .await;
}

mod blacklist;
mod clock;
mod guidance;
mod permit_life;
mod post_issuance;

//! Online guidance: a draft commented on by the bureau's guide, revised, then filed on the
//! same case.

use super::*;
use crate::permit_case::{Draft, MaterialComment};
use crate::values::CaseId;

fn draft() -> Draft {
    Draft {
        item_code: ItemCode::parse("XK-003").unwrap(),
        enterprise_name: "济南恒力化工有限公司".into(),
        address: None,
        product: "复合肥料".into(),
        process: None,
        materials: materials_for("XK-003"),
        questions: vec!["检验报告是否需要加盖骑缝章？".into()],
        contact: contact(),
    }
}

fn requested() -> CaseEvent {
    let catalogue = Catalogue::bundled();
    let item = catalogue.item(&ItemCode::parse("XK-003").unwrap()).unwrap();
    CaseEvent::GuidanceRequested {
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        credit_code: jinan_enterprise(),
        enterprise_name: "济南恒力化工有限公司".into(),
        bureau: BureauCode::parse("370100").unwrap(),
        address: None,
        product: "复合肥料".into(),
        process: None,
        materials: materials_for("XK-003"),
        questions: vec!["检验报告是否需要加盖骑缝章？".into()],
        contact: contact(),
        requested_on: day(TODAY),
    }
}

fn report() -> String {
    materials_for("XK-003")[2].name.clone()
}

fn comment() -> CaseAction {
    CaseAction::CommentMaterials {
        comments: vec![MaterialComment {
            material: report(),
            comment: "检验报告须在有效期内，请更新".into(),
        }],
        reply: Some("需要加盖骑缝章".into()),
    }
}

fn commented() -> CaseEvent {
    CaseEvent::MaterialsCommented {
        round: 1,
        comments: vec![MaterialComment {
            material: report(),
            comment: "检验报告须在有效期内，请更新".into(),
        }],
        reply: Some("需要加盖骑缝章".into()),
        commented_on: day(TODAY),
    }
}

fn guided_application() -> Application {
    Application {
        guidance_id: Some(CaseId::parse("0190f2a4-6c1e-7000-8000-000000000001").unwrap()),
        ..application("XK-003")
    }
}

#[tokio::test]
async fn a_draft_goes_to_the_city_bureau_that_will_handle_it() {
    expect_events(
        vec![],
        send(applicant(), CaseAction::RequestGuidance(draft())),
        vec![requested()],
    )
    .await;
}

#[tokio::test]
async fn a_draft_may_lack_materials_a_filing_needs() {
    let mut incomplete = draft();
    incomplete.materials.truncate(1);
    let mut event = requested();
    if let CaseEvent::GuidanceRequested { materials, .. } = &mut event {
        materials.truncate(1);
    }
    expect_events(
        vec![],
        send(applicant(), CaseAction::RequestGuidance(incomplete)),
        vec![event],
    )
    .await;
}

#[tokio::test]
async fn the_guide_comments_on_the_drafts_materials() {
    expect_events(
        vec![requested()],
        send(officer(Post::Guide), comment()),
        vec![commented()],
    )
    .await;
}

#[tokio::test]
async fn only_the_guide_post_comments() {
    expect_error(
        vec![requested()],
        send(officer(Post::Acceptor), comment()),
        CaseError::WrongPost {
            action: "comment_materials",
            required: "guide",
            actual: "acceptor",
        },
    )
    .await;
}

#[tokio::test]
async fn a_comment_names_a_material_of_the_draft() {
    let stray = CaseAction::CommentMaterials {
        comments: vec![MaterialComment {
            material: "营业执照".into(),
            comment: "请上传".into(),
        }],
        reply: None,
    };
    expect_error(
        vec![requested()],
        send(officer(Post::Guide), stray),
        CaseError::UnknownMaterial("营业执照".into()),
    )
    .await;
}

#[tokio::test]
async fn the_applicant_revises_and_the_next_round_follows() {
    let revised = CaseEvent::DraftRevised {
        round: 1,
        materials: vec![material(&report())],
        questions: vec![],
        revised_on: day(TODAY),
    };
    expect_events(
        vec![requested(), commented()],
        send(
            applicant(),
            CaseAction::ReviseDraft {
                materials: vec![material(&report())],
                questions: vec![],
            },
        ),
        vec![revised.clone()],
    )
    .await;
    let mut second = commented();
    if let CaseEvent::MaterialsCommented { round, .. } = &mut second {
        *round = 2;
    }
    expect_events(
        vec![requested(), commented(), revised],
        send(officer(Post::Guide), comment()),
        vec![second],
    )
    .await;
}

#[tokio::test]
async fn a_guided_draft_is_filed_on_its_own_case() {
    expect_events(
        vec![requested(), commented()],
        send(
            applicant(),
            CaseAction::FileApplication(guided_application()),
        ),
        vec![filed("XK-003", None)],
    )
    .await;
}

#[tokio::test]
async fn a_draft_is_filed_for_the_item_it_was_guided_for() {
    let mut other = guided_application();
    other.item_code = ItemCode::parse("XK-001").unwrap();
    other.materials = materials_for("XK-001");
    expect_error(
        vec![requested()],
        send(applicant(), CaseAction::FileApplication(other)),
        CaseError::GuidanceForAnotherItem("XK-003".into()),
    )
    .await;
}

#[tokio::test]
async fn another_enterprise_cannot_file_on_a_draft() {
    expect_error(
        vec![requested()],
        send(
            applicant_of(credit("91370102MA3C4F5J8")),
            CaseAction::FileApplication(guided_application()),
        ),
        CaseError::GuidanceNotFound,
    )
    .await;
}

#[tokio::test]
async fn a_filing_names_a_draft_that_exists() {
    expect_error(
        vec![],
        send(
            applicant(),
            CaseAction::FileApplication(guided_application()),
        ),
        CaseError::GuidanceNotFound,
    )
    .await;
}

#[tokio::test]
async fn a_filed_case_is_no_longer_guided() {
    expect_error(
        vec![requested(), filed("XK-003", None)],
        send(officer(Post::Guide), comment()),
        CaseError::WrongState {
            action: "comment_materials",
            status: "filed",
        },
    )
    .await;
}

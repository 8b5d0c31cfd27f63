//! Given/when/then: one rule per test.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::draw::draw;
use super::*;
use crate::actor::Post;
use crate::services::CaseServices;

type PlanTest = TestFramework<InspectionPlan>;

const TODAY: &str = "2026-11-02";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn bureau(code: &str) -> BureauCode {
    BureauCode::parse(code).unwrap()
}

fn officer(at: &str, post: Post) -> Actor {
    Actor::Officer {
        subject: "o".into(),
        bureau: bureau(at),
        post,
    }
}

fn member(n: u32, conflicts: Vec<u32>) -> PopulationMember {
    PopulationMember {
        permit_number: PermitNumber::parse(&format!("XK-003-370100-2026-{n:05}")).unwrap(),
        enterprise_name: format!("济南第{n}化工有限公司"),
        credit_code: CreditCode::with_check_character("91370102MA3C4F5G6").unwrap(),
        item_code: ItemCode::parse("XK-003").unwrap(),
        bureau: bureau("370100"),
        conflicts,
    }
}

fn roster(n: usize) -> Vec<RosterEntry> {
    (0..n)
        .map(|i| RosterEntry {
            inspector: format!("inspector-{i}"),
            bureau: bureau("370100"),
        })
        .collect()
}

fn create_by(actor: Actor, area: &str) -> InspectionCommand {
    InspectionCommand {
        actor,
        today: day(TODAY),
        action: InspectionAction::Create {
            plan_id: "plan-1".into(),
            name: "2026年第四季度化肥生产许可双随机抽查".into(),
            area: bureau(area),
            items: vec![ItemCode::parse("XK-003").unwrap()],
            sample: Sample::Size(2),
            roster: roster(3),
            population: vec![member(3, vec![]), member(1, vec![0]), member(2, vec![])],
        },
    }
}

fn create() -> InspectionCommand {
    create_by(officer("370100", Post::Approver), "370100")
}

fn with_action(edit: impl FnOnce(&mut InspectionAction)) -> InspectionCommand {
    let mut command = create();
    edit(&mut command.action);
    command
}

fn created() -> InspectionEvent {
    InspectionPlan::default()
        .decide(create(), &CaseServices::bundled())
        .unwrap()
}

fn draw_with(seed: [u8; 32], checkpoint_size: u64) -> InspectionCommand {
    InspectionCommand {
        actor: Actor::System,
        today: day("2026-11-03"),
        action: InspectionAction::Draw {
            seed,
            checkpoint_size,
            plan_position: 10,
        },
    }
}

fn drawn() -> InspectionEvent {
    let mut plan = InspectionPlan::default();
    plan.apply(created());
    plan.decide(draw_with([9; 32], 12), &CaseServices::bundled())
        .unwrap()
}

async fn refused(given: Vec<InspectionEvent>, command: InspectionCommand, error: InspectionError) {
    PlanTest::with(CaseServices::bundled())
        .given(given)
        .when_async(command)
        .await
        .then_expect_error(error);
}

#[test]
fn a_plan_fixes_its_population_in_permit_number_order_with_its_digest() {
    let InspectionEvent::PlanCreated {
        population,
        population_digest: digest,
        sample_size,
        ..
    } = created()
    else {
        panic!("a plan is created");
    };
    let numbers: Vec<&str> = population
        .iter()
        .map(|m| m.permit_number.as_str())
        .collect();
    assert_eq!(
        numbers,
        [
            "XK-003-370100-2026-00001",
            "XK-003-370100-2026-00002",
            "XK-003-370100-2026-00003"
        ]
    );
    let text = "XK-003-370100-2026-00001\nXK-003-370100-2026-00002\nXK-003-370100-2026-00003\n";
    assert_eq!(digest, hex::encode(Sha256::digest(text.as_bytes())));
    assert_eq!(sample_size, 2);
}

#[tokio::test]
async fn a_city_approver_plans_for_its_own_city_only() {
    refused(
        vec![],
        create_by(officer("370100", Post::Approver), "370200"),
        InspectionError::OwnAreaOnly {
            bureau: "370100".into(),
            area: "370200".into(),
        },
    )
    .await;
    refused(
        vec![],
        create_by(officer("370100", Post::Reviewer), "370100"),
        InspectionError::ApproverOnly,
    )
    .await;
}

#[test]
fn a_provincial_approver_plans_for_the_province_or_any_city() {
    for area in ["370000", "370100"] {
        let command = create_by(officer("370000", Post::Approver), area);
        assert!(InspectionPlan::default()
            .decide(command, &CaseServices::bundled())
            .is_ok());
    }
}

#[tokio::test]
async fn a_plan_needs_items_a_roster_of_two_in_its_area_and_a_sample_within_the_population() {
    let cases = [
        (
            with_action(|a| {
                if let InspectionAction::Create { items, .. } = a {
                    items.clear()
                }
            }),
            InspectionError::Required { field: "items" },
        ),
        (
            with_action(|a| {
                if let InspectionAction::Create { roster: r, .. } = a {
                    *r = roster(1)
                }
            }),
            InspectionError::RosterTooSmall,
        ),
        (
            with_action(|a| {
                if let InspectionAction::Create { roster: r, .. } = a {
                    r[1].bureau = bureau("370200")
                }
            }),
            InspectionError::InspectorOutsideArea("370200".into()),
        ),
        (
            with_action(|a| {
                if let InspectionAction::Create { sample, .. } = a {
                    *sample = Sample::Size(4)
                }
            }),
            InspectionError::SampleOutOfRange {
                asked: "4".into(),
                population: 3,
            },
        ),
        (
            with_action(|a| {
                if let InspectionAction::Create { population, .. } = a {
                    population.clear()
                }
            }),
            InspectionError::EmptyPopulation,
        ),
        (
            with_action(|a| {
                if let InspectionAction::Create { population, .. } = a {
                    population[0].conflicts = vec![0, 1]
                }
            }),
            InspectionError::TooFewInspectorsWithoutConflict("XK-003-370100-2026-00003".into()),
        ),
    ];
    for (command, error) in cases {
        refused(vec![], command, error).await;
    }
}

#[test]
fn a_percentage_sample_rounds_up() {
    let command = with_action(|a| {
        if let InspectionAction::Create { sample, .. } = a {
            *sample = Sample::Percent(34)
        }
    });
    let event = InspectionPlan::default()
        .decide(command, &CaseServices::bundled())
        .unwrap();
    assert!(matches!(
        event,
        InspectionEvent::PlanCreated { sample_size: 2, .. }
    ));
}

#[test]
fn the_draw_is_the_algorithm_on_the_seed_and_never_gives_a_conflicted_inspector() {
    let InspectionEvent::PlanDrawn {
        seed,
        checkpoint_size,
        targets,
        ..
    } = drawn()
    else {
        panic!("a plan is drawn");
    };
    assert_eq!(seed, hex::encode([9u8; 32]));
    assert_eq!(checkpoint_size, 12);
    let conflicts = vec![vec![0], vec![], vec![]];
    let expected = draw([9; 32], "plan-1", 2, 3, &conflicts);
    let numbers = ["00001", "00002", "00003"];
    assert_eq!(targets.len(), 2);
    for (target, (index, inspectors)) in targets.iter().zip(expected) {
        assert!(target.permit_number.as_str().ends_with(numbers[index]));
        assert_eq!(target.inspectors, inspectors);
        if index == 0 {
            assert!(!target.inspectors.contains(&0), "inspector 0 handled it");
        }
    }
}

#[tokio::test]
async fn a_plan_is_drawn_once_by_the_ledger_with_a_checkpoint_that_includes_it() {
    refused(
        vec![created()],
        draw_with([1; 32], 9),
        InspectionError::CheckpointBeforePlan {
            checkpoint_size: 9,
            plan_position: 10,
        },
    )
    .await;
    refused(
        vec![created(), drawn()],
        draw_with([1; 32], 12),
        InspectionError::AlreadyDrawn,
    )
    .await;
    let mut by_officer = draw_with([1; 32], 12);
    by_officer.actor = officer("370100", Post::Approver);
    refused(vec![created()], by_officer, InspectionError::SystemOnly).await;
}

fn result_by(inspector: &str, permit: &str) -> InspectionCommand {
    InspectionCommand {
        actor: officer("370100", Post::Inspector),
        today: day("2026-11-10"),
        action: InspectionAction::RecordResult {
            permit_number: PermitNumber::parse(permit).unwrap(),
            result: InspectionResult::Rectify,
            findings: "标签标识不规范".into(),
            inspector: inspector.into(),
        },
    }
}

#[tokio::test]
async fn only_a_drawn_inspector_records_a_targets_result_once() {
    let InspectionEvent::PlanDrawn { targets, .. } = drawn() else {
        panic!("drawn")
    };
    let target = &targets[0];
    let permit = target.permit_number.as_str();
    let assigned = format!("inspector-{}", target.inspectors[0]);
    let other = (0..3u32)
        .find(|i| !target.inspectors.contains(i))
        .map(|i| format!("inspector-{i}"))
        .unwrap();
    refused(
        vec![created()],
        result_by(&assigned, permit),
        InspectionError::NotDrawn,
    )
    .await;
    refused(
        vec![created(), drawn()],
        result_by(&other, permit),
        InspectionError::NotAssigned(permit.into()),
    )
    .await;
    let untargeted = ["00001", "00002", "00003"]
        .iter()
        .map(|n| format!("XK-003-370100-2026-{n}"))
        .find(|p| targets.iter().all(|t| t.permit_number.as_str() != p))
        .unwrap();
    refused(
        vec![created(), drawn()],
        result_by(&assigned, &untargeted),
        InspectionError::NotATarget(untargeted.clone()),
    )
    .await;
    let recorded = InspectionEvent::InspectionResultRecorded {
        permit_number: target.permit_number.clone(),
        credit_code: CreditCode::with_check_character("91370102MA3C4F5G6").unwrap(),
        result: InspectionResult::Rectify,
        findings: "标签标识不规范".into(),
        inspector: target.inspectors[0],
        recorded_on: day("2026-11-10"),
    };
    PlanTest::with(CaseServices::bundled())
        .given(vec![created(), drawn()])
        .when_async(result_by(&assigned, permit))
        .await
        .then_expect_events(vec![recorded.clone()]);
    refused(
        vec![created(), drawn(), recorded],
        result_by(&assigned, permit),
        InspectionError::ResultRecorded(permit.into()),
    )
    .await;
}

use sha2::{Digest, Sha256};

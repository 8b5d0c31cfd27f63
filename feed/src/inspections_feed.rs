//! Inspection plans as feeds: one item when a plan is made, one when it is drawn, one per
//! result, newest first, in RSS 2.0 and JSON Feed 1.1.

use domain::inspection::InspectionResult;
use projections::inspections::PlanDocument;
use serde_json::json;

use crate::entry_feed::{Entry, FeedHead};
use crate::site::Site;

const TITLE: &str = "双随机抽查 Random inspections";
const DESCRIPTION: &str =
    "抽查计划、抽取结果与检查结果 Inspection plans, their draws and their results";

pub fn result_label(result: InspectionResult) -> &'static str {
    match result {
        InspectionResult::Pass => "合格 pass",
        InspectionResult::Rectify => "责令整改 rectify",
        InspectionResult::Fail => "不合格 fail",
    }
}

/// Every change of `plans` (a plan made, drawn, a result) as a feed entry, newest first.
pub fn entries<P: AsRef<PlanDocument>>(site: &Site, plans: &[P]) -> Vec<Entry> {
    let mut changes = Vec::new();
    for plan in plans.iter().map(AsRef::as_ref) {
        let url = site.url(&format!("/inspections/{}.json", plan.plan_id));
        let enterprise = |permit: &str| {
            plan.population
                .permits
                .iter()
                .find(|m| m.permit_number.as_str() == permit)
                .map_or_else(String::new, |m| m.enterprise_name.clone())
        };
        changes.push(Entry {
            id: format!("urn:permit-ledger:inspection:{}", plan.position),
            position: plan.position,
            recorded_at: plan.created_at.clone(),
            title: format!("抽查计划 Plan: {}", plan.name),
            text: format!(
                "抽查区域 Area: {} ({})\n抽查事项 Items: {}\n抽查对象 Population: {} 张许可证 permits, SHA-256 {}\n抽取数量 Sample: {}\n执法人员 Inspectors: {}",
                plan.area_name,
                plan.area,
                plan.items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                plan.population.permits.len(),
                plan.population.digest,
                plan.sample_size,
                plan.roster.len()
            ),
            url: url.clone(),
            tags: vec!["plan".to_owned(), plan.area.to_string()],
            extension: json!({"plan_id": plan.plan_id, "position": plan.position}),
        });
        if let Some(draw) = &plan.draw {
            let targets: Vec<String> = draw
                .targets
                .iter()
                .map(|t| {
                    format!(
                        "{} {} — 检查人员 inspectors {} {}",
                        t.permit_number,
                        enterprise(t.permit_number.as_str()),
                        t.inspectors[0],
                        t.inspectors[1]
                    )
                })
                .collect();
            changes.push(Entry {
                id: format!("urn:permit-ledger:inspection:{}", draw.position),
                position: draw.position,
                recorded_at: draw.drawn_at.clone(),
                title: format!("抽取结果 Drawn: {}", plan.name),
                text: format!(
                    "随机种子 Seed: {} (检查点 checkpoint {})\n{}",
                    draw.seed,
                    site.checkpoint_url(draw.checkpoint.size as i64),
                    targets.join("\n")
                ),
                url: url.clone(),
                tags: vec!["draw".to_owned(), plan.area.to_string()],
                extension: json!({"plan_id": plan.plan_id, "position": draw.position,
                    "seed": draw.seed, "checkpoint_size": draw.checkpoint.size}),
            });
        }
        for result in &plan.results {
            changes.push(Entry {
                id: format!("urn:permit-ledger:inspection:{}", result.position),
                position: result.position,
                recorded_at: result.recorded_at.clone(),
                title: format!(
                    "检查结果 Result: {} {} — {}",
                    enterprise(result.permit_number.as_str()),
                    result.permit_number,
                    result_label(result.result)
                ),
                text: format!(
                    "抽查计划 Plan: {}\n许可证编号 Permit: {}\n检查结果 Result: {}\n检查日期 Inspected on: {}",
                    plan.name,
                    result.permit_number,
                    result_label(result.result),
                    result.recorded_on
                ),
                url: url.clone(),
                tags: vec![result.result.as_str().to_owned(), plan.area.to_string()],
                extension: json!({"plan_id": plan.plan_id, "position": result.position,
                    "permit_number": result.permit_number, "result": result.result}),
            });
        }
    }
    changes.sort_by_key(|c| std::cmp::Reverse(c.position));
    changes
}

/// What the inspections' feeds are, at `self_url`.
pub fn head<'a>(site: &Site, self_url: &'a str) -> FeedHead<'a> {
    FeedHead {
        title: format!("{}：{TITLE}", site.publisher),
        description: DESCRIPTION,
        home: "/inspections.json",
        self_url,
    }
}

//! Inspection plans as feeds: one item when a plan is made, one when it is drawn, one per
//! result, newest first, in RSS 2.0 and JSON Feed 1.1.

use chrono::{DateTime, Utc};
use domain::inspection::InspectionResult;
use projections::inspections::PlanDocument;
use rss::{Guid, Item};
use serde_json::json;

use crate::notice_text::timestamp;
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

/// One item of the feed: a plan made, drawn, or a result.
pub struct Change {
    pub id: String,
    pub position: i64,
    pub recorded_at: String,
    pub title: String,
    pub text: String,
    pub url: String,
}

/// Every change of `plans`, newest first.
pub fn changes(site: &Site, plans: &[PlanDocument]) -> Vec<Change> {
    let mut changes = Vec::new();
    for plan in plans {
        let url = site.url(&format!("/inspections/{}.json", plan.plan_id));
        let enterprise = |permit: &str| {
            plan.population
                .permits
                .iter()
                .find(|m| m.permit_number.as_str() == permit)
                .map_or_else(String::new, |m| m.enterprise_name.clone())
        };
        changes.push(Change {
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
            changes.push(Change {
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
            });
        }
        for result in &plan.results {
            changes.push(Change {
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
            });
        }
    }
    changes.sort_by_key(|c| std::cmp::Reverse(c.position));
    changes
}

pub fn rss(
    site: &Site,
    self_url: &str,
    changes: &[Change],
    updated: Option<DateTime<Utc>>,
) -> String {
    let mut channel = crate::rss_feed::channel(
        site,
        format!("{}：{TITLE}", site.publisher),
        DESCRIPTION.to_owned(),
        self_url,
        updated,
    );
    channel.link = site.url("/inspections.json");
    channel.items = changes
        .iter()
        .map(|change| Item {
            title: Some(change.title.clone()),
            link: Some(change.url.clone()),
            description: Some(html_escape::encode_text(&change.text).replace('\n', "<br/>")),
            guid: Some(Guid {
                value: change.id.clone(),
                permalink: false,
            }),
            pub_date: Some(timestamp(&change.recorded_at).to_rfc2822()),
            ..Default::default()
        })
        .collect();
    channel.to_string()
}

pub fn json(site: &Site, feed_url: &str, changes: &[Change]) -> String {
    let items: Vec<_> = changes
        .iter()
        .map(|change| {
            json!({
                "id": change.id,
                "url": change.url,
                "title": change.title,
                "content_text": change.text,
                "date_published": timestamp(&change.recorded_at)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "_permit_ledger": {"position": change.position},
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("{}：{TITLE}", site.publisher),
        "home_page_url": site.url("/inspections.json"),
        "feed_url": feed_url,
        "description": DESCRIPTION,
        "language": "zh-CN",
        "items": items,
    });
    serde_json::to_string_pretty(&feed).expect("a feed always serialises")
}

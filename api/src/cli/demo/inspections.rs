//! The demo's "double random, one public": two thirds into the month, one inspection plan in
//! every other city bureau (its items: every item filed on; a fifth of its permits in force);
//! each morning the ledger draws what it can, and the drawn inspectors record a few results.

use std::collections::HashMap;

use domain::inspection::{InspectionError, InspectionResult, Sample};
use domain::values::BureauCode;
use domain::{Actor, Post};
use rand::Rng;

use super::{officer_of, Demo, CITIES};
use crate::ledger::{LedgerError, PlanRequest, RosterMember};

/// What the demo did with random inspections.
#[derive(Debug, Default)]
pub(super) struct InspectionActions {
    pub plans: usize,
    pub drawn: usize,
    pub results: usize,
    /// Each plan's roster, by token subject, in roster order.
    rosters: HashMap<String, Vec<Actor>>,
}

impl Demo {
    /// On the first working day two thirds into the month: one plan in every other city.
    pub(super) async fn plan_inspections(&mut self, day: u32, days: u32) -> anyhow::Result<()> {
        if !self.inspection_actions.rosters.is_empty() || day < days * 2 / 3 {
            return Ok(());
        }
        let items: Vec<_> = self
            .ledger
            .services()
            .catalogue
            .items()
            .filter(|item| item.handled_by.is_none())
            .map(|item| item.code.clone())
            .collect();
        for (district, city, _) in CITIES.iter().step_by(2) {
            let bureau = BureauCode::parse(&format!("{}00", &district[..4]))?;
            // The bureau's inspector who made its checks after issuance (a conflict for
            // those permits), and three more.
            let mut roster = vec![officer_of(&bureau, Post::Inspector)];
            roster.extend((1..=3).map(|n| Actor::Officer {
                subject: format!("inspector-{bureau}-{n}"),
                bureau: bureau.clone(),
                post: Post::Inspector,
            }));
            let request = PlanRequest {
                name: format!("{}市工业产品生产许可证获证企业双随机抽查", city),
                area: None,
                items: items.clone(),
                sample: Sample::Percent(20),
                roster: roster
                    .iter()
                    .map(|actor| RosterMember {
                        subject: actor.subject().to_owned(),
                        bureau: bureau.clone(),
                    })
                    .collect(),
            };
            let plan_id = self.ledger.new_case_id().to_string();
            let request_id = self.tick();
            let approver = officer_of(&bureau, Post::Approver);
            match self
                .ledger
                .create_inspection_plan(plan_id.clone(), &approver, request, request_id.into())
                .await
            {
                Ok(_) => {
                    self.inspection_actions.plans += 1;
                    self.inspection_actions.rosters.insert(plan_id, roster);
                }
                // Nothing in force to inspect there yet.
                Err(LedgerError::InspectionRefused(InspectionError::EmptyPopulation)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// Draws the plans whose seed exists; in each drawn plan, up to two targets more get
    /// their result from their first inspector.
    pub(super) async fn inspect(&mut self) -> anyhow::Result<()> {
        self.inspection_actions.drawn += self.ledger.draw_due_plans().await?;
        for plan in self.ledger.plan_documents().await? {
            let (Some(draw), Some(roster)) = (
                &plan.draw,
                self.inspection_actions.rosters.get(&plan.plan_id).cloned(),
            ) else {
                continue;
            };
            let open: Vec<_> = draw
                .targets
                .iter()
                .filter(|t| {
                    plan.results
                        .iter()
                        .all(|r| r.permit_number != t.permit_number)
                })
                .take(2)
                .cloned()
                .collect();
            for target in open {
                let roll: f64 = self.rng.gen();
                let (result, findings) = if roll < 0.7 {
                    (InspectionResult::Pass, "生产条件与许可条件一致，未发现问题")
                } else if roll < 0.9 {
                    (
                        InspectionResult::Rectify,
                        "产品标签标识不规范，责令限期整改",
                    )
                } else {
                    (
                        InspectionResult::Fail,
                        "关键生产设备已拆除，不再具备许可条件",
                    )
                };
                let inspector = &roster[target.inspectors[0] as usize];
                let request_id = self.tick();
                self.ledger
                    .record_inspection_result(
                        &plan.plan_id,
                        inspector,
                        target.permit_number.clone(),
                        result,
                        findings.into(),
                        request_id.into(),
                    )
                    .await?;
                self.inspection_actions.results += 1;
            }
        }
        Ok(())
    }
}

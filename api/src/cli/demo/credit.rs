//! The demo's credit supervision: enterprises listed for false commitments (by the checks
//! and revocations of the permits' lives), one of them filing again without a commitment,
//! for a full review, and the oldest listing removed by credit repair on the last day.

use domain::permit_case::{Application, CheckResult, Contact};
use domain::values::BureauCode;
use domain::{Actor, CaseAction, Post};

use super::{officer_of, Demo};

/// What the demo did to the list of seriously untrustworthy entities.
#[derive(Debug, Default)]
pub(super) struct CreditActions {
    /// Filings by a listed enterprise (without a commitment, for a full review).
    pub listed_filings: usize,
    pub removals: usize,
}

impl Demo {
    /// The first listed enterprise files again, this time without a commitment: the case is
    /// marked for a full review. Once in a demo.
    pub(super) async fn refile_when_listed(&mut self) -> anyhow::Result<()> {
        if self.credit_actions.listed_filings > 0 {
            return Ok(());
        }
        let list = self.ledger.blacklist().await?;
        let today = self.ledger.today();
        let Some(entry) = list.in_force_on(today).last().map(|e| (*e).clone()) else {
            return Ok(());
        };
        let item = self
            .ledger
            .services()
            .catalogue
            .items()
            .find(|item| item.commitment_eligible && item.handled_by.is_none())
            .cloned()
            .expect("the catalogue has items issued on a commitment");
        let application = Application {
            item_code: item.code.clone(),
            enterprise_name: entry.enterprise_name.clone(),
            address: None,
            product: format!("{}（整改后重新申请）", item.name.trim_end_matches("核发")),
            process: None,
            materials: self.materials_for(&item, &entry.enterprise_name),
            commitment: None,
            contact: Contact {
                person: "赵经理".into(),
                phone: "13905310000".into(),
            },
            guidance_id: None,
        };
        let actor = Actor::Applicant {
            subject: entry.enterprise_name.clone(),
            credit_code: entry.credit_code.clone(),
        };
        let request_id = self.tick();
        let view = self
            .ledger
            .file(actor, application, request_id.into())
            .await?;
        self.cases.push(view.case_id.clone());
        self.credit_actions.listed_filings += 1;
        Ok(())
    }

    /// On the last day, whatever the dice gave: a check of every result (one to rectify, one
    /// false commitment) among the checks still due, and more false commitments until two
    /// enterprises are listed, so that the list shows one listing removed and one in force.
    pub(super) async fn check_every_result(&mut self) -> anyhow::Result<()> {
        for case_id in self.cases.clone() {
            let today = self.ledger.today();
            let listed = self.ledger.blacklist().await?.in_force_on(today).len();
            let result = if self.permit_actions.rectifications == 0 {
                CheckResult::Rectify
            } else if self.permit_actions.false_commitments == 0 || listed < 2 {
                CheckResult::FalseCommitment
            } else {
                break;
            };
            let Some(view) = self.ledger.case(&case_id).await? else {
                continue;
            };
            if view.check_due().is_none() || view.permit_in_force_until().is_none() {
                continue;
            }
            let (findings, rectify_by) = match result {
                CheckResult::Rectify => (
                    "原料仓库管理记录不完整，限期整改",
                    Some(today + chrono::Duration::days(14)),
                ),
                _ => ("现场核查发现实际生产条件与告知承诺内容不符", None),
            };
            let check = CaseAction::RecordPostIssuanceCheck {
                result,
                findings: findings.into(),
                rectify_by,
            };
            self.send(&view, officer_of(&view.bureau, Post::Inspector), check)
                .await?;
            self.permit_actions.checks += 1;
            match result {
                CheckResult::Rectify => self.permit_actions.rectifications += 1,
                _ => self.permit_actions.false_commitments += 1,
            }
        }
        Ok(())
    }

    /// On the last day, a provincial approver removes the oldest listing in force, by credit
    /// repair.
    pub(super) async fn repair_credit(&mut self) -> anyhow::Result<()> {
        let list = self.ledger.blacklist().await?;
        let Some(oldest) = list
            .in_force_on(self.ledger.today())
            .last()
            .map(|e| (*e).clone())
        else {
            return Ok(());
        };
        let province = BureauCode::parse("370000").expect("the provincial bureau's code");
        let request_id = self.tick();
        self.ledger
            .remove_from_blacklist(
                &officer_of(&province, Post::Approver),
                &oldest.credit_code,
                "企业已完成整改并通过信用修复审核，提前移出名单".into(),
                request_id.into(),
            )
            .await?;
        self.credit_actions.removals += 1;
        Ok(())
    }
}

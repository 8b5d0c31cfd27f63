//! The demo's credit supervision: enterprises listed for false commitments (by the checks
//! and revocations of the permits' lives), one of them filing again without a commitment,
//! for a full review, and the oldest listing removed by credit repair on the last day.

use domain::permit_case::{Application, Contact};
use domain::values::BureauCode;
use domain::{Actor, Post};

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

//! The demo's permits after issuance: some permits issued a year before the month (a year's
//! verification of measuring instruments), which run out during it, renewed or left to
//! expire; names and addresses changed by declaration; permits cancelled; permits issued on
//! a commitment checked after issuance (some to be rectified, a few false).

use chrono::{DateTime, Duration, Utc};
use domain::catalogue::Item;
use domain::permit_case::{AmendableField, CheckResult};
use domain::values::{CaseId, ItemCode};
use domain::{Actor, CaseAction, CaseStatus, Post};
use rand::Rng;

use super::{officer_of, Demo, CITIES};

/// The item of the permits issued a year before the month: valid one year.
const YEARLY_ITEM: &str = "GF-002";

/// Permits issued a year before the month, one every `YEARLY_SPACING_DAYS` days.
const YEARLY_PERMITS: i64 = 10;
const YEARLY_SPACING_DAYS: i64 = 3;

/// What the demo did to permits after their issuance.
#[derive(Debug, Default)]
pub(super) struct PermitActions {
    pub amendments: usize,
    pub renewals: usize,
    pub cancellations: usize,
    pub expiries: usize,
    /// Checks after issuance recorded, and of those, false commitments found.
    pub checks: usize,
    pub rectifications: usize,
    pub false_commitments: usize,
}

impl Demo {
    /// A year before the month starting at `start`, issues and delivers the yearly permits,
    /// one every few days: they run out across the month.
    pub(super) async fn issue_yearly_permits(
        &mut self,
        start: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let item: Item = ItemCode::parse(YEARLY_ITEM)
            .ok()
            .and_then(|code| self.ledger.services().catalogue.item(&code).cloned())
            .ok_or_else(|| anyhow::anyhow!("the catalogue has no {YEARLY_ITEM}"))?;
        let year_before = start - Duration::days(365);
        for n in 0..YEARLY_PERMITS {
            self.clock
                .set(year_before + Duration::days(n * YEARLY_SPACING_DAYS));
            self.ledger.publish_due_days().await?;
            let city = n as usize % CITIES.len();
            let case_id = self.file_in(city, item.clone()).await?;
            self.yearly.push(case_id.clone());
            let steps = [
                (Post::Acceptor, CaseAction::Accept {}),
                (
                    Post::Reviewer,
                    CaseAction::RecordReview {
                        findings: "计量器具检定合格".into(),
                        recommendation: domain::permit_case::Recommendation::Approve,
                    },
                ),
                (Post::Approver, CaseAction::Approve {}),
            ];
            for (post, action) in steps {
                let view = self.view(&case_id).await?;
                self.send(&view, officer_of(&view.bureau, post), action)
                    .await?;
            }
            let view = self.view(&case_id).await?;
            let request_id = self.tick();
            self.ledger
                .issue_permit(
                    case_id.clone(),
                    officer_of(&view.bureau, Post::Approver),
                    "强制检定计量器具".into(),
                    None,
                    request_id.into(),
                )
                .await?;
            let view = self.view(&case_id).await?;
            let dispatch = CaseAction::DispatchCertificate {
                courier: "中国邮政EMS".into(),
                tracking_number: format!("11{:011}", self.rng.gen_range(0..99_999_999_999u64)),
            };
            self.send(&view, officer_of(&view.bureau, Post::Dispatcher), dispatch)
                .await?;
            self.clock.advance(Duration::days(1));
            let view = self.view(&case_id).await?;
            let applicant = Actor::Applicant {
                subject: view.enterprise_name.clone(),
                credit_code: view.credit_code.clone(),
            };
            self.send(&view, applicant, CaseAction::ConfirmDelivery {})
                .await?;
        }
        Ok(())
    }

    /// Today's turn of the permits in force: the ledger records the expiries due (as a
    /// server's background task does); every other yearly permit is renewed (requested some
    /// weeks before it runs out, accepted and approved on the next turns); now and then an
    /// enterprise declares a new name or address, or cancels its permit.
    pub(super) async fn advance_permits(&mut self) -> anyhow::Result<()> {
        self.permit_actions.expiries += self.ledger.expire_due_permits().await?;
        let today = self.ledger.today();
        for case_id in self.cases.clone() {
            let view = self.view(&case_id).await?;
            let Some(until) = view.permit_in_force_until() else {
                continue;
            };
            let applicant = Actor::Applicant {
                subject: view.enterprise_name.clone(),
                credit_code: view.credit_code.clone(),
            };
            let approver = officer_of(&view.bureau, Post::Approver);
            let renews = self
                .yearly
                .iter()
                .position(|c| c == &case_id)
                .is_some_and(|n| n % 2 == 0);
            let life = &view.permit_life;
            let roll: f64 = self.rng.gen();
            let (actor, action) = match &life.pending_renewal {
                Some(renewal) if renewal.accepted_on.is_none() => (
                    officer_of(&view.bureau, Post::Acceptor),
                    CaseAction::AcceptRenewal {},
                ),
                Some(_) => {
                    self.permit_actions.renewals += 1;
                    (approver, CaseAction::ApproveRenewal {})
                }
                None if view
                    .check_due()
                    .is_some_and(|due| due - today <= Duration::days(7)) =>
                {
                    self.permit_actions.checks += 1;
                    let (result, rectify_by) = if roll < 0.08 {
                        self.permit_actions.false_commitments += 1;
                        (CheckResult::FalseCommitment, None)
                    } else if roll < 0.3 && view.permit_life.checks.is_empty() {
                        self.permit_actions.rectifications += 1;
                        (CheckResult::Rectify, Some(today + Duration::days(14)))
                    } else {
                        (CheckResult::Conforms, None)
                    };
                    (
                        officer_of(&view.bureau, Post::Inspector),
                        CaseAction::RecordPostIssuanceCheck {
                            result,
                            findings: "现场核查生产条件与告知承诺内容".into(),
                            rectify_by,
                        },
                    )
                }
                None if renews
                    && life.renewals.is_empty()
                    && until - today <= Duration::days(20) =>
                {
                    (applicant, CaseAction::RequestRenewal {})
                }
                None if life.pending_amendment.is_some() => {
                    self.permit_actions.amendments += 1;
                    (approver, CaseAction::ApproveAmendment {})
                }
                None if view.status != CaseStatus::Delivered => continue,
                None if roll < 0.02 => {
                    let (field, new_value) = if roll < 0.01 {
                        let name = view.enterprise_name.trim_end_matches("有限公司");
                        (
                            AmendableField::EnterpriseName,
                            format!("{name}集团有限公司"),
                        )
                    } else {
                        let city = CITIES
                            .iter()
                            .find(|(district, _, _)| district[..4] == view.bureau.as_str()[..4])
                            .map_or("", |(_, city, _)| city);
                        let number = self.rng.gen_range(1..300);
                        (
                            AmendableField::Address,
                            format!("{city}市高新区创新路{number}号"),
                        )
                    };
                    (
                        applicant,
                        CaseAction::RequestAmendment {
                            field,
                            new_value,
                            declaration: "本企业承诺变更事项真实，与营业执照登记信息一致".into(),
                        },
                    )
                }
                None if roll < 0.025 => {
                    self.permit_actions.cancellations += 1;
                    (
                        applicant,
                        CaseAction::CancelPermit {
                            reason: "企业停止该产品生产，申请注销许可证".into(),
                        },
                    )
                }
                None => continue,
            };
            self.send(&view, actor, action).await?;
        }
        Ok(())
    }

    /// On the last day, if no enterprise happened to cancel a permit in the month, the first
    /// delivered permit is cancelled at its enterprise's request: the demo shows every kind
    /// of notice whatever the dice gave.
    pub(super) async fn cancel_one_if_none(&mut self) -> anyhow::Result<()> {
        if self.permit_actions.cancellations > 0 {
            return Ok(());
        }
        for case_id in self.cases.clone() {
            let view = self.view(&case_id).await?;
            if view.status != CaseStatus::Delivered || view.permit_in_force_until().is_none() {
                continue;
            }
            let applicant = Actor::Applicant {
                subject: view.enterprise_name.clone(),
                credit_code: view.credit_code.clone(),
            };
            let cancellation = CaseAction::CancelPermit {
                reason: "企业停止该产品生产，申请注销许可证".into(),
            };
            self.send(&view, applicant, cancellation).await?;
            self.permit_actions.cancellations += 1;
            return Ok(());
        }
        Ok(())
    }

    async fn view(&self, case_id: &CaseId) -> anyhow::Result<projections::CaseView> {
        self.ledger
            .case(case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("case {case_id} is in the log"))
    }
}

//! The demo's cases moving through their lifecycle, one step a day: accepted or sent back
//! for correction, reviewed, decided, issued, dispatched, delivered, now and then revoked.

use rand::Rng;

use domain::permit_case::{Material, Recommendation};
use domain::{Actor, CaseAction, CaseStatus, Post};

use super::time::ClockStep;
use super::{digest_of, officer_of, Demo};

impl Demo {
    pub(super) async fn advance_open_cases(&mut self) -> anyhow::Result<()> {
        for case_id in self.cases.clone() {
            let Some(view) = self.ledger.case(&case_id).await? else {
                continue;
            };
            if !self.rng.gen_bool(0.55) {
                continue;
            }
            let applicant = Actor::Applicant {
                subject: view.enterprise_name.clone(),
                credit_code: view.credit_code.clone(),
            };
            let officer = |post| officer_of(&view.bureau, post);
            let roll: f64 = self.rng.gen();
            let (actor, action) = match self.clock_step(&view, roll) {
                ClockStep::Act(actor, action) => (actor, action),
                ClockStep::Wait => continue,
                ClockStep::Carry if self.is_held_up(&view) => continue,
                ClockStep::Carry => match view.status {
                    CaseStatus::Filed if roll < 0.15 => (
                        officer(Post::Acceptor),
                        CaseAction::RequestCorrection {
                            corrections: vec!["产品检验报告超过有效期，请重新上传".into()],
                            reason: "申请材料不齐全".into(),
                        },
                    ),
                    CaseStatus::Filed if roll < 0.20 => (
                        officer(Post::Acceptor),
                        CaseAction::RefuseToAccept {
                            reason: "申请事项不属于本机关职权范围".into(),
                        },
                    ),
                    CaseStatus::Filed => (officer(Post::Acceptor), CaseAction::Accept {}),
                    CaseStatus::CorrectionRequested => (
                        applicant,
                        CaseAction::ResubmitMaterials {
                            materials: vec![Material {
                                name: view.materials[0].name.clone(),
                                digest: digest_of(&format!("{case_id}/corrected")),
                            }],
                        },
                    ),
                    CaseStatus::Accepted if roll < 0.04 => (
                        applicant,
                        CaseAction::Withdraw {
                            reason: "企业调整生产计划，撤回申请".into(),
                        },
                    ),
                    CaseStatus::Accepted if view.commitment.is_some() => {
                        (officer(Post::Approver), CaseAction::Approve {})
                    }
                    CaseStatus::Accepted => (
                        officer(Post::Reviewer),
                        CaseAction::RecordReview {
                            findings: "材料审查及现场核查符合要求".into(),
                            recommendation: if roll < 0.9 {
                                Recommendation::Approve
                            } else {
                                Recommendation::Deny
                            },
                        },
                    ),
                    CaseStatus::Reviewed
                        if view.review.as_ref().map(|r| r.recommendation)
                            == Some(Recommendation::Deny) =>
                    {
                        (
                            officer(Post::Approver),
                            CaseAction::Deny {
                                reason: "现场核查发现生产条件不符合实施细则要求".into(),
                            },
                        )
                    }
                    CaseStatus::Reviewed => (officer(Post::Approver), CaseAction::Approve {}),
                    CaseStatus::Approved => {
                        let request_id = self.tick();
                        let scope = view.product.clone();
                        self.ledger
                            .issue_permit(
                                case_id.clone(),
                                officer(Post::Approver),
                                scope,
                                None,
                                request_id.into(),
                            )
                            .await?;
                        continue;
                    }
                    CaseStatus::Issued => (
                        officer(Post::Dispatcher),
                        CaseAction::DispatchCertificate {
                            courier: "中国邮政EMS".into(),
                            tracking_number: format!(
                                "11{:011}",
                                self.rng.gen_range(0..99_999_999_999u64)
                            ),
                        },
                    ),
                    CaseStatus::Dispatched => (applicant, CaseAction::ConfirmDelivery {}),
                    CaseStatus::Delivered if roll < 0.03 && view.on_commitment == Some(true) => (
                        officer(Post::Approver),
                        CaseAction::RevokePermit {
                            reason: "证后核查发现承诺内容与实际不符".into(),
                            false_commitment: true,
                        },
                    ),
                    _ => continue,
                },
            };
            self.send(&view, actor, action).await?;
        }
        Ok(())
    }
}

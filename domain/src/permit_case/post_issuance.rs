//! The check after issuance of a permit issued on a commitment (告知承诺制): due within the
//! item's limit in working days; recorded by an inspector of the case's bureau as conforming,
//! to be rectified by a date (a follow-up check is then due on it), or a false commitment,
//! which revokes the permit in the same decision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{text, CaseError, CaseEvent, CaseFile};
use crate::text::TextKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Conforms,
    Rectify,
    FalseCommitment,
}

/// The published ground of a revocation for a false commitment (the findings stay private).
pub const FALSE_COMMITMENT_GROUND: &str =
    "证后核查发现告知承诺内容不实 The post-issuance check found the commitment false";

impl CaseFile {
    pub(super) fn record_check(
        &self,
        result: CheckResult,
        findings: &str,
        rectify_by: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        let permit = self.permit_in_force("record_post_issuance_check", today)?;
        if permit.check_due.is_none() {
            return Err(CaseError::NoCheckDue);
        }
        let rectify_by = match (result, rectify_by) {
            (CheckResult::Rectify, Some(by)) if by > today => Some(by),
            (CheckResult::Rectify, Some(by)) => return Err(CaseError::RectifyByPassed(by)),
            (CheckResult::Rectify, None) => {
                return Err(CaseError::Required {
                    field: "rectify_by",
                })
            }
            (_, Some(_)) => return Err(CaseError::RectifyByWithoutRectify),
            (_, None) => None,
        };
        let recorded = CaseEvent::PostIssuanceCheckRecorded {
            round: permit.checks + 1,
            result,
            findings: text(TextKind::Findings, findings, "findings")?,
            rectify_by,
            checked_on: today,
        };
        if result != CheckResult::FalseCommitment {
            return Ok(vec![recorded]);
        }
        Ok(vec![
            recorded,
            CaseEvent::PermitRevoked {
                reason: FALSE_COMMITMENT_GROUND.to_owned(),
                false_commitment: true,
                revoked_on: today,
            },
        ])
    }
}

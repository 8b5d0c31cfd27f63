use serde::{Deserialize, Serialize};

/// Where a case stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// A draft under online guidance, not yet filed: no time limit runs.
    InGuidance,
    Filed,
    CorrectionRequested,
    Accepted,
    NotAccepted,
    Reviewed,
    Approved,
    Denied,
    Issued,
    Dispatched,
    Delivered,
    Withdrawn,
    Revoked,
    /// The permit was cancelled (注销): the enterprise stopped, or was deregistered.
    Cancelled,
    /// The permit's validity ended without a renewal.
    Expired,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 15] = [
        CaseStatus::InGuidance,
        CaseStatus::Filed,
        CaseStatus::CorrectionRequested,
        CaseStatus::Accepted,
        CaseStatus::NotAccepted,
        CaseStatus::Reviewed,
        CaseStatus::Approved,
        CaseStatus::Denied,
        CaseStatus::Issued,
        CaseStatus::Dispatched,
        CaseStatus::Delivered,
        CaseStatus::Withdrawn,
        CaseStatus::Revoked,
        CaseStatus::Cancelled,
        CaseStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::InGuidance => "in_guidance",
            CaseStatus::Filed => "filed",
            CaseStatus::CorrectionRequested => "correction_requested",
            CaseStatus::Accepted => "accepted",
            CaseStatus::NotAccepted => "not_accepted",
            CaseStatus::Reviewed => "reviewed",
            CaseStatus::Approved => "approved",
            CaseStatus::Denied => "denied",
            CaseStatus::Issued => "issued",
            CaseStatus::Dispatched => "dispatched",
            CaseStatus::Delivered => "delivered",
            CaseStatus::Withdrawn => "withdrawn",
            CaseStatus::Revoked => "revoked",
            CaseStatus::Cancelled => "cancelled",
            CaseStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Still before a decision: the applicant may withdraw.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            CaseStatus::InGuidance
                | CaseStatus::Filed
                | CaseStatus::CorrectionRequested
                | CaseStatus::Accepted
                | CaseStatus::Reviewed
                | CaseStatus::Approved
        )
    }

    /// A permit was issued and has not ended (revoked, cancelled or expired). Whether it is
    /// still valid on a given day is the permit's validity: see `PermitCase::permit_in_force`.
    pub fn has_permit_in_force(self) -> bool {
        matches!(
            self,
            CaseStatus::Issued | CaseStatus::Dispatched | CaseStatus::Delivered
        )
    }
}

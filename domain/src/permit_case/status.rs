use serde::{Deserialize, Serialize};

/// Where a case stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
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
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 12] = [
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
    ];

    pub fn as_str(self) -> &'static str {
        match self {
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
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Still before a decision: the applicant may withdraw.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            CaseStatus::Filed
                | CaseStatus::CorrectionRequested
                | CaseStatus::Accepted
                | CaseStatus::Reviewed
                | CaseStatus::Approved
        )
    }

    /// A permit is in force.
    pub fn has_permit_in_force(self) -> bool {
        matches!(
            self,
            CaseStatus::Issued | CaseStatus::Dispatched | CaseStatus::Delivered
        )
    }
}

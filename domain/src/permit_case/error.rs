use crate::text::TextRefusal;
use crate::values::BureauCode;

/// Why a case refused a command. Each variant is one rule; `rule()` names it for clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("case {version} was expected at version {expected}, it is at version {version}", version = .actual)]
    VersionMismatch { expected: u64, actual: u64 },
    #[error("no case has been filed under this id")]
    CaseNotFound,
    #[error("an application has already been filed under this id")]
    AlreadyFiled,
    #[error("auditors read the ledger; they send no commands")]
    ReadOnlyRole,
    #[error("only the applicant can {action}")]
    ApplicantOnly { action: &'static str },
    #[error("only an officer can {action}")]
    OfficerOnly { action: &'static str },
    #[error("this case is handled by bureau {case_bureau}; officers of {officer_bureau} cannot act on it")]
    OutsideBureau {
        case_bureau: BureauCode,
        officer_bureau: BureauCode,
    },
    #[error("{action} is done by the {required} post, not the {actual} post")]
    WrongPost {
        action: &'static str,
        required: &'static str,
        actual: &'static str,
    },
    #[error("cannot {action} a case that is {status}")]
    WrongState {
        action: &'static str,
        status: &'static str,
    },
    #[error("item {0} is not in the catalogue")]
    UnknownItem(String),
    #[error("{0} is on the phase-out catalogue and is never accepted")]
    PhasedOut(String),
    #[error("item {0} does not allow commitment-based issuance")]
    CommitmentNotEligible(String),
    #[error("the enterprise is on the list of seriously untrustworthy entities: it files for a full review, without a commitment")]
    BlacklistedNoCommitment,
    #[error("item {item} is done on the permit itself: send {command} to the case that issued it")]
    DoneOnThePermit { item: String, command: String },
    #[error("no draft under guidance has this id")]
    GuidanceNotFound,
    #[error("the draft was guided for item {0}: file it for that item, or file anew")]
    GuidanceForAnotherItem(String),
    #[error("the draft has no material {0}")]
    UnknownMaterial(String),
    #[error("materials missing: {}", .0.join(", "))]
    MaterialsIncomplete(Vec<String>),
    #[error("material {0} is listed twice")]
    DuplicateMaterial(String),
    #[error("the applicant is registered in {0}, outside this province")]
    OutsideProvince(BureauCode),
    #[error("the applicant's registration area {0} has no city bureau in the catalogue")]
    NoCityBureau(BureauCode),
    #[error("{field} must not be empty")]
    Required { field: &'static str },
    #[error("{field} {refusal}")]
    InvalidText {
        field: &'static str,
        refusal: TextRefusal,
    },
    #[error("approval needs a recorded review unless the application carries a signed commitment")]
    ReviewRequired,
    #[error(
        "a false commitment is no ground for revoking a permit that was not issued on a commitment"
    )]
    NotIssuedOnCommitment,
    #[error(
        "the officer who reviewed this case may not also decide it: another approver of the \
         bureau decides"
    )]
    ReviewerMayNotDecide,
    #[error("the clock of this case is already suspended")]
    ClockAlreadySuspended,
    #[error("the clock of this case is running: there is no suspension to end")]
    ClockNotSuspended,
    #[error("cannot {action} while the clock is suspended: resume it first")]
    ClockSuspended { action: &'static str },
    #[error("the statutory time limit of this case has already been extended once")]
    ExtensionAlreadyGranted,
    #[error("the statutory time limit ended on {0}: it can no longer be extended")]
    StatutoryLimitPassed(chrono::NaiveDate),
    #[error("only the ledger itself can {action}, from its clock")]
    SystemOnly { action: &'static str },
    #[error("the permit's validity ended on {0}")]
    PermitNoLongerValid(chrono::NaiveDate),
    #[error("the permit is valid until {0}: it has not expired")]
    PermitStillValid(chrono::NaiveDate),
    #[error("an amendment of this permit awaits its decision already")]
    AmendmentPending,
    #[error("the permit's {0} is that already: the amendment changes nothing")]
    AmendmentChangesNothing(&'static str),
    #[error("there is no {0} on this permit")]
    NothingPending(&'static str),
    #[error("no check after issuance is due on this permit")]
    NoCheckDue,
    #[error("rectify_by {0} is not after today")]
    RectifyByPassed(chrono::NaiveDate),
    #[error("rectify_by goes with a rectify result only")]
    RectifyByWithoutRectify,
    #[error("a renewal of this permit has been requested already")]
    RenewalPending,
    #[error("a renewal can be requested from {opens} to {closes}, the last months of validity")]
    OutsideRenewalWindow {
        opens: chrono::NaiveDate,
        closes: chrono::NaiveDate,
    },
}

/// How a refusal should reach the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The sender may not do this (HTTP 403).
    Forbidden,
    /// The sender's view of the case is stale (HTTP 409).
    Conflict,
    /// The case does not exist (HTTP 404).
    NotFound,
    /// A business rule refused it (HTTP 422).
    Rule,
    /// What was sent cannot be kept as it is (HTTP 400).
    Malformed,
}

impl CaseError {
    /// A stable, kebab-case name of the rule, for problem+json `type` and for clients.
    pub fn rule(&self) -> &'static str {
        match self {
            CaseError::VersionMismatch { .. } => "version-mismatch",
            CaseError::CaseNotFound => "case-not-found",
            CaseError::AlreadyFiled => "already-filed",
            CaseError::ReadOnlyRole => "auditors-read-only",
            CaseError::ApplicantOnly { .. } => "applicant-only",
            CaseError::OfficerOnly { .. } => "officer-only",
            CaseError::OutsideBureau { .. } => "own-bureau-only",
            CaseError::WrongPost { .. } => "post-not-allowed",
            CaseError::WrongState { .. } => "not-allowed-in-state",
            CaseError::UnknownItem(_) => "unknown-item",
            CaseError::PhasedOut(_) => "phase-out-catalogue",
            CaseError::CommitmentNotEligible(_) => "commitment-not-eligible",
            CaseError::BlacklistedNoCommitment => "blacklisted-no-commitment",
            CaseError::DoneOnThePermit { .. } => "done-on-the-permit",
            CaseError::GuidanceNotFound => "guidance-not-found",
            CaseError::GuidanceForAnotherItem(_) => "guidance-for-another-item",
            CaseError::UnknownMaterial(_) => "unknown-material",
            CaseError::MaterialsIncomplete(_) => "materials-incomplete",
            CaseError::DuplicateMaterial(_) => "duplicate-material",
            CaseError::OutsideProvince(_) => "outside-province",
            CaseError::NoCityBureau(_) => "no-city-bureau",
            CaseError::Required { .. } => "required-field",
            CaseError::InvalidText { refusal, .. } => refusal.rule(),
            CaseError::ReviewRequired => "review-required",
            CaseError::NotIssuedOnCommitment => "not-issued-on-commitment",
            CaseError::ReviewerMayNotDecide => "reviewer-may-not-decide",
            CaseError::ClockAlreadySuspended => "clock-already-suspended",
            CaseError::ClockNotSuspended => "clock-not-suspended",
            CaseError::ClockSuspended { .. } => "clock-suspended",
            CaseError::ExtensionAlreadyGranted => "extension-already-granted",
            CaseError::StatutoryLimitPassed(_) => "statutory-limit-passed",
            CaseError::SystemOnly { .. } => "system-only",
            CaseError::PermitNoLongerValid(_) => "permit-no-longer-valid",
            CaseError::PermitStillValid(_) => "permit-still-valid",
            CaseError::AmendmentPending => "amendment-pending",
            CaseError::AmendmentChangesNothing(_) => "amendment-changes-nothing",
            CaseError::NothingPending(_) => "nothing-pending",
            CaseError::RenewalPending => "renewal-pending",
            CaseError::NoCheckDue => "no-check-due",
            CaseError::RectifyByPassed(_) => "rectify-by-passed",
            CaseError::RectifyByWithoutRectify => "rectify-by-without-rectify",
            CaseError::OutsideRenewalWindow { .. } => "outside-renewal-window",
        }
    }

    pub fn kind(&self) -> RefusalKind {
        match self {
            CaseError::VersionMismatch { .. } | CaseError::AlreadyFiled => RefusalKind::Conflict,
            CaseError::CaseNotFound | CaseError::GuidanceNotFound => RefusalKind::NotFound,
            CaseError::ReadOnlyRole
            | CaseError::ApplicantOnly { .. }
            | CaseError::OfficerOnly { .. }
            | CaseError::OutsideBureau { .. }
            | CaseError::WrongPost { .. }
            | CaseError::SystemOnly { .. }
            | CaseError::ReviewerMayNotDecide => RefusalKind::Forbidden,
            CaseError::InvalidText { .. } => RefusalKind::Malformed,
            _ => RefusalKind::Rule,
        }
    }
}

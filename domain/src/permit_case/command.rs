use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::permit_life::AmendableField;
use super::post_issuance::CheckResult;
use super::suspension::SuspensionKind;
use crate::actor::Actor;
use crate::values::{CaseId, ItemCode, MaterialDigest, PermitNumber};

/// A command to a case, as the aggregate receives it: the action, who sends it, the business
/// date it is sent on (stamped by the api from its clock: the domain has none), and optionally
/// the version the sender last saw (`If-Match`).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCommand {
    pub actor: Actor,
    pub today: NaiveDate,
    pub expected_version: Option<u64>,
    pub action: CaseAction,
    /// The sending officer's pseudonym on this case, when the action is one of the steps
    /// that must be done by different people (review, then decision): the same person gets
    /// the same pseudonym on the same case. The api derives it from the officer's
    /// personal-data key, so it names nobody once that key is erased.
    pub officer_ref: Option<String>,
    /// The sending applicant is on the list of seriously untrustworthy entities on `today`,
    /// as the api read its credit record: it may not file on a commitment, and its filings
    /// are marked for a full review.
    pub applicant_listed: bool,
}

/// What a sender asks a case to do. The JSON form is `{"type": "accept", ...}`. Actions
/// without fields are empty struct variants so that an unknown field is refused, not ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseAction {
    /// The applicant asks for online guidance on a draft before filing it.
    RequestGuidance(Draft),
    /// The guide comments on the draft's materials; any number of rounds.
    CommentMaterials {
        comments: Vec<MaterialComment>,
        /// An answer to the applicant's questions, if any.
        #[serde(default)]
        reply: Option<String>,
    },
    /// The applicant revises the draft: materials replaced by name, new questions.
    ReviseDraft {
        #[serde(default)]
        materials: Vec<Material>,
        #[serde(default)]
        questions: Vec<String>,
    },
    /// The applicant files an application online.
    FileApplication(Application),
    /// The acceptor asks the applicant to correct or complete materials.
    RequestCorrection {
        corrections: Vec<String>,
        reason: String,
    },
    /// The applicant answers a correction request.
    ResubmitMaterials { materials: Vec<Material> },
    /// The acceptor accepts the application; the time limits start.
    Accept {},
    /// The acceptor refuses to accept the application.
    RefuseToAccept { reason: String },
    /// The reviewer records the findings of the review.
    RecordReview {
        findings: String,
        recommendation: Recommendation,
    },
    /// The approver grants the application.
    Approve {},
    /// The approver denies the application.
    Deny { reason: String },
    /// The approver issues the permit; its number is allocated by the ledger, not the client.
    IssuePermit {
        /// Allocated by the ledger: a client sends only the scope.
        #[schema(read_only)]
        permit_number: PermitNumber,
        scope: String,
    },
    /// The dispatcher sends the certificate by free express.
    DispatchCertificate {
        courier: String,
        tracking_number: String,
    },
    /// The applicant or the dispatcher confirms the certificate arrived.
    ConfirmDelivery {},
    /// The applicant withdraws an application that is still open.
    Withdraw { reason: String },
    /// The approver revokes an issued permit.
    RevokePermit {
        reason: String,
        #[serde(default)]
        false_commitment: bool,
    },
    /// The reviewer or approver stops the clock for a hearing, test, inspection, quarantine,
    /// appraisal or expert review, with the written notice the applicant is given.
    SuspendClock {
        kind: SuspensionKind,
        reason: String,
        notice: String,
    },
    /// The reviewer or approver starts the stopped clock again.
    ResumeClock {},
    /// The approver extends the statutory time limit, once.
    ExtendTimeLimit { reason: String },
    /// The applicant declares a change of its name or address on a permit in force; no
    /// change certificate: the approver compares the declaration with the business licence.
    RequestAmendment {
        field: AmendableField,
        new_value: String,
        declaration: String,
    },
    /// The approver accepts the declared change: the permit reads the new value.
    ApproveAmendment {},
    /// The approver refuses the declared change.
    RefuseAmendment { reason: String },
    /// The applicant asks, in the renewal window before expiry, for a new validity period.
    RequestRenewal {},
    /// The acceptor accepts the renewal request; its committed limit starts.
    AcceptRenewal {},
    /// The approver grants the renewal: a new validity period follows the current one.
    ApproveRenewal {},
    /// The approver refuses the renewal: the permit ends with its validity.
    RefuseRenewal { reason: String },
    /// The applicant (the enterprise stops) or the approver (the enterprise was
    /// deregistered) cancels a permit in force.
    CancelPermit { reason: String },
    /// The ledger itself, the day after the validity ended: the permit expires.
    ExpirePermit {},
    /// The inspector records the check after issuance of a permit issued on a commitment;
    /// `rectify_by` with `rectify` only. A false commitment revokes the permit at once.
    RecordPostIssuanceCheck {
        result: CheckResult,
        findings: String,
        #[serde(default, with = "crate::iso_date::option")]
        #[schema(value_type = Option<String>, format = Date)]
        rectify_by: Option<NaiveDate>,
    },
}

impl CaseAction {
    /// The action's name as it appears in JSON and in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            CaseAction::RequestGuidance(_) => "request_guidance",
            CaseAction::CommentMaterials { .. } => "comment_materials",
            CaseAction::ReviseDraft { .. } => "revise_draft",
            CaseAction::FileApplication(_) => "file_application",
            CaseAction::RequestCorrection { .. } => "request_correction",
            CaseAction::ResubmitMaterials { .. } => "resubmit_materials",
            CaseAction::Accept {} => "accept",
            CaseAction::RefuseToAccept { .. } => "refuse_to_accept",
            CaseAction::RecordReview { .. } => "record_review",
            CaseAction::Approve {} => "approve",
            CaseAction::Deny { .. } => "deny",
            CaseAction::IssuePermit { .. } => "issue_permit",
            CaseAction::DispatchCertificate { .. } => "dispatch_certificate",
            CaseAction::ConfirmDelivery {} => "confirm_delivery",
            CaseAction::Withdraw { .. } => "withdraw",
            CaseAction::RevokePermit { .. } => "revoke_permit",
            CaseAction::SuspendClock { .. } => "suspend_clock",
            CaseAction::ResumeClock {} => "resume_clock",
            CaseAction::ExtendTimeLimit { .. } => "extend_time_limit",
            CaseAction::RequestAmendment { .. } => "request_amendment",
            CaseAction::ApproveAmendment {} => "approve_amendment",
            CaseAction::RefuseAmendment { .. } => "refuse_amendment",
            CaseAction::RequestRenewal {} => "request_renewal",
            CaseAction::AcceptRenewal {} => "accept_renewal",
            CaseAction::ApproveRenewal {} => "approve_renewal",
            CaseAction::RefuseRenewal { .. } => "refuse_renewal",
            CaseAction::CancelPermit { .. } => "cancel_permit",
            CaseAction::ExpirePermit {} => "expire_permit",
            CaseAction::RecordPostIssuanceCheck { .. } => "record_post_issuance_check",
        }
    }
}

/// An application as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub item_code: ItemCode,
    pub enterprise_name: String,
    /// The enterprise's registered address, as on its business licence.
    #[serde(default)]
    pub address: Option<String>,
    /// The product, equipment or service the permit is for.
    pub product: String,
    /// The production process, where the item asks for one.
    #[serde(default)]
    pub process: Option<String>,
    pub materials: Vec<Material>,
    /// The signed commitment of commitment-based issuance, where the item allows it.
    #[serde(default)]
    pub commitment: Option<Commitment>,
    /// Private: never published.
    pub contact: Contact,
    /// The draft this application was guided on (`POST /api/v1/guidance`): it is filed on
    /// that draft's case, whose history keeps the guidance rounds.
    #[serde(default)]
    pub guidance_id: Option<CaseId>,
}

/// A draft an enterprise asks guidance on before filing: the application as it stands, and
/// its questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub item_code: ItemCode,
    pub enterprise_name: String,
    #[serde(default)]
    pub address: Option<String>,
    pub product: String,
    #[serde(default)]
    pub process: Option<String>,
    pub materials: Vec<Material>,
    #[serde(default)]
    pub questions: Vec<String>,
    /// Private: never published.
    pub contact: Contact,
}

/// A guide's comment on one material of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialComment {
    /// The material's name, as the draft lists it.
    pub material: String,
    pub comment: String,
}

/// An electronic material, identified by the digest of its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub name: String,
    pub digest: MaterialDigest,
}

/// The applicant's signed statement that it meets the conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub signed_by: String,
    pub statement: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub person: String,
    pub phone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    Approve,
    Deny,
}

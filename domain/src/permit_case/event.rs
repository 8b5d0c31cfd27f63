use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::command::{Commitment, Contact, Material, MaterialComment, Recommendation};
use super::permit_life::{AmendableField, CancellationGround};
use super::post_issuance::CheckResult;
use super::suspension::SuspensionKind;
use crate::calendar::Deadline;
use crate::values::{BureauCode, CreditCode, ItemCode, PermitNumber};

/// What happened to a case. Events carry the facts derived when they happened (deadlines,
/// validity) so that readers never recompute them. Renaming a variant orphans stored events:
/// change an event by adding a version and an upcaster.
// Events live briefly (decide, persist, apply); keeping the filing inline keeps the stored
// JSON shape plain, which matters more than the enum's size.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CaseEvent {
    /// A draft under online guidance: the case exists, nothing is filed, no limit runs.
    GuidanceRequested {
        item_code: ItemCode,
        item_name: String,
        credit_code: CreditCode,
        enterprise_name: String,
        bureau: BureauCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        product: String,
        process: Option<String>,
        materials: Vec<Material>,
        questions: Vec<String>,
        contact: Contact,
        #[serde(with = "crate::iso_date")]
        requested_on: NaiveDate,
    },
    MaterialsCommented {
        round: u32,
        comments: Vec<MaterialComment>,
        reply: Option<String>,
        #[serde(with = "crate::iso_date")]
        commented_on: NaiveDate,
    },
    DraftRevised {
        round: u32,
        materials: Vec<Material>,
        questions: Vec<String>,
        #[serde(with = "crate::iso_date")]
        revised_on: NaiveDate,
    },
    ApplicationFiled {
        item_code: ItemCode,
        item_name: String,
        credit_code: CreditCode,
        enterprise_name: String,
        bureau: BureauCode,
        product: String,
        process: Option<String>,
        materials: Vec<Material>,
        commitment: Option<Commitment>,
        contact: Contact,
        #[serde(with = "crate::iso_date")]
        filed_on: NaiveDate,
        /// The enterprise's registered address (public register data), where it gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        /// The enterprise was on the list of seriously untrustworthy entities when it filed:
        /// the case is reviewed in full (no commitment route).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        applicant_listed: bool,
    },
    CorrectionRequested {
        round: u32,
        corrections: Vec<String>,
        reason: String,
        #[serde(with = "crate::iso_date")]
        requested_on: NaiveDate,
    },
    MaterialsResubmitted {
        round: u32,
        materials: Vec<Material>,
        #[serde(with = "crate::iso_date")]
        resubmitted_on: NaiveDate,
    },
    ApplicationAccepted {
        #[serde(with = "crate::iso_date")]
        accepted_on: NaiveDate,
        statutory_deadline: Deadline,
        committed_deadline: Deadline,
    },
    ApplicationNotAccepted {
        reason: String,
        #[serde(with = "crate::iso_date")]
        decided_on: NaiveDate,
    },
    ReviewRecorded {
        findings: String,
        recommendation: Recommendation,
        #[serde(with = "crate::iso_date")]
        reviewed_on: NaiveDate,
        /// The reviewing officer's pseudonym on this case (see `CaseCommand::officer_ref`),
        /// so that the same person cannot also decide it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reviewer: Option<String>,
    },
    ApplicationApproved {
        #[serde(with = "crate::iso_date")]
        approved_on: NaiveDate,
        /// Commitment-based issuance: approved on the signed commitment, without a review
        /// record; a post-issuance check follows.
        on_commitment: bool,
    },
    ApplicationDenied {
        reason: String,
        #[serde(with = "crate::iso_date")]
        decided_on: NaiveDate,
    },
    PermitIssued {
        permit_number: PermitNumber,
        scope: String,
        #[serde(with = "crate::iso_date")]
        valid_from: NaiveDate,
        #[serde(with = "crate::iso_date")]
        valid_until: NaiveDate,
        #[serde(with = "crate::iso_date")]
        issued_on: NaiveDate,
        /// Working days used from acceptance to issuance.
        working_days_used: u32,
        /// Issued on a commitment: the check after issuance is due by then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check_due: Option<Deadline>,
    },
    CertificateDispatched {
        courier: String,
        tracking_number: String,
        #[serde(with = "crate::iso_date")]
        dispatched_on: NaiveDate,
    },
    CertificateDelivered {
        #[serde(with = "crate::iso_date")]
        delivered_on: NaiveDate,
    },
    ApplicationWithdrawn {
        reason: String,
        #[serde(with = "crate::iso_date")]
        withdrawn_on: NaiveDate,
    },
    PermitRevoked {
        reason: String,
        /// A false commitment puts the enterprise on the public blacklist.
        false_commitment: bool,
        #[serde(with = "crate::iso_date")]
        revoked_on: NaiveDate,
    },
    /// The time limits stop counting while a hearing, test, inspection, quarantine, appraisal
    /// or expert review runs (Administrative Licensing Law art. 45); `notice` is the written
    /// notice the applicant is given.
    ClockSuspended {
        kind: SuspensionKind,
        reason: String,
        notice: String,
        #[serde(with = "crate::iso_date")]
        suspended_on: NaiveDate,
    },
    /// The time limits count again; both deadlines have moved by the working days the clock
    /// stood still (from the day after the suspension through the day of resumption).
    ClockResumed {
        #[serde(with = "crate::iso_date")]
        resumed_on: NaiveDate,
        suspended_working_days: u32,
        statutory_deadline: Deadline,
        committed_deadline: Deadline,
    },
    /// The statutory deadline is extended once (art. 42); the committed one does not move.
    TimeLimitExtended {
        reason: String,
        #[serde(with = "crate::iso_date")]
        extended_on: NaiveDate,
        added_working_days: u32,
        statutory_deadline: Deadline,
    },
    /// The applicant declared a change of name or address on its permit.
    AmendmentRequested {
        field: AmendableField,
        new_value: String,
        declaration: String,
        #[serde(with = "crate::iso_date")]
        requested_on: NaiveDate,
    },
    /// The permit reads the declared value from now on (a public notice, kind `amended`).
    PermitAmended {
        field: AmendableField,
        old_value: Option<String>,
        new_value: String,
        #[serde(with = "crate::iso_date")]
        amended_on: NaiveDate,
    },
    AmendmentRefused {
        reason: String,
        #[serde(with = "crate::iso_date")]
        refused_on: NaiveDate,
    },
    RenewalRequested {
        #[serde(with = "crate::iso_date")]
        requested_on: NaiveDate,
    },
    /// The renewal request is accepted: decided by `committed_deadline`, and by law before
    /// the validity ends (Administrative Licensing Law art. 50).
    RenewalAccepted {
        #[serde(with = "crate::iso_date")]
        accepted_on: NaiveDate,
        committed_deadline: Deadline,
    },
    /// A new validity period follows the current one (a public notice, kind `renewed`).
    /// `deemed`: not decided before the validity ended, so renewed by law (art. 50).
    PermitRenewed {
        #[serde(with = "crate::iso_date")]
        renewed_on: NaiveDate,
        #[serde(with = "crate::iso_date")]
        valid_from: NaiveDate,
        #[serde(with = "crate::iso_date")]
        valid_until: NaiveDate,
        deemed: bool,
    },
    RenewalRefused {
        reason: String,
        #[serde(with = "crate::iso_date")]
        refused_on: NaiveDate,
    },
    /// The permit is cancelled (a public notice, kind `cancelled`).
    PermitCancelled {
        ground: CancellationGround,
        reason: String,
        #[serde(with = "crate::iso_date")]
        cancelled_on: NaiveDate,
    },
    /// A check after issuance of a permit issued on a commitment: it conforms; or it is to be
    /// rectified by `rectify_by`, when a follow-up check is due; or the commitment was false,
    /// and a `PermitRevoked` follows in the same command.
    PostIssuanceCheckRecorded {
        round: u32,
        result: CheckResult,
        findings: String,
        #[serde(default, with = "crate::iso_date::option")]
        rectify_by: Option<NaiveDate>,
        #[serde(with = "crate::iso_date")]
        checked_on: NaiveDate,
    },
    /// The validity ended on `valid_until` without a renewal (a public notice, kind
    /// `expired`); recorded by the ledger itself.
    PermitExpired {
        #[serde(with = "crate::iso_date")]
        valid_until: NaiveDate,
        #[serde(with = "crate::iso_date")]
        expired_on: NaiveDate,
    },
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        let name = match self {
            CaseEvent::GuidanceRequested { .. } => "GuidanceRequested",
            CaseEvent::MaterialsCommented { .. } => "MaterialsCommented",
            CaseEvent::DraftRevised { .. } => "DraftRevised",
            CaseEvent::ApplicationFiled { .. } => "ApplicationFiled",
            CaseEvent::CorrectionRequested { .. } => "CorrectionRequested",
            CaseEvent::MaterialsResubmitted { .. } => "MaterialsResubmitted",
            CaseEvent::ApplicationAccepted { .. } => "ApplicationAccepted",
            CaseEvent::ApplicationNotAccepted { .. } => "ApplicationNotAccepted",
            CaseEvent::ReviewRecorded { .. } => "ReviewRecorded",
            CaseEvent::ApplicationApproved { .. } => "ApplicationApproved",
            CaseEvent::ApplicationDenied { .. } => "ApplicationDenied",
            CaseEvent::PermitIssued { .. } => "PermitIssued",
            CaseEvent::CertificateDispatched { .. } => "CertificateDispatched",
            CaseEvent::CertificateDelivered { .. } => "CertificateDelivered",
            CaseEvent::ApplicationWithdrawn { .. } => "ApplicationWithdrawn",
            CaseEvent::PermitRevoked { .. } => "PermitRevoked",
            CaseEvent::ClockSuspended { .. } => "ClockSuspended",
            CaseEvent::ClockResumed { .. } => "ClockResumed",
            CaseEvent::TimeLimitExtended { .. } => "TimeLimitExtended",
            CaseEvent::AmendmentRequested { .. } => "AmendmentRequested",
            CaseEvent::PermitAmended { .. } => "PermitAmended",
            CaseEvent::AmendmentRefused { .. } => "AmendmentRefused",
            CaseEvent::RenewalRequested { .. } => "RenewalRequested",
            CaseEvent::RenewalAccepted { .. } => "RenewalAccepted",
            CaseEvent::PermitRenewed { .. } => "PermitRenewed",
            CaseEvent::RenewalRefused { .. } => "RenewalRefused",
            CaseEvent::PermitCancelled { .. } => "PermitCancelled",
            CaseEvent::PermitExpired { .. } => "PermitExpired",
            CaseEvent::PostIssuanceCheckRecorded { .. } => "PostIssuanceCheckRecorded",
        };
        name.to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

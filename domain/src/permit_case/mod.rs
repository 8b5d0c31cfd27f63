//! The permit case aggregate: one application, from online filing to delivery or revocation.

mod authorization;
mod command;
mod error;
mod event;
mod filing;
mod fold;
mod guidance;
mod permit_life;
mod post_issuance;
mod status;
mod suspension;
mod transition;

use chrono::{Months, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

pub use command::{
    Application, CaseAction, CaseCommand, Commitment, Contact, Draft, Material, MaterialComment,
    Recommendation,
};
pub use error::{CaseError, RefusalKind};
pub use event::CaseEvent;
pub use permit_life::{AmendableField, CancellationGround};
pub use post_issuance::{CheckResult, FALSE_COMMITMENT_GROUND};
pub use status::CaseStatus;
pub use suspension::{moved, SuspensionKind};

use crate::actor::Post;
use crate::calendar::Deadline;
use crate::services::CaseServices;
use crate::values::{BureauCode, CreditCode, ItemCode, PermitNumber};
use authorization::authorize;
use filing::{file_application, refuse_phase_out, reject_duplicate_materials};
use permit_life::PermitTerm;

use crate::text::{TextKind, TextRefusal};

/// A case as the command side sees it: just what its rules need.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitCase {
    /// Number of events applied: the case's version, which `If-Match` compares with.
    version: u64,
    file: Option<CaseFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CaseFile {
    status: CaseStatus,
    bureau: BureauCode,
    credit_code: CreditCode,
    item_code: ItemCode,
    #[serde(default)]
    enterprise_name: String,
    #[serde(default)]
    address: Option<String>,
    product: String,
    process: Option<String>,
    on_commitment: bool,
    /// Approved on the signed commitment, without a review: the only permits a false
    /// commitment can be the ground of revoking.
    #[serde(default)]
    approved_on_commitment: bool,
    correction_rounds: u32,
    accepted_on: Option<NaiveDate>,
    /// The pseudonym of the officer who recorded the review, if it was recorded with one.
    #[serde(default)]
    reviewer: Option<String>,
    /// The deadlines as they stand (moved by suspensions, the statutory one by an extension).
    #[serde(default)]
    statutory_deadline: Option<Deadline>,
    #[serde(default)]
    committed_deadline: Option<Deadline>,
    /// The day the clock was suspended, while it is.
    #[serde(default, with = "crate::iso_date::option")]
    suspended_since: Option<NaiveDate>,
    /// Working days the clock has stood still, over every ended suspension.
    #[serde(default)]
    suspended_working_days: u32,
    /// The statutory limit has been extended (once is all the law allows).
    #[serde(default)]
    extended: bool,
    /// The permit the case issued, once it has.
    #[serde(default)]
    permit: Option<PermitTerm>,
    /// While under guidance: the names of the draft's materials, and the rounds of comments.
    #[serde(default)]
    draft_materials: Vec<String>,
    #[serde(default)]
    guidance_rounds: u32,
}

impl CaseFile {
    /// A case just begun (filed, or drafted under guidance), before anything happened to it.
    fn begun(
        status: CaseStatus,
        bureau: BureauCode,
        credit_code: CreditCode,
        item_code: ItemCode,
    ) -> Self {
        Self {
            status,
            bureau,
            credit_code,
            item_code,
            enterprise_name: String::new(),
            address: None,
            product: String::new(),
            process: None,
            on_commitment: false,
            approved_on_commitment: false,
            correction_rounds: 0,
            accepted_on: None,
            reviewer: None,
            statutory_deadline: None,
            committed_deadline: None,
            suspended_since: None,
            suspended_working_days: 0,
            extended: false,
            permit: None,
            draft_materials: Vec::new(),
            guidance_rounds: 0,
        }
    }
}

impl PermitCase {
    /// The credit code of the enterprise that filed the case; None before it is filed.
    pub fn credit_code(&self) -> Option<&CreditCode> {
        self.file.as_ref().map(|file| &file.credit_code)
    }
}

/// Who may send an action: the applicant, or an officer at a given post (or either of two,
/// named together).
enum Sender {
    Applicant,
    Officer(Post),
    ApplicantOrOfficer(Post),
    OfficerAtEither(Post, Post, &'static str),
    /// The ledger itself, from its clock.
    System,
}

impl Aggregate for PermitCase {
    const TYPE: &'static str = "PermitCase";
    type Command = CaseCommand;
    type Event = CaseEvent;
    type Error = CaseError;
    type Services = CaseServices;

    async fn handle(
        &mut self,
        command: CaseCommand,
        services: &CaseServices,
        sink: &EventSink<Self>,
    ) -> Result<(), CaseError> {
        for event in self.decide(command, services)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: CaseEvent) {
        self.fold(event);
    }
}

impl PermitCase {
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn status(&self) -> Option<CaseStatus> {
        self.file.as_ref().map(|f| f.status)
    }

    pub fn bureau(&self) -> Option<&BureauCode> {
        self.file.as_ref().map(|f| &f.bureau)
    }

    /// The number of the permit the case issued, once it has.
    pub fn permit_number(&self) -> Option<&PermitNumber> {
        self.file.as_ref()?.permit.as_ref()?.permit_number.as_ref()
    }

    /// The enterprise's name as the case last recorded it (amendments included).
    pub fn enterprise_name(&self) -> Option<&str> {
        self.file.as_ref().map(|f| f.enterprise_name.as_str())
    }

    pub fn item_code(&self) -> Option<&ItemCode> {
        self.file.as_ref().map(|f| &f.item_code)
    }

    /// Decides which events a command produces, or why it is refused. Pure: the same case,
    /// command and services always give the same answer.
    pub fn decide(
        &self,
        command: CaseCommand,
        services: &CaseServices,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        let CaseCommand {
            actor,
            today,
            expected_version,
            action,
            officer_ref,
            applicant_listed,
        } = command;
        let (file, action) = match (&self.file, action) {
            (None, CaseAction::FileApplication(application)) => {
                if application.guidance_id.is_some() {
                    return Err(CaseError::GuidanceNotFound);
                }
                self.check_version(expected_version)?;
                return file_application(application, &actor, today, services, applicant_listed)
                    .map(|e| vec![e]);
            }
            (None, CaseAction::RequestGuidance(draft)) => {
                self.check_version(expected_version)?;
                return guidance::request_guidance(draft, &actor, today, services).map(|e| vec![e]);
            }
            (Some(file), CaseAction::FileApplication(application)) => {
                file.accept_filing_of(&actor, &application)?;
                self.check_version(expected_version)?;
                return file_application(application, &actor, today, services, applicant_listed)
                    .map(|e| vec![e]);
            }
            (Some(_), CaseAction::RequestGuidance(_)) => return Err(CaseError::AlreadyFiled),
            (None, _) => return Err(CaseError::CaseNotFound),
            (Some(file), action) => (file, action),
        };
        // Who may act first: the version is the case's, for those who may see it.
        authorize(&actor, file, &action)?;
        self.check_version(expected_version)?;
        file.separate_duties(&action, officer_ref.as_deref())?;
        file.transition(action, &actor, today, services, officer_ref)
    }

    /// Refuses a command sent on another version than the case's (`If-Match`).
    fn check_version(&self, expected: Option<u64>) -> Result<(), CaseError> {
        match expected {
            Some(expected) if expected != self.version => Err(CaseError::VersionMismatch {
                expected,
                actual: self.version,
            }),
            _ => Ok(()),
        }
    }
}

/// `value` as the case keeps it, if it meets the rules of its kind of text (see [`text`]).
pub(crate) fn text(kind: TextKind, value: &str, field: &'static str) -> Result<String, CaseError> {
    kind.admit(value).map_err(|refusal| match refusal {
        TextRefusal::Empty => CaseError::Required { field },
        refusal => CaseError::InvalidText { field, refusal },
    })
}

/// The materials as the case keeps them: each name admitted as text, none twice.
pub(crate) fn admitted_materials(materials: Vec<Material>) -> Result<Vec<Material>, CaseError> {
    let materials = materials
        .into_iter()
        .map(|m| {
            Ok(Material {
                name: text(TextKind::Name, &m.name, "materials.name")?,
                digest: m.digest,
            })
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    reject_duplicate_materials(&materials)?;
    Ok(materials)
}

/// A permit valid for `years` runs from its first day to the day before the anniversary.
pub(crate) fn validity_end(from: NaiveDate, years: u32) -> NaiveDate {
    from.checked_add_months(Months::new(12 * years))
        .and_then(|d| d.pred_opt())
        .expect("validity end is within chrono's range")
}

#[cfg(test)]
mod tests;

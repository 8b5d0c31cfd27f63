//! "Double random, one public" (双随机、一公开): an inspection plan fixes its population (the
//! permits in force of its items in its area, as the ledger found them when the plan was
//! committed) and its roster of inspectors; once a signed checkpoint covers the plan, its
//! root is the seed of the draw (see [`draw`]), which no one knew when the plan was made;
//! the drawn inspectors record their results. One aggregate per plan; pure, like every
//! aggregate.

pub mod draw;
mod plan;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::text::TextRefusal;
use crate::values::{BureauCode, CreditCode, ItemCode, PermitNumber};

pub use plan::{population_digest, InspectionPlan};

/// How many permits to draw: a number, or a percentage of the population (rounded up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Sample {
    Size(u32),
    Percent(u32),
}

/// One inspector of the roster: a pseudonym within the plan (derived from the officer's
/// personal-data key, so it names nobody) and the bureau.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub inspector: String,
    pub bureau: BureauCode,
}

/// One permit of the population: public register data, and the roster's inspectors who
/// handled its case (who are never drawn to inspect it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationMember {
    pub permit_number: PermitNumber,
    pub enterprise_name: String,
    pub credit_code: CreditCode,
    pub item_code: ItemCode,
    pub bureau: BureauCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<u32>,
}

/// One drawn target and its two inspectors (indices into the roster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub permit_number: PermitNumber,
    pub inspectors: [u32; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    Pass,
    Rectify,
    Fail,
}

impl InspectionResult {
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionResult::Pass => "pass",
            InspectionResult::Rectify => "rectify",
            InspectionResult::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionCommand {
    pub actor: Actor,
    pub today: NaiveDate,
    pub action: InspectionAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionAction {
    /// Makes the plan. The roster comes pseudonymised and the population (sorted by permit
    /// number, each with its conflicts) found by the ledger.
    Create {
        /// The plan's id (its aggregate's), where the draw's stream begins.
        plan_id: String,
        name: String,
        area: BureauCode,
        items: Vec<ItemCode>,
        sample: Sample,
        roster: Vec<RosterEntry>,
        population: Vec<PopulationMember>,
    },
    /// Draws, with the root of the signed checkpoint of the log's first `checkpoint_size`
    /// events as the seed; `plan_position` is where the plan's creation is in the log.
    Draw {
        seed: [u8; 32],
        checkpoint_size: u64,
        plan_position: u64,
    },
    /// Records a drawn inspector's result on a target; `inspector` is the sender's
    /// pseudonym within the plan.
    RecordResult {
        permit_number: PermitNumber,
        result: InspectionResult,
        findings: String,
        inspector: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InspectionEvent {
    PlanCreated {
        plan_id: String,
        name: String,
        area: BureauCode,
        items: Vec<ItemCode>,
        sample: Sample,
        sample_size: u32,
        roster: Vec<RosterEntry>,
        population: Vec<PopulationMember>,
        /// SHA-256 (hex) of the population's permit numbers, each followed by a line feed.
        population_digest: String,
        #[serde(with = "crate::iso_date")]
        created_on: NaiveDate,
    },
    PlanDrawn {
        /// The seed: the root hash (hex) of the checkpoint of the first `checkpoint_size`
        /// events.
        seed: String,
        checkpoint_size: u64,
        targets: Vec<Target>,
        #[serde(with = "crate::iso_date")]
        drawn_on: NaiveDate,
    },
    InspectionResultRecorded {
        permit_number: PermitNumber,
        /// Whose findings they are (their personal data is sealed under its key).
        credit_code: CreditCode,
        result: InspectionResult,
        findings: String,
        /// The inspector who recorded it (an index into the roster).
        inspector: u32,
        #[serde(with = "crate::iso_date")]
        recorded_on: NaiveDate,
    },
}

impl DomainEvent for InspectionEvent {
    fn event_type(&self) -> String {
        match self {
            InspectionEvent::PlanCreated { .. } => "PlanCreated",
            InspectionEvent::PlanDrawn { .. } => "PlanDrawn",
            InspectionEvent::InspectionResultRecorded { .. } => "InspectionResultRecorded",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    #[error("only an approver of a city bureau (for its city) or of the provincial bureau makes an inspection plan")]
    ApproverOnly,
    #[error("officers of {bureau} plan inspections of their own area, not of {area}")]
    OwnAreaOnly { bureau: String, area: String },
    #[error("the plan exists already")]
    PlanExists,
    #[error("no inspection plan has this id")]
    PlanNotFound,
    #[error("{field} must not be empty")]
    Required { field: &'static str },
    #[error("{field} {refusal}")]
    InvalidText {
        field: &'static str,
        refusal: TextRefusal,
    },
    #[error("item {0} is not in the catalogue")]
    UnknownItem(String),
    #[error("item {0} is named twice")]
    DuplicateItem(String),
    #[error("the roster needs at least two inspectors, each named once")]
    RosterTooSmall,
    #[error("inspector of {0} is outside the plan's area")]
    InspectorOutsideArea(String),
    #[error("no permit of those items is in force in the area: there is nothing to draw from")]
    EmptyPopulation,
    #[error("the sample is 1 to {population} permits (or 1 to 100 percent), not {asked}")]
    SampleOutOfRange { asked: String, population: usize },
    #[error("permit {0} has fewer than two inspectors on the roster who did not handle its case")]
    TooFewInspectorsWithoutConflict(String),
    #[error("the plan is drawn already")]
    AlreadyDrawn,
    #[error("the checkpoint of {checkpoint_size} events does not include the plan (position {plan_position})")]
    CheckpointBeforePlan {
        checkpoint_size: u64,
        plan_position: u64,
    },
    #[error("only the ledger itself draws a plan")]
    SystemOnly,
    #[error("the plan is not drawn yet")]
    NotDrawn,
    #[error("permit {0} is not one of the plan's targets")]
    NotATarget(String),
    #[error("only an inspector drawn for permit {0} records its result")]
    NotAssigned(String),
    #[error("the result of permit {0} is recorded already")]
    ResultRecorded(String),
}

impl InspectionError {
    pub fn kind(&self) -> crate::permit_case::RefusalKind {
        use crate::permit_case::RefusalKind;
        match self {
            InspectionError::ApproverOnly
            | InspectionError::OwnAreaOnly { .. }
            | InspectionError::SystemOnly
            | InspectionError::NotAssigned(_) => RefusalKind::Forbidden,
            InspectionError::PlanNotFound => RefusalKind::NotFound,
            InspectionError::PlanExists
            | InspectionError::AlreadyDrawn
            | InspectionError::ResultRecorded(_) => RefusalKind::Conflict,
            InspectionError::InvalidText { .. } => RefusalKind::Malformed,
            _ => RefusalKind::Rule,
        }
    }

    /// A stable, kebab-case name of the rule, for problem+json `type` and for clients.
    pub fn rule(&self) -> &'static str {
        match self {
            InspectionError::ApproverOnly => "approver-only",
            InspectionError::OwnAreaOnly { .. } => "own-area-only",
            InspectionError::PlanExists => "plan-exists",
            InspectionError::PlanNotFound => "plan-not-found",
            InspectionError::Required { .. } => "required-field",
            InspectionError::InvalidText { refusal, .. } => refusal.rule(),
            InspectionError::UnknownItem(_) => "unknown-item",
            InspectionError::DuplicateItem(_) => "duplicate-item",
            InspectionError::RosterTooSmall => "roster-too-small",
            InspectionError::InspectorOutsideArea(_) => "inspector-outside-area",
            InspectionError::EmptyPopulation => "empty-population",
            InspectionError::SampleOutOfRange { .. } => "sample-out-of-range",
            InspectionError::TooFewInspectorsWithoutConflict(_) => {
                "too-few-inspectors-without-conflict"
            }
            InspectionError::AlreadyDrawn => "already-drawn",
            InspectionError::CheckpointBeforePlan { .. } => "checkpoint-before-plan",
            InspectionError::SystemOnly => "system-only",
            InspectionError::NotDrawn => "not-drawn-yet",
            InspectionError::NotATarget(_) => "not-a-target",
            InspectionError::NotAssigned(_) => "not-assigned",
            InspectionError::ResultRecorded(_) => "result-already-recorded",
        }
    }
}

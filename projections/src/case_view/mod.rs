//! The current state of one case, folded from its events. Pure.

use chrono::{DateTime, NaiveDate, Utc};
use domain::calendar::Deadline;
use domain::calendar::WorkingCalendar;
use domain::permit_case::{Commitment, Contact, Material, Recommendation};
use domain::supervision::{CaseTimeline, ClockReport, PostTimes, SupervisionRules};
use domain::values::{BureauCode, CaseId, CreditCode, ItemCode, PermitNumber};
use domain::{CaseEvent, CaseStatus};
use serde::{Deserialize, Serialize};

use crate::blacklist::BlacklistEntry;
use crate::guidance::GuidanceView;
use crate::log::{LogError, LoggedEvent};
use crate::permit_life::PermitLife;

mod beginning;
mod events;

pub(crate) use beginning::Beginning;

/// A case as officers, applicants and auditors read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case_id: CaseId,
    pub status: CaseStatus,
    pub version: u64,
    pub bureau: BureauCode,
    pub item_code: ItemCode,
    pub item_name: String,
    pub credit_code: CreditCode,
    pub enterprise_name: String,
    /// The registered address, where the enterprise gave one (changed by declaration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub product: String,
    pub process: Option<String>,
    pub contact: Contact,
    pub commitment: Option<Commitment>,
    /// The enterprise was on the list of seriously untrustworthy entities when it filed: the
    /// case is reviewed in full, without a commitment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub applicant_listed: bool,
    pub materials: Vec<Material>,
    #[serde(with = "domain::iso_date")]
    pub filed_on: NaiveDate,
    pub filed_at: String,
    pub updated_at: String,
    pub last_position: i64,
    pub correction_rounds: u32,
    pub open_corrections: Vec<String>,
    #[serde(default, with = "domain::iso_date::option")]
    pub accepted_on: Option<NaiveDate>,
    pub statutory_deadline: Option<Deadline>,
    pub committed_deadline: Option<Deadline>,
    pub review: Option<Review>,
    #[serde(default, with = "domain::iso_date::option")]
    pub decided_on: Option<NaiveDate>,
    pub on_commitment: Option<bool>,
    /// Why the case was not accepted, denied, withdrawn or revoked.
    pub closing_reason: Option<String>,
    pub permit: Option<PermitView>,
    pub dispatch: Option<Dispatch>,
    #[serde(default, with = "domain::iso_date::option")]
    pub delivered_on: Option<NaiveDate>,
    pub revocation: Option<Revocation>,
    /// The permit's life after issuance: amendments, renewals, its cancellation or expiry.
    #[serde(default, skip_serializing_if = "PermitLife::is_empty")]
    pub permit_life: PermitLife,
    /// The online guidance the case began with, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<GuidanceView>,
    /// The personal fields that read as erased, by label (`contact.person`, ...): their
    /// subject's key was destroyed. Set when a view is opened for a reader, never stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased_fields: Vec<String>,
    /// Who held the case when, and the facts its clock is read from.
    #[serde(default)]
    pub timeline: CaseTimeline,
    /// The clock on the reader's business date, once the case is accepted. Set when a view
    /// is opened for a reader, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockReport>,
    /// Time at each post up to the reader's moment. Set when opened for a reader, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_times: Option<PostTimes>,
    /// The enterprise's listing on the list of seriously untrustworthy entities on the
    /// reader's date, if it is listed. Set when a view is opened for a reader, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<BlacklistEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub findings: String,
    pub recommendation: Recommendation,
    #[serde(with = "domain::iso_date")]
    pub reviewed_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PermitView {
    pub permit_number: PermitNumber,
    pub scope: String,
    #[serde(with = "domain::iso_date")]
    pub valid_from: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_until: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub issued_on: NaiveDate,
    pub working_days_used: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dispatch {
    pub courier: String,
    pub tracking_number: String,
    #[serde(with = "domain::iso_date")]
    pub dispatched_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Revocation {
    pub reason: String,
    pub false_commitment: bool,
    #[serde(with = "domain::iso_date")]
    pub revoked_on: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum FoldError {
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("event at position {0} comes before its case was filed")]
    BeforeFiling(i64),
    #[error("case id {id:?} at position {position} is not a case id")]
    BadCaseId { position: i64, id: String },
    #[error(
        "event {sequence} of case {case_id} (position {position}) does not follow the case as \
         folded, which stands at version {version}"
    )]
    OutOfSequence {
        position: i64,
        case_id: String,
        sequence: i64,
        version: u64,
    },
}

impl CaseView {
    /// Folds `event` into `current` (None before the filing), returning the new state. The
    /// event must be the next of its case (its sequence one past the view's version): a view
    /// folded onto one that is not the case's latest would be wrong without a sign, so that
    /// is refused.
    pub fn fold(current: Option<CaseView>, event: &LoggedEvent) -> Result<CaseView, FoldError> {
        let version = current.as_ref().map_or(0, |view| view.version);
        if event.sequence != version as i64 + 1 {
            return Err(FoldError::OutOfSequence {
                position: event.position,
                case_id: event.aggregate_id.clone(),
                sequence: event.sequence,
                version,
            });
        }
        let payload: CaseEvent = event.decode()?;
        let mut view = match current {
            None if matches!(payload, CaseEvent::GuidanceRequested { .. }) => {
                CaseView::drafted(event, payload)?
            }
            None => CaseView::filed(event, payload)?,
            // A draft filed: the case as filed, its guidance kept (its time counted nowhere).
            Some(draft) if matches!(payload, CaseEvent::ApplicationFiled { .. }) => {
                let mut view = CaseView::filed(event, payload)?;
                view.guidance = draft.guidance;
                view
            }
            Some(mut view) => {
                view.timeline.record(&payload, &event.recorded_at);
                view.apply(payload);
                view
            }
        };
        view.version = event.sequence as u64;
        view.updated_at.clone_from(&event.recorded_at);
        view.last_position = event.position;
        Ok(view)
    }

    /// Folds a whole history; None if it is empty.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a LoggedEvent>,
    ) -> Result<Option<CaseView>, FoldError> {
        let mut view = None;
        for event in events {
            view = Some(CaseView::fold(view, event)?);
        }
        Ok(view)
    }

    /// Sets the clock and the time at each post as a reader sees them on business date
    /// `today` at moment `now`.
    pub fn supervise(
        &mut self,
        today: NaiveDate,
        now: DateTime<Utc>,
        calendar: &WorkingCalendar,
        rules: &SupervisionRules,
    ) {
        self.clock = self.timeline.clock(today, calendar, rules);
        self.post_times = Some(self.timeline.post_times(today, now, calendar, rules));
    }

    /// The date the case is due by, while a time limit runs.
    pub fn due_on(&self) -> Option<NaiveDate> {
        match self.status {
            CaseStatus::Accepted | CaseStatus::Reviewed | CaseStatus::Approved => {
                self.committed_deadline.map(|d| d.date)
            }
            _ => None,
        }
    }
}

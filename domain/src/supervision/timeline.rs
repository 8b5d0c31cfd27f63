//! Who held a case, and when: folded from its events, one stretch per holder, with the facts
//! its clock is read from (acceptance, the deadlines as they stand, suspensions, extension,
//! the day the clock stopped).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Deadline;
use crate::permit_case::{CaseEvent, SuspensionKind};

/// Who holds a case: one of the bureau's posts, the applicant (answering a correction), a
/// third party (while the clock is suspended) or the courier (the certificate on its way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    Acceptor,
    Reviewer,
    Approver,
    Dispatcher,
    Applicant,
    ThirdParty,
    Courier,
}

/// One holder's time with the case, from the business day and the moment it got it; it
/// lasts until the next stretch begins, or the case's time ends (`CaseTimeline::ended_on`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stretch {
    pub holder: Holder,
    #[serde(with = "crate::iso_date")]
    pub from_on: NaiveDate,
    /// RFC 3339, as the log recorded the event that began it.
    pub from_at: String,
}

/// One suspension of the clock: why, the notice the applicant got, and (once resumed) how
/// many working days it stood still.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Suspension {
    pub kind: SuspensionKind,
    pub reason: String,
    pub notice: String,
    #[serde(with = "crate::iso_date")]
    pub suspended_on: NaiveDate,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub resumed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
}

/// How a case ended its time with the bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Issued,
    Denied,
    Withdrawn,
    NotAccepted,
}

/// A case's time, as its events tell it. Stored in every case view: what is empty or unset is
/// left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseTimeline {
    pub stretches: Vec<Stretch>,
    /// When nobody holds the case any more (decided and delivered, closed), the day and the
    /// moment the last stretch ended.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub ended_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    #[serde(default, with = "crate::iso_date::option")]
    pub accepted_on: Option<NaiveDate>,
    pub statutory_deadline: Option<Deadline>,
    pub committed_deadline: Option<Deadline>,
    /// The statutory limit as it stood at acceptance, before any extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspensions: Vec<Suspension>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extended: bool,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub extended_on: Option<NaiveDate>,
    /// The day the clock stopped (issuance, denial or withdrawal after acceptance), and how.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub stopped_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub approved_on: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub dispatched_on: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::iso_date::option"
    )]
    pub delivered_on: Option<NaiveDate>,
    /// Filed with a signed commitment: after acceptance the approver holds it (no review is
    /// needed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_commitment: bool,
}

impl CaseTimeline {
    /// Folds one event, recorded at `recorded_at` (RFC 3339), on the business day it carries.
    pub fn record(&mut self, event: &CaseEvent, recorded_at: &str) {
        use CaseEvent as E;
        match event {
            E::ApplicationFiled {
                filed_on,
                commitment,
                ..
            } => {
                self.on_commitment = commitment.is_some();
                self.pass(Some(Holder::Acceptor), *filed_on, recorded_at);
            }
            E::CorrectionRequested { requested_on, .. } => {
                self.pass(Some(Holder::Applicant), *requested_on, recorded_at)
            }
            E::MaterialsResubmitted { resubmitted_on, .. } => {
                self.pass(Some(Holder::Acceptor), *resubmitted_on, recorded_at)
            }
            E::ApplicationAccepted {
                accepted_on,
                statutory_deadline,
                committed_deadline,
            } => {
                self.accepted_on = Some(*accepted_on);
                self.statutory_deadline = Some(*statutory_deadline);
                self.committed_deadline = Some(*committed_deadline);
                self.statutory_limit_days = Some(statutory_deadline.working_days);
                let next = if self.on_commitment {
                    Holder::Approver
                } else {
                    Holder::Reviewer
                };
                self.pass(Some(next), *accepted_on, recorded_at);
            }
            E::ApplicationNotAccepted { decided_on, .. } => {
                self.stop(*decided_on, Outcome::NotAccepted);
                self.pass(None, *decided_on, recorded_at);
            }
            E::ReviewRecorded { reviewed_on, .. } => {
                self.pass(Some(Holder::Approver), *reviewed_on, recorded_at)
            }
            E::ApplicationApproved { approved_on, .. } => self.approved_on = Some(*approved_on),
            E::ApplicationDenied { decided_on, .. } => {
                self.stop(*decided_on, Outcome::Denied);
                self.pass(None, *decided_on, recorded_at);
            }
            E::PermitIssued { issued_on, .. } => {
                self.stop(*issued_on, Outcome::Issued);
                self.pass(Some(Holder::Dispatcher), *issued_on, recorded_at);
            }
            E::CertificateDispatched { dispatched_on, .. } => {
                self.dispatched_on = Some(*dispatched_on);
                self.pass(Some(Holder::Courier), *dispatched_on, recorded_at);
            }
            E::CertificateDelivered { delivered_on } => {
                self.delivered_on = Some(*delivered_on);
                self.pass(None, *delivered_on, recorded_at);
            }
            E::ApplicationWithdrawn { withdrawn_on, .. } => {
                self.stop(*withdrawn_on, Outcome::Withdrawn);
                self.end_suspension(*withdrawn_on, None);
                self.pass(None, *withdrawn_on, recorded_at);
            }
            E::PermitRevoked { revoked_on, .. } => self.pass(None, *revoked_on, recorded_at),
            E::PermitCancelled { cancelled_on, .. } => self.pass(None, *cancelled_on, recorded_at),
            E::PermitExpired { expired_on, .. } => self.pass(None, *expired_on, recorded_at),
            // Guidance comes before the clock; the permit's later life has clocks of its own
            // (see the case view's permit).
            E::GuidanceRequested { .. }
            | E::MaterialsCommented { .. }
            | E::DraftRevised { .. }
            | E::AmendmentRequested { .. }
            | E::PermitAmended { .. }
            | E::AmendmentRefused { .. }
            | E::RenewalRequested { .. }
            | E::RenewalAccepted { .. }
            | E::PermitRenewed { .. }
            | E::RenewalRefused { .. }
            | E::PostIssuanceCheckRecorded { .. } => {}
            E::ClockSuspended {
                kind,
                reason,
                notice,
                suspended_on,
            } => {
                self.suspensions.push(Suspension {
                    kind: *kind,
                    reason: reason.clone(),
                    notice: notice.clone(),
                    suspended_on: *suspended_on,
                    resumed_on: None,
                    working_days: None,
                });
                self.pass(Some(Holder::ThirdParty), *suspended_on, recorded_at);
            }
            E::ClockResumed {
                resumed_on,
                suspended_working_days,
                statutory_deadline,
                committed_deadline,
            } => {
                self.end_suspension(*resumed_on, Some(*suspended_working_days));
                self.statutory_deadline = Some(*statutory_deadline);
                self.committed_deadline = Some(*committed_deadline);
                // Back to the post that held the case when the clock stopped.
                let back = self
                    .stretches
                    .iter()
                    .rev()
                    .map(|s| s.holder)
                    .find(|h| *h != Holder::ThirdParty)
                    .unwrap_or(Holder::Reviewer);
                self.pass(Some(back), *resumed_on, recorded_at);
            }
            E::TimeLimitExtended {
                statutory_deadline,
                extended_on,
                ..
            } => {
                self.extended = true;
                self.extended_on = Some(*extended_on);
                self.statutory_deadline = Some(*statutory_deadline);
            }
        }
    }

    /// The suspension still running, if the clock stands still.
    pub fn open_suspension(&self) -> Option<&Suspension> {
        self.suspensions.last().filter(|s| s.resumed_on.is_none())
    }

    /// Each stretch with the day and moment it ended; None for the one still running.
    pub fn stretches_with_ends(
        &self,
    ) -> impl Iterator<Item = (&Stretch, Option<(NaiveDate, &str)>)> + '_ {
        let ended = self.ended_on.zip(self.ended_at.as_deref());
        self.stretches.iter().enumerate().map(move |(i, stretch)| {
            let end = match self.stretches.get(i + 1) {
                Some(next) => Some((next.from_on, next.from_at.as_str())),
                None => ended,
            };
            (stretch, end)
        })
    }

    /// Ends the running stretch on `on`/`at` and begins one for `next` (none: nobody holds
    /// the case any more). The same holder again keeps its stretch.
    fn pass(&mut self, next: Option<Holder>, on: NaiveDate, at: &str) {
        if self.ended_on.is_some() {
            return;
        }
        match next {
            Some(holder) if self.stretches.last().map(|s| s.holder) == Some(holder) => {}
            Some(holder) => self.stretches.push(Stretch {
                holder,
                from_on: on,
                from_at: at.to_owned(),
            }),
            None if self.stretches.is_empty() => {}
            None => {
                self.ended_on = Some(on);
                self.ended_at = Some(at.to_owned());
            }
        }
    }

    fn stop(&mut self, on: NaiveDate, outcome: Outcome) {
        if self.accepted_on.is_some() || outcome == Outcome::NotAccepted {
            self.stopped_on = Some(on);
            self.outcome = Some(outcome);
        }
    }

    /// A withdrawal ends a running suspension without a resumption event: the days it stood
    /// still are then not recorded (`working_days` stays empty), only that it ended.
    fn end_suspension(&mut self, on: NaiveDate, working_days: Option<u32>) {
        if let Some(open) = self
            .suspensions
            .last_mut()
            .filter(|s| s.resumed_on.is_none())
        {
            open.resumed_on = Some(on);
            open.working_days = working_days;
        }
    }
}

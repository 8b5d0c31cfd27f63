//! Time at each post: the working days and elapsed hours each holder had a case, and the time
//! from the decision to the certificate's dispatch and delivery (Administrative Licensing Law
//! art. 44: within ten working days of the decision).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::timeline::{CaseTimeline, Holder};
use super::SupervisionRules;
use crate::calendar::WorkingCalendar;

/// One holder's time with a case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PostTime {
    pub working_days: u32,
    /// Elapsed hours, to a tenth.
    pub hours: f64,
}

/// A case's time by holder. The bureau's posts and the others' time add up to `total`, from
/// filing to the last hand-over (or to now, while someone still holds the case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PostTimes {
    pub acceptor: PostTime,
    pub reviewer: PostTime,
    pub approver: PostTime,
    pub dispatcher: PostTime,
    /// The applicant's time: answering correction requests before acceptance.
    pub applicant: PostTime,
    /// A third party's time: hearings, tests, inspections, appraisals while the clock stands.
    pub third_party: PostTime,
    /// The certificate on its way to the applicant.
    pub courier: PostTime,
    pub total: PostTime,
    /// Working days from the decision to dispatch, and to delivery, once they happened.
    pub approval_to_dispatch_working_days: Option<u32>,
    pub approval_to_delivery_working_days: Option<u32>,
    /// The day the certificate is due in the applicant's hands (art. 44), once approved.
    #[serde(default, with = "crate::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub certificate_due_on: Option<NaiveDate>,
}

impl CaseTimeline {
    /// Time by holder on business date `today` at moment `now` (open stretches count to them).
    pub fn post_times(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        calendar: &WorkingCalendar,
        rules: &SupervisionRules,
    ) -> PostTimes {
        let of = |holder: Option<Holder>| {
            let mut time = PostTime::default();
            let mut seconds = 0i64;
            for (stretch, end) in self.stretches_with_ends() {
                if holder.is_some_and(|h| h != stretch.holder) {
                    continue;
                }
                let until_on = end.map_or(today, |(on, _)| on);
                time.working_days += calendar.working_days_between(stretch.from_on, until_on);
                let until_at = end.and_then(|(_, at)| instant(at)).unwrap_or(now);
                if let Some(from_at) = instant(&stretch.from_at) {
                    seconds += (until_at - from_at).num_seconds().max(0);
                }
            }
            time.hours = (seconds as f64 / 360.0).round() / 10.0;
            time
        };
        let approved = self.approved_on;
        let since_approval = |date: Option<NaiveDate>| {
            approved
                .zip(date)
                .map(|(from, to)| calendar.working_days_between(from, to))
        };
        PostTimes {
            acceptor: of(Some(Holder::Acceptor)),
            reviewer: of(Some(Holder::Reviewer)),
            approver: of(Some(Holder::Approver)),
            dispatcher: of(Some(Holder::Dispatcher)),
            applicant: of(Some(Holder::Applicant)),
            third_party: of(Some(Holder::ThirdParty)),
            courier: of(Some(Holder::Courier)),
            total: of(None),
            approval_to_dispatch_working_days: since_approval(self.dispatched_on),
            approval_to_delivery_working_days: since_approval(self.delivered_on),
            certificate_due_on: approved.map(|from| {
                calendar
                    .add_working_days(from, rules.delivery_limit_working_days)
                    .date
            }),
        }
    }
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    text.parse().ok()
}

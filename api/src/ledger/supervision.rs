//! The supervision figures through the facade: the efficiency of the bureaus an actor may
//! supervise, and the public statistics of the published periods.

use chrono::{Datelike, Months, NaiveDate};
use domain::values::BureauCode;
use domain::Actor;
use projections::listing_queries::PublishedDay;
use projections::supervision::{self, Efficiency, EfficiencyQuery};

use super::{Ledger, LedgerError};

/// The public statistics: every published month, and the latest published day they run to.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedStatistics {
    pub periods: Vec<PublishedPeriod>,
    pub latest: Option<PublishedDay>,
}

/// One published period of the public statistics: a calendar month, cut to the days
/// published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedPeriod {
    pub period: String,
    pub figures: Efficiency,
}

impl Ledger {
    /// The efficiency figures `asked`, narrowed to what `actor` supervises: provincial
    /// officers and auditors every bureau, a city's (or county's) officers their city's;
    /// applicants none. `asked.today` is set to the ledger's business date.
    pub async fn efficiency_for(
        &self,
        actor: &Actor,
        mut asked: EfficiencyQuery,
    ) -> Result<Efficiency, LedgerError> {
        let province = &self.services().catalogue.jurisdiction().province.code;
        if asked.bureau.as_ref() == Some(province) {
            asked.bureau = None;
        }
        match actor {
            Actor::Applicant { .. } => {
                return Err(LedgerError::not_permitted(
                    "supervisors-only",
                    "the supervision figures are for officers and auditors",
                ))
            }
            Actor::Officer { bureau, .. } if bureau == province => {}
            Actor::Officer { bureau, .. } => {
                let city = bureau.city();
                match (&asked.bureau, &city) {
                    (Some(area), Some(own)) if area != own => {
                        return Err(LedgerError::not_permitted(
                            "own-area-only",
                            format!("officers of {bureau} see the figures of {own} only"),
                        ))
                    }
                    _ => asked.bureau = city,
                }
            }
            Actor::Auditor { .. } | Actor::System => {}
        }
        asked.today = self.today();
        self.efficiency(&asked).await
    }

    /// The figures `query` asks for, whoever asks (tools and tests).
    pub async fn efficiency(&self, query: &EfficiencyQuery) -> Result<Efficiency, LedgerError> {
        Ok(supervision::efficiency(&self.db, query, &self.services().catalogue).await?)
    }

    /// The statistics of every published month, oldest first: each month from its first to
    /// its last published day (the latest month up to the latest published day), per bureau
    /// and item.
    pub async fn published_statistics(&self) -> Result<PublishedStatistics, LedgerError> {
        let latest = self.published_days(1).await?.into_iter().next();
        let (Some(first), Some(last)) = (
            self.first_published_day().await?,
            latest.as_ref().map(|d| d.day),
        ) else {
            return Ok(PublishedStatistics {
                periods: Vec::new(),
                latest,
            });
        };
        let mut periods = Vec::new();
        let mut month = month_start(first);
        while month <= last {
            let next = month + Months::new(1);
            let query = EfficiencyQuery {
                from: month.max(first),
                to: next.pred_opt().expect("a month has a last day").min(last),
                bureau: None::<BureauCode>,
                item: None,
                today: last,
            };
            periods.push(PublishedPeriod {
                period: format!("{:04}-{:02}", month.year(), month.month()),
                figures: self.efficiency(&query).await?,
            });
            month = next;
        }
        Ok(PublishedStatistics { periods, latest })
    }
}

/// The first day of `date`'s month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("every month has a first day")
}

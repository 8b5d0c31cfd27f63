//! `permit-ledger impact`: the reform's impact, replayed from the log alone. For every case
//! decided in a range: the working days it used against its statutory and its committed
//! limit; per bureau and item, the compression achieved (1 - used / statutory) and the share
//! of cases late against each limit.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::supervision::Outcome;
use domain::{CaseServices, PermitCase};
use projections::{log, CaseView};
use serde::Serialize;

use crate::ledger::Ledger;

/// Events read from the log per page.
const PAGE: i64 = 5_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    #[serde(with = "domain::iso_date::option")]
    pub from: Option<NaiveDate>,
    #[serde(with = "domain::iso_date::option")]
    pub to: Option<NaiveDate>,
    pub groups: Vec<ImpactGroup>,
    pub total: ImpactFigures,
    pub cases: Vec<DecidedCase>,
}

/// One decided case, as the log tells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecidedCase {
    pub case_id: String,
    pub bureau: String,
    pub item_code: String,
    #[serde(with = "domain::iso_date")]
    pub decided_on: NaiveDate,
    pub outcome: Outcome,
    pub used_working_days: u32,
    /// The statutory limit as at acceptance, and as the law allowed it (with an extension).
    pub statutory_limit_days: u32,
    pub statutory_allowed_days: u32,
    pub committed_limit_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactGroup {
    pub bureau: String,
    pub item_code: String,
    pub figures: ImpactFigures,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImpactFigures {
    pub cases: u32,
    pub used_working_days: u64,
    pub statutory_limit_days: u64,
    pub committed_limit_days: u64,
    /// 1 - used / statutory, over the cases.
    pub compression: Option<f64>,
    /// The committed limit against the statutory: what the reform promised to save.
    pub promised_compression: Option<f64>,
    /// Cases that used more than the committed limit: late against the promise.
    pub late_against_committed: u32,
    pub late_against_committed_share: Option<f64>,
    /// Cases that used more than the statutory limit allows (an extension included).
    pub late_against_statutory: u32,
    pub late_against_statutory_share: Option<f64>,
}

/// Replays the log's case events and measures every case decided in `[from, to]` (either
/// bound open when None).
pub async fn impact(
    ledger: &Ledger,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> anyhow::Result<Impact> {
    let mut views: HashMap<String, CaseView> = HashMap::new();
    let mut after = 0;
    loop {
        let events = log::read_after(ledger.db(), after, PAGE).await?;
        let Some(last) = events.last() else { break };
        after = last.position;
        for event in events
            .iter()
            .filter(|e| e.aggregate_type == <PermitCase as cqrs_es::Aggregate>::TYPE)
        {
            let view = CaseView::fold(views.remove(&event.aggregate_id), event)?;
            views.insert(event.aggregate_id.clone(), view);
        }
    }
    let mut cases: Vec<DecidedCase> = views
        .into_values()
        .filter_map(|view| decided(ledger.services(), &view))
        .filter(|case| from.is_none_or(|from| case.decided_on >= from))
        .filter(|case| to.is_none_or(|to| case.decided_on <= to))
        .collect();
    cases.sort_by(|a, b| (a.decided_on, &a.case_id).cmp(&(b.decided_on, &b.case_id)));
    Ok(summarise(from, to, cases))
}

/// The case as measured, if it was decided (issued or denied after acceptance).
fn decided(services: &CaseServices, view: &CaseView) -> Option<DecidedCase> {
    let timeline = &view.timeline;
    let outcome = timeline
        .outcome
        .filter(|o| matches!(o, Outcome::Issued | Outcome::Denied))?;
    let decided_on = timeline.stopped_on?;
    let clock = timeline.clock(decided_on, &services.calendar, &services.supervision)?;
    Some(DecidedCase {
        case_id: view.case_id.to_string(),
        bureau: view.bureau.to_string(),
        item_code: view.item_code.to_string(),
        decided_on,
        outcome,
        used_working_days: clock.used_working_days,
        statutory_limit_days: timeline.statutory_limit_days?,
        statutory_allowed_days: clock.statutory_deadline.working_days,
        committed_limit_days: clock.committed_deadline.working_days,
    })
}

fn summarise(from: Option<NaiveDate>, to: Option<NaiveDate>, cases: Vec<DecidedCase>) -> Impact {
    let mut groups: BTreeMap<(String, String), ImpactFigures> = BTreeMap::new();
    let mut total = ImpactFigures::default();
    for case in &cases {
        let group = groups
            .entry((case.bureau.clone(), case.item_code.clone()))
            .or_default();
        for figures in [&mut *group, &mut total] {
            figures.add(case);
        }
    }
    total.derive();
    Impact {
        from,
        to,
        groups: groups
            .into_iter()
            .map(|((bureau, item_code), mut figures)| {
                figures.derive();
                ImpactGroup {
                    bureau,
                    item_code,
                    figures,
                }
            })
            .collect(),
        total,
        cases,
    }
}

impl ImpactFigures {
    fn add(&mut self, case: &DecidedCase) {
        self.cases += 1;
        self.used_working_days += u64::from(case.used_working_days);
        self.statutory_limit_days += u64::from(case.statutory_limit_days);
        self.committed_limit_days += u64::from(case.committed_limit_days);
        self.late_against_committed +=
            u32::from(case.used_working_days > case.committed_limit_days);
        self.late_against_statutory +=
            u32::from(case.used_working_days > case.statutory_allowed_days);
    }

    fn derive(&mut self) {
        let ratio = |part: f64, whole: f64| (whole > 0.0).then(|| round(part / whole));
        let statutory = self.statutory_limit_days as f64;
        self.compression = ratio(statutory - self.used_working_days as f64, statutory);
        self.promised_compression = ratio(statutory - self.committed_limit_days as f64, statutory);
        let cases = f64::from(self.cases);
        self.late_against_committed_share = ratio(f64::from(self.late_against_committed), cases);
        self.late_against_statutory_share = ratio(f64::from(self.late_against_statutory), cases);
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(bureau: &str, used: u32) -> DecidedCase {
        DecidedCase {
            case_id: format!("{bureau}-{used}"),
            bureau: bureau.into(),
            item_code: "XK-003".into(),
            decided_on: "2026-11-20".parse().unwrap(),
            outcome: Outcome::Issued,
            used_working_days: used,
            statutory_limit_days: 20,
            statutory_allowed_days: 20,
            committed_limit_days: 10,
        }
    }

    #[test]
    fn compression_and_lateness_are_over_the_cases_of_each_group() {
        let impact = summarise(
            None,
            None,
            vec![case("370100", 4), case("370100", 12), case("370200", 25)],
        );
        let jinan = &impact.groups[0].figures;
        assert_eq!(jinan.cases, 2);
        assert_eq!(jinan.compression, Some(0.6), "1 - 16 / 40");
        assert_eq!(jinan.promised_compression, Some(0.5));
        assert_eq!(jinan.late_against_committed, 1);
        assert_eq!(jinan.late_against_committed_share, Some(0.5));
        assert_eq!(jinan.late_against_statutory, 0);
        let total = &impact.total;
        assert_eq!(total.cases, 3);
        assert_eq!(total.compression, Some(0.3167), "1 - 41 / 60");
        assert_eq!(total.late_against_statutory, 1);
    }
}

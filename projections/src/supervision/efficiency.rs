//! The efficiency figures over a range of business days, per bureau and item and in total,
//! summed from the rows the projection keeps (no case or event is read), and the open cases
//! by the warning they are at today.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::catalogue::Catalogue;
use domain::supervision::Warning;
use domain::values::{BureauCode, ItemCode};
use serde::Serialize;
use sqlx::Row;

use super::figures::{DayFigures, COLUMNS};
use super::open_checks::{open_checks, OpenChecks};
use crate::case_projection::warning_sql;
use crate::case_queries::QueryError;
use crate::db::Db;
use crate::on_db;

/// The days, bureau and item to sum; `today` is the business date open cases are warned on.
#[derive(Debug, Clone)]
pub struct EfficiencyQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One bureau, or every bureau when None.
    pub bureau: Option<BureauCode>,
    pub item: Option<ItemCode>,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Efficiency {
    #[serde(with = "domain::iso_date")]
    pub from: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub to: NaiveDate,
    /// The business date the open cases' warnings are read on.
    #[serde(with = "domain::iso_date")]
    pub as_of: NaiveDate,
    pub rows: Vec<EfficiencyRow>,
    pub total: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EfficiencyRow {
    pub bureau: BureauCode,
    pub bureau_name: String,
    pub item_code: ItemCode,
    pub item_name: String,
    pub figures: Figures,
}

/// A count and its share of a whole (None when the whole is zero), to four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub count: i64,
    pub rate: Option<f64>,
}

/// Working days used by the decided cases: mean, median and 90th percentile (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Spread {
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// Mean working days at each post: of the decided cases (acceptor, reviewer, approver) and
/// of the certificates dispatched (dispatcher: from issuance to dispatch).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PostMeans {
    pub acceptor: Option<f64>,
    pub reviewer: Option<f64>,
    pub approver: Option<f64>,
    pub dispatcher: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OpenByWarning {
    pub on_track: i64,
    pub yellow: i64,
    pub red: i64,
    pub breach: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub filed: i64,
    pub accepted: i64,
    /// Issued or denied after acceptance, in the range.
    pub decided: i64,
    pub issued: i64,
    pub denied: i64,
    /// Decided by the committed deadline (the promise), of those decided.
    pub within_committed: Share,
    /// Decided by the statutory deadline (extension included), of those decided.
    pub within_statutory: Share,
    pub used_working_days: Spread,
    /// 1 - working days used / statutory limit, over the decided cases.
    pub compression: Option<f64>,
    pub post_mean_working_days: PostMeans,
    pub suspensions: i64,
    pub suspended_working_days: i64,
    pub extensions: i64,
    /// Certificates dispatched within the limit after the decision (art. 44).
    pub dispatched_in_time: Share,
    /// Open accepted cases by the warning they are at on `as_of` (whatever the range).
    pub open_by_warning: OpenByWarning,
    /// Checks after issuance still to be made on `as_of`, and of those overdue.
    pub open_checks: OpenChecks,
    /// Filings handled by the city bureau where the applicant is registered, of all filed.
    pub home_city: Share,
    /// Filings the provincial bureau handled directly.
    pub provincial_direct: i64,
}

/// What one bureau and item (or the total) sums to, before the figures are derived.
#[derive(Debug, Default)]
struct Sums {
    days: DayFigures,
    used: BTreeMap<i64, i64>,
    open: OpenByWarning,
    checks: OpenChecks,
}

type Key = (String, String);

pub async fn efficiency(
    db: &Db,
    query: &EfficiencyQuery,
    catalogue: &Catalogue,
) -> Result<Efficiency, QueryError> {
    let mut sums: BTreeMap<Key, Sums> = BTreeMap::new();
    let (from, to) = (
        domain::iso_date::text(query.from),
        domain::iso_date::text(query.to),
    );
    // Only the filters asked for: `$n IS NULL OR ...` would keep the planners off the keys.
    let (area, area_values) = area_filter(query, 3);
    let totals: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect();
    let daily = format!(
        "SELECT bureau, item_code, {} FROM supervision_daily WHERE day >= $1 AND day <= $2{area} \
         GROUP BY bureau, item_code",
        totals.join(", ")
    );
    let used = format!(
        "SELECT bureau, item_code, used_working_days, CAST(SUM(cases) AS BIGINT) \
         FROM supervision_used_days WHERE day >= $1 AND day <= $2{area} \
         GROUP BY bureau, item_code, used_working_days"
    );
    let (open_area, _) = area_filter(query, 2);
    let open = format!(
        "SELECT bureau, item_code, warning, COUNT(*) FROM ( \
           SELECT bureau, item_code, {} AS warning FROM case_state \
           WHERE (yellow_from IS NOT NULL OR frozen_warning IS NOT NULL){open_area}) AS open \
         GROUP BY bureau, item_code, warning",
        warning_sql("$1")
    );
    // Planned for the range and area asked for each time (unnamed statements): a plan cached
    // for any range guesses a few rows and sorts a year's.
    on_db!(db, |pool| {
        let mut daily = sqlx::query(&daily).persistent(false).bind(&from).bind(&to);
        for value in &area_values {
            daily = daily.bind(*value);
        }
        for row in daily.fetch_all(pool).await? {
            let mut values = [0i64; 21];
            for (i, value) in values.iter_mut().enumerate() {
                *value = row.try_get::<Option<i64>, _>(i + 2)?.unwrap_or(0);
            }
            sums.entry(key(&row)?).or_default().days = DayFigures::from_values(values);
        }
        let mut used = sqlx::query(&used).persistent(false).bind(&from).bind(&to);
        for value in &area_values {
            used = used.bind(*value);
        }
        for row in used.fetch_all(pool).await? {
            let (days, cases): (i64, Option<i64>) = (row.try_get(2)?, row.try_get(3)?);
            *sums
                .entry(key(&row)?)
                .or_default()
                .used
                .entry(days)
                .or_default() += cases.unwrap_or(0);
        }
        let today = domain::iso_date::text(query.today);
        let mut open = sqlx::query(&open).persistent(false).bind(&today);
        for value in &area_values {
            open = open.bind(*value);
        }
        for row in open.fetch_all(pool).await? {
            let (warning, count): (String, i64) = (row.try_get(2)?, row.try_get(3)?);
            let open = &mut sums.entry(key(&row)?).or_default().open;
            match Warning::parse(&warning) {
                Some(Warning::OnTrack) => open.on_track += count,
                Some(Warning::Yellow) => open.yellow += count,
                Some(Warning::Red) => open.red += count,
                Some(Warning::Breach) => open.breach += count,
                None => {}
            }
        }
    });
    let today = domain::iso_date::text(query.today);
    for (key, checks) in open_checks(db, &today, &open_area, &area_values).await? {
        sums.entry(key).or_default().checks = checks;
    }
    let mut total = Sums::default();
    let mut rows = Vec::new();
    for ((bureau, item), sums) in sums {
        total.days += sums.days;
        for (days, cases) in &sums.used {
            *total.used.entry(*days).or_default() += cases;
        }
        total.open.on_track += sums.open.on_track;
        total.open.yellow += sums.open.yellow;
        total.open.red += sums.open.red;
        total.open.breach += sums.open.breach;
        total.checks += sums.checks;
        let (Ok(bureau), Ok(item_code)) = (BureauCode::parse(&bureau), ItemCode::parse(&item))
        else {
            continue;
        };
        rows.push(EfficiencyRow {
            bureau_name: bureau_name(catalogue, &bureau),
            item_name: catalogue
                .item(&item_code)
                .map_or_else(String::new, |i| i.name.clone()),
            bureau,
            item_code,
            figures: sums.figures(),
        });
    }
    Ok(Efficiency {
        from: query.from,
        to: query.to,
        as_of: query.today,
        rows,
        total: total.figures(),
    })
}

/// The conditions on bureau and item `query` asks for, numbered from parameter `first`, and
/// the values to bind to them in that order.
fn area_filter(query: &EfficiencyQuery, first: usize) -> (String, Vec<&str>) {
    let mut conditions = String::new();
    let mut values = Vec::new();
    for (column, value) in [
        ("bureau", query.bureau.as_ref().map(|b| b.as_str())),
        ("item_code", query.item.as_ref().map(|i| i.as_str())),
    ] {
        if let Some(value) = value {
            conditions.push_str(&format!(" AND {column} = ${}", first + values.len()));
            values.push(value);
        }
    }
    (conditions, values)
}

/// The bureau and item of a grouped row (its first two columns), on either store.
fn key<R: Row>(row: &R) -> Result<Key, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok((row.try_get(0)?, row.try_get(1)?))
}

fn bureau_name(catalogue: &Catalogue, bureau: &BureauCode) -> String {
    catalogue.bureau_name(bureau).unwrap_or_default().to_owned()
}

impl Sums {
    fn figures(&self) -> Figures {
        let d = &self.days;
        let per = |sum: i64, of: i64| (of > 0).then(|| round(sum as f64 / of as f64));
        let share = |count: i64, of: i64| Share {
            count,
            rate: per(count, of),
        };
        Figures {
            filed: d.filed,
            accepted: d.accepted,
            decided: d.decided,
            issued: d.issued,
            denied: d.denied,
            within_committed: share(d.within_committed, d.decided),
            within_statutory: share(d.within_statutory, d.decided),
            used_working_days: Spread {
                mean: per(d.used_working_days, d.decided),
                median: quantile(&self.used, 0.5),
                p90: quantile(&self.used, 0.9),
            },
            compression: (d.statutory_limit_days > 0)
                .then(|| round(1.0 - d.used_working_days as f64 / d.statutory_limit_days as f64)),
            post_mean_working_days: PostMeans {
                acceptor: per(d.acceptor_days, d.decided),
                reviewer: per(d.reviewer_days, d.decided),
                approver: per(d.approver_days, d.decided),
                dispatcher: per(d.dispatcher_days, d.dispatched),
            },
            suspensions: d.suspensions,
            suspended_working_days: d.suspended_working_days,
            extensions: d.extensions,
            dispatched_in_time: share(d.dispatched_in_time, d.dispatched),
            open_by_warning: self.open,
            open_checks: self.checks,
            home_city: share(d.filed_home_city, d.filed),
            provincial_direct: d.filed_province,
        }
    }
}

/// The `q` quantile of a histogram (value -> count): the median is the middle value, or the
/// mean of the two middle ones; other quantiles the nearest rank (the smallest value with at
/// least `q` of the cases at or below it).
fn quantile(histogram: &BTreeMap<i64, i64>, q: f64) -> Option<f64> {
    let n: i64 = histogram.values().sum();
    if n == 0 {
        return None;
    }
    let nth = |rank: i64| {
        let mut seen = 0;
        for (value, count) in histogram {
            seen += count;
            if seen >= rank {
                return *value as f64;
            }
        }
        unreachable!("rank is at most the number of cases")
    };
    if q == 0.5 {
        return Some(if n % 2 == 1 {
            nth(n / 2 + 1)
        } else {
            (nth(n / 2) + nth(n / 2 + 1)) / 2.0
        });
    }
    Some(nth(((q * n as f64).ceil() as i64).max(1)))
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(values: &[(i64, i64)]) -> BTreeMap<i64, i64> {
        values.iter().copied().collect()
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(quantile(&histogram(&[(3, 1), (5, 1)]), 0.5), Some(4.0));
        assert_eq!(quantile(&histogram(&[(3, 2), (9, 1)]), 0.5), Some(3.0));
    }

    #[test]
    fn the_90th_percentile_is_the_nearest_rank() {
        // Ten cases 1..=10: the 9th is 9; eleven cases: rank ceil(9.9) = 10.
        let ten: Vec<(i64, i64)> = (1..=10).map(|v| (v, 1)).collect();
        assert_eq!(quantile(&histogram(&ten), 0.9), Some(9.0));
        let eleven: Vec<(i64, i64)> = (1..=11).map(|v| (v, 1)).collect();
        assert_eq!(quantile(&histogram(&eleven), 0.9), Some(10.0));
        assert_eq!(quantile(&BTreeMap::new(), 0.9), None);
    }
}

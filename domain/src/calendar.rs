//! The working-day calendar: weekends and public holidays are not working days, make-up
//! workdays are. Loaded from data that an operator updates each year.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The calendar shipped with the project (`domain/data/calendar.json`).
pub const BUNDLED_CALENDAR: &str = include_str!("../data/calendar.json");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Covered years, and for each the days that differ from the weekend rule:
    /// `false` a holiday on a weekday or weekend, `true` a make-up workday.
    exceptions: BTreeMap<i32, BTreeMap<NaiveDate, bool>>,
}

/// How a deadline was counted: with the holiday calendar, or (past the loaded years)
/// with weekends only, which an officer should re-check once the next calendar is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineBasis {
    HolidayCalendar,
    WeekendsOnly,
}

/// A date reached by counting working days, with how it was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Deadline {
    #[serde(with = "crate::iso_date")]
    pub date: NaiveDate,
    pub working_days: u32,
    pub basis: DeadlineBasis,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar data is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("calendar year {year}: {problem}")]
    Inconsistent { year: i32, problem: String },
}

#[derive(Deserialize)]
struct CalendarFile {
    years: Vec<YearFile>,
}

#[derive(Deserialize)]
struct YearFile {
    year: i32,
    holidays: Vec<HolidayFile>,
    makeup_workdays: Vec<NaiveDate>,
}

#[derive(Deserialize)]
struct HolidayFile {
    from: NaiveDate,
    to: NaiveDate,
}

impl WorkingCalendar {
    pub fn bundled() -> Self {
        Self::from_json(BUNDLED_CALENDAR).expect("the bundled calendar is valid (tested)")
    }

    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let file: CalendarFile = serde_json::from_str(json)?;
        let mut exceptions = BTreeMap::new();
        for year in file.years {
            let bad = |problem: String| CalendarError::Inconsistent {
                year: year.year,
                problem,
            };
            let mut days = BTreeMap::new();
            for holiday in &year.holidays {
                if holiday.to < holiday.from {
                    return Err(bad(format!(
                        "holiday ends before it starts: {}",
                        holiday.from
                    )));
                }
                for day in holiday.from.iter_days().take_while(|d| *d <= holiday.to) {
                    if day.year() != year.year {
                        return Err(bad(format!("{day} is not in the year")));
                    }
                    days.insert(day, false);
                }
            }
            for day in &year.makeup_workdays {
                if day.year() != year.year || days.contains_key(day) {
                    return Err(bad(format!(
                        "make-up workday {day} is outside the year or a holiday"
                    )));
                }
                days.insert(*day, true);
            }
            if exceptions.insert(year.year, days).is_some() {
                return Err(bad("year listed twice".into()));
            }
        }
        Ok(Self { exceptions })
    }

    pub fn covered_years(&self) -> BTreeSet<i32> {
        self.exceptions.keys().copied().collect()
    }

    pub fn covers(&self, date: NaiveDate) -> bool {
        self.exceptions.contains_key(&date.year())
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let listed = self
            .exceptions
            .get(&date.year())
            .and_then(|days| days.get(&date).copied());
        listed.unwrap_or(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The `n`-th working day after `start` (the day of acceptance does not count).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut date = start;
        let mut counted = 0;
        let mut basis = self.basis_of(start);
        while counted < n {
            date = date + Days::new(1);
            if !self.covers(date) {
                basis = DeadlineBasis::WeekendsOnly;
            }
            if self.is_working_day(date) {
                counted += 1;
            }
        }
        Deadline {
            date,
            working_days: n,
            basis,
        }
    }

    /// Working days in `(from, to]`: how many working days have been used by `to` of a limit
    /// that started counting after `from`. Zero when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    fn basis_of(&self, date: NaiveDate) -> DeadlineBasis {
        if self.covers(date) {
            DeadlineBasis::HolidayCalendar
        } else {
            DeadlineBasis::WeekendsOnly
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_bundled_calendar_covers_2025_and_2026() {
        let cal = WorkingCalendar::bundled();
        assert_eq!(cal.covered_years(), [2025, 2026].into());
    }

    #[test]
    fn holidays_are_not_working_days_and_make_up_days_are() {
        let cal = WorkingCalendar::bundled();
        assert!(
            !cal.is_working_day(day("2026-10-05")),
            "National Day Monday"
        );
        assert!(cal.is_working_day(day("2026-10-10")), "make-up Saturday");
        assert!(
            cal.is_working_day(day("2025-01-26")),
            "make-up Sunday before Spring Festival"
        );
        assert!(!cal.is_working_day(day("2025-01-28")));
        assert!(!cal.is_working_day(day("2026-11-28")), "plain Saturday");
        assert!(cal.is_working_day(day("2026-11-30")), "plain Monday");
    }

    #[test]
    fn ten_working_days_across_national_day_2026() {
        // Accepted Tue 29 Sep: Wed 30 Sep is day 1, Oct 1-7 are holidays, Thu 8 and Fri 9 are
        // days 2 and 3, Sat 10 (make-up) day 4, then Mon 12 .. Fri 16 days 5-9, Mon 19 day 10.
        let cal = WorkingCalendar::bundled();
        let deadline = cal.add_working_days(day("2026-09-29"), 10);
        assert_eq!(deadline.date, day("2026-10-19"));
        assert_eq!(deadline.basis, DeadlineBasis::HolidayCalendar);
    }

    #[test]
    fn past_the_loaded_years_weekends_only_and_the_deadline_says_so() {
        let cal = WorkingCalendar::bundled();
        let deadline = cal.add_working_days(day("2026-12-24"), 10);
        // Dec 25, 28-31 (5), then Jan 1 2027 counted as a plain Friday (6), Jan 4-7 (10).
        assert_eq!(deadline.date, day("2027-01-07"));
        assert_eq!(deadline.basis, DeadlineBasis::WeekendsOnly);
        let within = cal.add_working_days(day("2026-11-02"), 10);
        assert_eq!(within.basis, DeadlineBasis::HolidayCalendar);
    }

    #[test]
    fn inconsistent_calendars_are_refused() {
        let overlapping = r#"{"years":[{"year":2026,"holidays":[{"name":"x","from":"2026-10-01","to":"2026-10-02"}],"makeup_workdays":["2026-10-02"]}]}"#;
        assert!(WorkingCalendar::from_json(overlapping).is_err());
        let wrong_year =
            r#"{"years":[{"year":2026,"holidays":[],"makeup_workdays":["2025-10-02"]}]}"#;
        assert!(WorkingCalendar::from_json(wrong_year).is_err());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..1200).prop_map(|d| day("2024-06-01") + chrono::Duration::days(d))
    }

    proptest! {
        #[test]
        fn counting_back_gives_the_number_added(start in any_date(), n in 0u32..80) {
            let cal = WorkingCalendar::bundled();
            let deadline = cal.add_working_days(start, n);
            prop_assert_eq!(cal.working_days_between(start, deadline.date), n);
        }

        #[test]
        fn a_deadline_falls_on_a_working_day(start in any_date(), n in 1u32..80) {
            let cal = WorkingCalendar::bundled();
            prop_assert!(cal.is_working_day(cal.add_working_days(start, n).date));
        }

        #[test]
        fn more_days_never_come_earlier(start in any_date(), n in 0u32..80) {
            let cal = WorkingCalendar::bundled();
            prop_assert!(cal.add_working_days(start, n).date < cal.add_working_days(start, n + 1).date);
        }

        #[test]
        fn halving_a_limit_never_takes_longer(start in any_date(), n in 1u32..40) {
            let cal = WorkingCalendar::bundled();
            prop_assert!(cal.add_working_days(start, n).date <= cal.add_working_days(start, 2 * n).date);
        }
    }
}

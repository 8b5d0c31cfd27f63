//! The targets of issue 5 (README, Performance), judged against one run's figures.

use std::fmt;

use super::{find_row, Row};

/// How a figure and its target are written.
#[derive(Clone, Copy)]
enum Unit {
    Times,
    Percent,
    Megabytes,
}

impl Unit {
    fn show(self, value: f64) -> String {
        match self {
            Unit::Times => format!("{value:.2}x"),
            Unit::Percent => format!("{:.1}%", 100.0 * value),
            Unit::Megabytes => format!("{value:.0} MB"),
        }
    }
}

/// The bound a figure must reach or keep under.
#[derive(Clone, Copy)]
enum Target {
    AtLeast(f64),
    AtMost(f64),
    Below(f64),
}

/// One target against the figure of this run.
pub struct Check {
    store: &'static str,
    what: &'static str,
    value: f64,
    target: Target,
    unit: Unit,
}

impl Check {
    fn met(&self) -> bool {
        match self.target {
            Target::AtLeast(bound) => self.value >= bound,
            Target::AtMost(bound) => self.value <= bound,
            Target::Below(bound) => self.value < bound,
        }
    }
}

/// Every target whose figures this run measured, per store.
pub fn judge(rows: &[Row]) -> Vec<Check> {
    let mut checks = Vec::new();
    for store in ["sqlite", "postgres"] {
        let row = |section: &str, clients: usize, measure: &str| {
            find_row(rows, section, store, clients, measure)
        };
        let value = |section: &str, clients: usize, measure: &str| {
            row(section, clients, measure).map(|r| r.value)
        };
        let mut check = |what, value: Option<f64>, target, unit| {
            if let Some(value) = value {
                checks.push(Check {
                    store,
                    what,
                    value,
                    target,
                    unit,
                });
            }
        };
        let ours = value("commands", 8, "ledger");
        let ratio = |of: Option<f64>, to: Option<f64>| Some(of? / to?);
        check(
            "commands / plain cqrs-es",
            ratio(ours, value("commands", 8, "plain cqrs-es")),
            Target::AtLeast(1.5),
            Unit::Times,
        );
        check(
            "commands / raw inserts",
            ratio(ours, value("commands", 8, "raw insert")),
            Target::AtLeast(0.4),
            Unit::Percent,
        );
        check(
            "sealed / in clear",
            ratio(ours, value("commands", 8, "unsealed ledger")),
            Target::AtLeast(0.9),
            Unit::Percent,
        );
        check(
            "p99 / p50, 8 clients",
            row("commands", 8, "ledger").and_then(|r| Some(r.p99_ms? / r.p50_ms?)),
            Target::AtMost(3.0),
            Unit::Times,
        );
        check(
            "rebuild / scan",
            ratio(
                value("rebuild", 1, "rebuild"),
                value("rebuild", 1, "raw sequential scan"),
            ),
            Target::AtLeast(0.3),
            Unit::Percent,
        );
        check(
            "peak RSS",
            value("rebuild", 1, "peak RSS"),
            Target::Below(300.0),
            Unit::Megabytes,
        );
        let static_file = value("feeds", 8, "static file");
        check(
            "feed / static",
            ratio(value("feeds", 8, "GET /feeds/permits.rss"), static_file),
            Target::AtLeast(0.5),
            Unit::Percent,
        );
        check(
            "304 / static",
            ratio(value("feeds", 8, "304 /feeds/permits.rss"), static_file),
            Target::AtLeast(0.9),
            Unit::Percent,
        );
    }
    checks
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (relation, bound) = match self.target {
            Target::AtLeast(bound) => (">=", bound),
            Target::AtMost(bound) => ("<=", bound),
            Target::Below(bound) => ("<", bound),
        };
        let target = format!("{relation} {}", self.unit.show(bound));
        write!(
            f,
            "  {:<9}{:<26}{:>10}  target {:<10}{}",
            self.store,
            self.what,
            self.unit.show(self.value),
            target,
            if self.met() { "met" } else { "MISSED" }
        )
    }
}

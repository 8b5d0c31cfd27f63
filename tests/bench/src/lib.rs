//! The benchmark program (`permit-ledger-bench`): measures the ledger beside the limits of what it stands on, in one
//! run on one machine, so that ratios stay meaningful on a noisy machine.
//!
//! - commands over real HTTP (1 and 8 clients), beside raw single-row INSERT transactions,
//!   the plain cqrs-es framework with one GenericQuery, and the same ledger with its personal
//!   fields logged in clear (what sealing them costs), on SQLite and PostgreSQL;
//! - projection rebuild from a bulk-loaded log, beside a raw sequential scan, with peak RSS;
//! - the supervision figures over a generated year of 100,000 cases, beside a single-case
//!   read;
//! - an inspection plan over every permit in force of that generated year: made, read,
//!   drawn and verified;
//! - feed serving (200 and 304) beside the same bytes from a plain static file server, and
//!   the render time of a 10,000-notice day.

mod bulk;
mod commands;
mod feeds;
mod generated_year;
mod inspections;
mod issued_cases;
mod load;
mod plain;
mod rebuild;
mod supervision;
mod targets;
mod wake_ups;

use std::path::PathBuf;

use permit_ledger::settings::Settings;
use serde::Serialize;
use test_support::{Scratch, Store};

/// How much work each measurement does.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// Rounds of the command measurements; each figure is the median round's.
    pub command_rounds: usize,
    pub lifecycles_per_client: usize,
    pub raw_inserts_per_client: usize,
    pub rebuild_events: usize,
    pub feed_requests_per_client: usize,
    pub feed_permits: usize,
    pub render_notices: usize,
    /// Cases of the generated year the supervision figures are measured over, and how many
    /// times each figure is asked for.
    pub supervision_cases: usize,
    pub supervision_queries: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            command_rounds: 3,
            lifecycles_per_client: 150,
            raw_inserts_per_client: 1_500,
            rebuild_events: 1_000_000,
            feed_requests_per_client: 1_000,
            feed_permits: 200,
            render_notices: 10_000,
            supervision_cases: 100_000,
            supervision_queries: 50,
        }
    }

    /// Seconds, not minutes: for the smoke test that keeps the benchmark from rotting.
    pub fn quick() -> Self {
        Self {
            command_rounds: 1,
            lifecycles_per_client: 1,
            raw_inserts_per_client: 10,
            rebuild_events: 700,
            feed_requests_per_client: 10,
            feed_permits: 3,
            render_notices: 500,
            supervision_cases: 300,
            supervision_queries: 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub sizes: Sizes,
    /// A PostgreSQL server URL (no database): each measurement makes and drops its own.
    pub postgres: Option<String>,
    pub out: PathBuf,
    /// Sections to run (commands, rebuild, supervision, inspections, feeds, render); empty
    /// for all.
    pub only: Vec<String>,
    /// Stores to measure (sqlite, postgres); empty for all that are available.
    pub stores: Vec<String>,
}

impl Options {
    fn runs(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }

    /// A throw-away store for one measurement; on PostgreSQL, a database on `--postgres`.
    async fn scratch(&self, store: Store) -> anyhow::Result<Scratch> {
        match store {
            Store::Sqlite => Scratch::new(store).await,
            Store::Postgres => {
                let server = self
                    .postgres
                    .as_deref()
                    .ok_or_else(|| anyhow::anyhow!("no PostgreSQL server given"))?;
                Scratch::on_server(store, server).await
            }
        }
    }
}

/// Server settings on a scratch store: any free port, Asia/Shanghai, and no limit on writes
/// per sender (the load comes from one officer per post, at thousands of writes a second).
fn settings_on(scratch: &Scratch) -> Settings {
    let mut settings = Settings::for_store(scratch.data_dir.clone(), scratch.store_url.clone());
    settings.limits.writes_per_minute = 0;
    settings
}

/// One measured figure, with what it is compared against.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub section: &'static str,
    pub store: &'static str,
    pub clients: usize,
    pub measure: String,
    pub value: f64,
    pub unit: &'static str,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Says on stderr what is being measured now (the table goes to stdout at the end).
fn stage(store: Store, what: &str) {
    use std::io::Write as _;
    let now = chrono::Utc::now().format("%H:%M:%S%.3f");
    let _ = writeln!(std::io::stderr(), "{now} bench {}: {what}", store.name());
}

pub async fn run(options: &Options) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut stores = vec![Store::Sqlite];
    if options.postgres.is_some() {
        stores.push(Store::Postgres);
    } else if options.stores.iter().any(|s| s == "postgres") {
        anyhow::bail!("measuring PostgreSQL needs --postgres URL");
    }
    stores.retain(|s| options.stores.is_empty() || options.stores.iter().any(|n| n == s.name()));
    if options.runs("commands") {
        // The ledger and its two baselines take turns, round after round, so a slow phase of
        // the machine falls on all three rather than on whichever ran in it.
        let rounds = options.sizes.command_rounds.max(1);
        let mut measured = Vec::new();
        for round in 1..=rounds {
            for store in &stores {
                for clients in [1, 8] {
                    stage(
                        *store,
                        &format!("commands, {clients} client(s), round {round} of {rounds}"),
                    );
                    measured.extend(commands::measure(options, *store, clients, true).await?);
                    measured.extend(commands::measure(options, *store, clients, false).await?);
                    measured.extend(commands::raw_inserts(options, *store, clients).await?);
                    measured.extend(plain::measure(options, *store, clients).await?);
                }
            }
        }
        rows.extend(median_rounds(measured));
    }
    if options.runs("rebuild") {
        for store in &stores {
            rows.extend(rebuild::measure(options, *store).await?);
        }
    }
    if options.runs("supervision") {
        for store in &stores {
            rows.extend(supervision::measure(options, *store).await?);
        }
    }
    if options.runs("inspections") {
        for store in &stores {
            rows.extend(inspections::measure(options, *store).await?);
        }
    }
    if options.runs("feeds") {
        for store in &stores {
            stage(*store, "feeds");
            rows.extend(feeds::measure(options, *store).await?);
        }
    }
    if options.runs("render") {
        rows.extend(feeds::render(options));
    }
    std::fs::write(&options.out, serde_json::to_string_pretty(&rows)?)?;
    Ok(rows)
}

/// Of each measurement made in several rounds, the row of its median round (by value; the
/// lower middle of an even count), in the order the measurements were first made.
fn median_rounds(rows: Vec<Row>) -> Vec<Row> {
    let mut measurements: Vec<Vec<Row>> = Vec::new();
    for row in rows {
        let same = |r: &Row| {
            r.section == row.section
                && r.store == row.store
                && r.clients == row.clients
                && r.measure == row.measure
        };
        match measurements.iter_mut().find(|rounds| same(&rounds[0])) {
            Some(rounds) => rounds.push(row),
            None => measurements.push(vec![row]),
        }
    }
    measurements
        .into_iter()
        .map(|mut rounds| {
            rounds.sort_by(|a, b| a.value.total_cmp(&b.value));
            rounds.swap_remove((rounds.len() - 1) / 2)
        })
        .collect()
}

/// The table, with the ratios the targets are stated in.
pub fn print(rows: &[Row]) {
    permit_ledger::say!(
        "{:<12}{:<9}{:>4}  {:<46}{:>12} {:<10}{:>9}{:>9}",
        "section",
        "store",
        "cl",
        "measure",
        "value",
        "unit",
        "p50 ms",
        "p99 ms"
    );
    for row in rows {
        let ms = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
        permit_ledger::say!(
            "{:<12}{:<9}{:>4}  {:<46}{:>12.1} {:<10}{:>9}{:>9}",
            row.section,
            row.store,
            row.clients,
            row.measure,
            row.value,
            row.unit,
            ms(row.p50_ms),
            ms(row.p99_ms)
        );
    }
    permit_ledger::say!();
    let find = |section: &str, store: &str, clients: usize, measure: &str| {
        find_row(rows, section, store, clients, measure).map(|r| r.value)
    };
    for store in ["sqlite", "postgres"] {
        for clients in [1, 8] {
            if let (Some(ours), Some(raw), Some(plain)) = (
                find("commands", store, clients, "ledger"),
                find("commands", store, clients, "raw insert"),
                find("commands", store, clients, "plain cqrs-es"),
            ) {
                permit_ledger::say!(
                    "{store} {clients} client(s): ledger/plain cqrs-es = {:.2}x, ledger/raw insert = {:.0}%",
                    ours / plain,
                    100.0 * ours / raw
                );
            }
            if let (Some(ours), Some(clear)) = (
                find("commands", store, clients, "ledger"),
                find("commands", store, clients, "unsealed ledger"),
            ) {
                permit_ledger::say!(
                    "{store} {clients} client(s): sealed/in clear = {:.0}%",
                    100.0 * ours / clear
                );
            }
        }
        if let (Some(first), Some(rebuild), Some(scan)) = (
            find("rebuild", store, 1, "first projection"),
            find("rebuild", store, 1, "rebuild"),
            find("rebuild", store, 1, "raw sequential scan"),
        ) {
            permit_ledger::say!(
                "{store} rebuild/scan = {:.0}%, first projection/scan = {:.0}%",
                100.0 * rebuild / scan,
                100.0 * first / scan
            );
        }
        if let (Some(feed), Some(not_modified), Some(static_file)) = (
            find("feeds", store, 8, "GET /feeds/permits.rss"),
            find("feeds", store, 8, "304 /feeds/permits.rss"),
            find("feeds", store, 8, "static file"),
        ) {
            permit_ledger::say!(
                "{store} feed/static = {:.0}%, 304/static = {:.0}%",
                100.0 * feed / static_file,
                100.0 * not_modified / static_file
            );
        }
    }
    let checks = targets::judge(rows);
    if !checks.is_empty() {
        permit_ledger::say!();
        permit_ledger::say!("targets (docs/performance.md):");
        for check in &checks {
            permit_ledger::say!("{check}");
        }
    }
}

/// The row of `section`, `store` and `clients` whose measure starts with `measure`.
fn find_row<'a>(
    rows: &'a [Row],
    section: &str,
    store: &str,
    clients: usize,
    measure: &str,
) -> Option<&'a Row> {
    rows.iter().find(|r| {
        r.section == section
            && r.store == store
            && r.clients == clients
            && r.measure.starts_with(measure)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(store: &'static str, measure: &str, value: f64) -> Row {
        Row {
            section: "commands",
            store,
            clients: 8,
            measure: measure.into(),
            value,
            unit: "commands/s",
            p50_ms: Some(value / 1000.0),
            p99_ms: None,
        }
    }

    #[test]
    fn each_measurement_keeps_its_median_round_in_first_made_order() {
        let rounds = vec![
            row("sqlite", "ledger over HTTP", 300.0),
            row("sqlite", "raw insert", 900.0),
            row("sqlite", "ledger over HTTP", 100.0),
            row("sqlite", "raw insert", 700.0),
            row("postgres", "ledger over HTTP", 50.0),
            row("sqlite", "ledger over HTTP", 200.0),
            row("sqlite", "raw insert", 800.0),
        ];
        let medians: Vec<(&str, String, f64, Option<f64>)> = median_rounds(rounds)
            .into_iter()
            .map(|r| (r.store, r.measure, r.value, r.p50_ms))
            .collect();
        assert_eq!(
            medians,
            vec![
                ("sqlite", "ledger over HTTP".to_owned(), 200.0, Some(0.2)),
                ("sqlite", "raw insert".to_owned(), 800.0, Some(0.8)),
                ("postgres", "ledger over HTTP".to_owned(), 50.0, Some(0.05)),
            ]
        );
    }

    #[test]
    fn of_two_rounds_the_lower_is_kept() {
        let medians = median_rounds(vec![
            row("sqlite", "ledger over HTTP", 300.0),
            row("sqlite", "ledger over HTTP", 100.0),
        ]);
        assert_eq!(medians.len(), 1);
        assert_eq!(medians[0].value, 100.0);
    }
}

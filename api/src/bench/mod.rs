//! `permit-ledger bench`: measures the ledger beside the limits of what it stands on, in one
//! run on one machine, so that ratios stay meaningful on a noisy machine.
//!
//! - commands over real HTTP (1 and 8 clients), beside raw single-row INSERT transactions and
//!   the plain cqrs-es framework with one GenericQuery, on SQLite and PostgreSQL;
//! - projection rebuild from a bulk-loaded log, beside a raw sequential scan, with peak RSS;
//! - feed serving (200 and 304) beside the same bytes from a plain static file server, and
//!   the render time of a 10,000-notice day.

mod commands;
mod feeds;
pub(crate) mod fixtures;
mod load;
mod plain;
mod rebuild;
pub(crate) mod stores;
mod targets;
mod wake_ups;

use std::path::PathBuf;

use serde::Serialize;

/// How much work each measurement does.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub lifecycles_per_client: usize,
    pub raw_inserts_per_client: usize,
    pub rebuild_events: usize,
    pub feed_requests_per_client: usize,
    pub feed_permits: usize,
    pub render_notices: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            lifecycles_per_client: 60,
            raw_inserts_per_client: 400,
            rebuild_events: 1_000_000,
            feed_requests_per_client: 1_000,
            feed_permits: 200,
            render_notices: 10_000,
        }
    }

    /// Seconds, not minutes: for the smoke test that keeps the benchmark from rotting.
    pub fn quick() -> Self {
        Self {
            lifecycles_per_client: 1,
            raw_inserts_per_client: 10,
            rebuild_events: 700,
            feed_requests_per_client: 10,
            feed_permits: 3,
            render_notices: 500,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub sizes: Sizes,
    /// A PostgreSQL server URL (no database): each measurement makes and drops its own.
    pub postgres: Option<String>,
    pub out: PathBuf,
    /// Sections to run (commands, rebuild, feeds, render); empty for all.
    pub only: Vec<String>,
    /// Stores to measure (sqlite, postgres); empty for all that are available.
    pub stores: Vec<String>,
}

impl Options {
    fn runs(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
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
fn stage(store: stores::Store, what: &str) {
    use std::io::Write as _;
    let now = chrono::Utc::now().format("%H:%M:%S%.3f");
    let _ = writeln!(std::io::stderr(), "{now} bench {}: {what}", store.name());
}

pub async fn run(options: &Options) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut stores = vec![stores::Store::Sqlite];
    if options.postgres.is_some() {
        stores.push(stores::Store::Postgres);
    } else if options.stores.iter().any(|s| s == "postgres") {
        anyhow::bail!("measuring PostgreSQL needs --postgres URL");
    }
    stores.retain(|s| options.stores.is_empty() || options.stores.iter().any(|n| n == s.name()));
    if options.runs("commands") {
        for store in &stores {
            for clients in [1, 8] {
                stage(*store, &format!("commands, {clients} client(s)"));
                rows.extend(commands::measure(options, *store, clients).await?);
                rows.extend(commands::raw_inserts(options, *store, clients).await?);
                rows.extend(plain::measure(options, *store, clients).await?);
            }
        }
    }
    if options.runs("rebuild") {
        for store in &stores {
            rows.extend(rebuild::measure(options, *store).await?);
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

/// The table, with the ratios the targets are stated in.
pub fn print(rows: &[Row]) {
    crate::say!(
        "{:<9}{:<9}{:>4}  {:<46}{:>12} {:<10}{:>9}{:>9}",
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
        crate::say!(
            "{:<9}{:<9}{:>4}  {:<46}{:>12.1} {:<10}{:>9}{:>9}",
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
    crate::say!();
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
                crate::say!(
                    "{store} {clients} client(s): ledger/plain cqrs-es = {:.2}x, ledger/raw insert = {:.0}%",
                    ours / plain,
                    100.0 * ours / raw
                );
            }
        }
        if let (Some(first), Some(rebuild), Some(scan)) = (
            find("rebuild", store, 1, "first projection"),
            find("rebuild", store, 1, "rebuild"),
            find("rebuild", store, 1, "raw sequential scan"),
        ) {
            crate::say!(
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
            crate::say!(
                "{store} feed/static = {:.0}%, 304/static = {:.0}%",
                100.0 * feed / static_file,
                100.0 * not_modified / static_file
            );
        }
    }
    let checks = targets::judge(rows);
    if !checks.is_empty() {
        crate::say!();
        crate::say!("targets (README, Performance):");
        for check in &checks {
            crate::say!("{check}");
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

//! The supervision figures over a large ledger: the efficiency query over a generated year of
//! cases (see [`super::generated_year`]) in every bureau and item, beside a single-case read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use domain::values::{BureauCode, ItemCode};
use projections::supervision::EfficiencyQuery;
use test_support::Store;

use super::generated_year::{generated_year, GeneratedYear, TODAY};
use super::load::timed;
use super::{Options, Row};

pub async fn measure(options: &Options, store: Store) -> anyhow::Result<Vec<Row>> {
    let GeneratedYear {
        scratch,
        ledger,
        ids,
        cases,
        projection_rate,
    } = generated_year(options, store).await?;
    let today: NaiveDate = TODAY.parse()?;
    let year = EfficiencyQuery {
        from: "2026-01-01".parse()?,
        to: today,
        bureau: None,
        item: None,
        today,
    };
    let one_bureau = EfficiencyQuery {
        bureau: Some(BureauCode::parse("370100")?),
        item: Some(ItemCode::parse("XK-003")?),
        ..year.clone()
    };
    let ledger = Arc::new(ledger);
    let ids = Arc::new(ids);
    let runs = options.sizes.supervision_queries;
    super::stage(store, "efficiency, every bureau and item, a year");
    // The year's figures must count decided cases: a query that finds none measures nothing.
    let query = |query: EfficiencyQuery, must_decide: bool| {
        let ledger = ledger.clone();
        move |_client: usize, _i: usize| {
            let (ledger, query) = (ledger.clone(), query.clone());
            async move {
                let started = Instant::now();
                let figures = ledger.efficiency(&query).await?;
                let elapsed = started.elapsed();
                anyhow::ensure!(
                    !must_decide || figures.total.decided > 0,
                    "no decided case in the figures"
                );
                Ok(vec![elapsed])
            }
        }
    };
    let all = timed(1, runs, query(year, true)).await?;
    super::stage(store, "efficiency, one bureau and item, a year");
    let one = timed(1, runs, query(one_bureau, false)).await?;
    super::stage(store, "single-case reads");
    let reads = timed(1, runs * 10, {
        let (ledger, ids) = (ledger.clone(), ids.clone());
        move |_client, i| {
            let (ledger, ids) = (ledger.clone(), ids.clone());
            async move {
                let id = &ids[(i * 7_919) % ids.len()];
                let started = Instant::now();
                ledger
                    .case(id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("case {id} is not projected"))?;
                Ok::<Vec<Duration>, anyhow::Error>(vec![started.elapsed()])
            }
        }
    })
    .await?;
    drop(ledger);
    scratch.remove().await;
    let row = |measure: String, value: f64, unit: &'static str, p: Option<(f64, f64)>| Row {
        section: "supervision",
        store: store.name(),
        clients: 1,
        measure,
        value,
        unit,
        p50_ms: p.map(|p| p.0),
        p99_ms: p.map(|p| p.1),
    };
    Ok(vec![
        row(
            format!("first projection of {cases} generated cases"),
            projection_rate,
            "events/s",
            None,
        ),
        row(
            "efficiency: every bureau and item, a year".into(),
            all.per_second,
            "queries/s",
            Some((all.p50_ms, all.p99_ms)),
        ),
        row(
            "efficiency: one bureau and item, a year".into(),
            one.per_second,
            "queries/s",
            Some((one.p50_ms, one.p99_ms)),
        ),
        row(
            "single-case read (with its clock)".into(),
            reads.per_second,
            "reads/s",
            Some((reads.p50_ms, reads.p99_ms)),
        ),
    ])
}

//! Random inspections over a large ledger: a provincial plan over every permit in force of a
//! generated year (see [`super::generated_year`]): making it (finding the population and who
//! handled each case), reading its public document, the draw from a checkpoint's root, and
//! `verify-draw` on the document, as a citizen would run it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::inspection::draw::targets;
use domain::inspection::Sample;
use domain::values::BureauCode;
use domain::{Actor, Post};
use permit_ledger::ledger::{PlanRequest, RosterMember};
use projections::inspections::{Draw, SeedCheckpoint};
use test_support::Store;

use super::generated_year::{generated_year, GeneratedYear};
use super::load::timed;
use super::{Options, Row};

/// Inspectors on the plan's roster, spread over the cities.
const ROSTER: usize = 32;

pub async fn measure(options: &Options, store: Store) -> anyhow::Result<Vec<Row>> {
    let GeneratedYear {
        scratch, ledger, ..
    } = generated_year(options, store).await?;
    let province = BureauCode::parse("370000")?;
    let catalogue = &ledger.services().catalogue;
    let cities: Vec<BureauCode> = catalogue
        .jurisdiction()
        .cities
        .iter()
        .map(|c| c.code.clone())
        .collect();
    let items = catalogue
        .items()
        .filter(|i| !i.phased_out && i.handled_by.is_none())
        .map(|i| i.code.clone())
        .collect();
    let roster = (0..ROSTER)
        .map(|n| RosterMember {
            subject: format!("inspector-{n}"),
            bureau: cities[n % cities.len()].clone(),
        })
        .collect();
    let request = PlanRequest {
        name: "全省工业产品生产许可证获证企业双随机抽查".into(),
        area: Some(province.clone()),
        items,
        sample: Sample::Percent(1),
        roster,
    };
    let approver = Actor::Officer {
        subject: "approver@370000".into(),
        bureau: province,
        post: Post::Approver,
    };
    super::stage(store, "an inspection plan over every permit in force");
    let plan_id = ledger.new_case_id().to_string();
    let started = Instant::now();
    let document = ledger
        .create_inspection_plan(plan_id.clone(), &approver, request, "bench-plan".into())
        .await?;
    let made_in = started.elapsed();
    let population = document.population.permits.len();
    anyhow::ensure!(population > 0, "no permit in force in the generated year");

    super::stage(store, "the plan's public document");
    let ledger = Arc::new(ledger);
    let reads = timed(1, 5, {
        let (ledger, plan_id) = (ledger.clone(), plan_id.clone());
        move |_client, _i| {
            let (ledger, plan_id) = (ledger.clone(), plan_id.clone());
            async move {
                let started = Instant::now();
                ledger
                    .plan_document(&plan_id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("the plan is not in the log"))?;
                Ok::<Vec<Duration>, anyhow::Error>(vec![started.elapsed()])
            }
        }
    })
    .await?;

    super::stage(store, "the seed's checkpoint and the draw");
    let size = projections::log::head_position(ledger.db()).await?;
    let checkpoint = ledger.checkpoint_at(size).await?;
    let started = Instant::now();
    let drawn = targets(
        checkpoint.root,
        &plan_id,
        document.sample_size as usize,
        document.roster.len(),
        &document.population.permits,
    );
    let draw_took = started.elapsed();
    let drawn_count = drawn.len();
    // The document as a draw would leave it (the bench signs no publication to seed one).
    let mut document = (*document).clone();
    document.draw = Some(Draw {
        seed: hex::encode(checkpoint.root),
        checkpoint: SeedCheckpoint {
            size: size as u64,
            note: Some(checkpoint.note.clone()),
        },
        drawn_on: Utc::now().date_naive(),
        drawn_at: Utc::now().to_rfc3339(),
        position: size + 1,
        targets: drawn,
    });
    let text = serde_json::to_string_pretty(&document)?;
    let path = std::env::temp_dir().join(format!("permit-ledger-bench-plan-{plan_id}.json"));
    std::fs::write(&path, &text)?;
    let key = ledger.signer().verifier().vkey();
    let started = Instant::now();
    let verified = permit_ledger::cli::verify_draw::verify_draw(&path, Some(&key))?;
    let verify_took = started.elapsed();
    anyhow::ensure!(verified.targets == drawn_count, "verify-draw disagrees");
    std::fs::remove_file(&path)?;
    drop(ledger);
    scratch.remove().await;

    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let row = |measure: String, value: f64, unit: &'static str, p: Option<(f64, f64)>| Row {
        section: "inspections",
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
            format!("plan made over {population} permits in force"),
            ms(made_in),
            "ms",
            None,
        ),
        row(
            format!(
                "plan's public document read, kept since its last change ({:.1} MB)",
                text.len() as f64 / 1e6
            ),
            reads.per_second,
            "reads/s",
            Some((reads.p50_ms, reads.p99_ms)),
        ),
        row(
            format!("draw of {} targets from the seed", drawn_count),
            ms(draw_took),
            "ms",
            None,
        ),
        row(
            "verify-draw of the document, key checked".into(),
            ms(verify_took),
            "ms",
            None,
        ),
    ])
}

//! The supervision figures over a large ledger: the efficiency query over a year of cases
//! in every bureau and item, beside a single-case read, on a log generated to look like a
//! province's year (cases filed every working day in sixteen bureaus and every item, most
//! decided, some suspended or extended, some still open at every warning).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use cqrs_es::DomainEvent;
use domain::permit_case::{moved, Contact, Recommendation, SuspensionKind};
use domain::values::{BureauCode, CaseId, CreditCode, ItemCode, PermitNumber};
use domain::{CaseEvent, CaseServices};
use permit_ledger::ledger::clock::SettableClock;
use permit_ledger::startup::open_ledger;
use projections::supervision::EfficiencyQuery;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use test_support::Store;

use super::bulk::{self, BulkEvent};
use super::load::timed;
use super::{Options, Row};

/// The business date the figures are read on: the year's cases decided or still open.
const TODAY: &str = "2026-12-15";

pub async fn measure(options: &Options, store: Store) -> anyhow::Result<Vec<Row>> {
    let scratch = options.scratch(store).await?;
    let settings = crate::settings_on(&scratch);
    let clock = Arc::new(SettableClock::new(format!("{TODAY}T02:00:00Z").parse()?));
    let ledger = open_ledger(&settings, clock).await?;
    let cases = options.sizes.supervision_cases;
    super::stage(store, &format!("generating and loading {cases} cases"));
    let services = ledger.services().clone();
    let mut rng = StdRng::seed_from_u64(2026);
    let mut serials = std::collections::HashMap::new();
    // The log's times come from `requested_at` and never decrease: every generated event is
    // logged at one moment; the business days the figures count are in the events.
    let metadata = format!(
        r#"{{"actor_role":"officer","command":"bench","requested_at":"{TODAY}T02:00:00.000000Z"}}"#
    );
    let metadata = metadata.as_str();
    let mut ids = Vec::with_capacity(cases);
    for chunk_start in (0..cases).step_by(1_000) {
        let mut generated = Vec::new();
        for n in chunk_start..cases.min(chunk_start + 1_000) {
            let id = CaseId::parse(&uuid::Uuid::now_v7().to_string())?;
            let events = case_events(n, &services, &mut rng, &mut serials)?;
            generated.push((id.to_string(), events));
            ids.push(id);
        }
        let rows: Vec<BulkEvent> = generated
            .iter()
            .flat_map(|(id, events)| {
                events
                    .iter()
                    .enumerate()
                    .map(move |(i, (event_type, payload))| BulkEvent {
                        aggregate_type: "PermitCase",
                        aggregate_id: id,
                        sequence: i as i64 + 1,
                        event_type,
                        event_version: "1.0",
                        payload,
                        metadata,
                    })
            })
            .collect();
        bulk::insert(ledger.db(), store, &rows).await?;
    }
    let events = projections::log::head_position(ledger.db()).await? as f64;
    super::stage(store, "projecting the generated log");
    let started = Instant::now();
    ledger.projector().catch_up().await?;
    let projection_rate = events / started.elapsed().as_secs_f64();
    // A bulk-loaded database has no planner statistics yet; a running one has them
    // (PostgreSQL's autovacuum analyses a table that has grown): measure it settled.
    projections::on_db!(ledger.db(), |pool| {
        sqlx::query("ANALYZE").execute(pool).await?;
    });

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

/// The events of generated case `n`, as (event type, payload): filed and accepted on a
/// working day of the year in a bureau and item drawn at random, reviewed and decided a few
/// working days later (Linyi later still), one in thirty suspended for testing, some
/// extended; a case whose decision would fall after [`TODAY`] is left open.
fn case_events(
    n: usize,
    services: &CaseServices,
    rng: &mut StdRng,
    serials: &mut std::collections::HashMap<String, u32>,
) -> anyhow::Result<Vec<(String, String)>> {
    let calendar = &services.calendar;
    let catalogue = &services.catalogue;
    let cities = &catalogue.jurisdiction().cities;
    let bureau = cities[rng.gen_range(0..cities.len())].code.clone();
    let items: Vec<_> = catalogue.items().filter(|i| !i.phased_out).collect();
    let item = items[rng.gen_range(0..items.len())];
    let today: NaiveDate = TODAY.parse()?;
    let accepted_on = calendar
        .add_working_days("2026-01-04".parse()?, rng.gen_range(0..228))
        .date;
    let slow = bureau.as_str() == "371300";
    let division = format!("{}02", &bureau.as_str()[..4]);
    let org: String = (0..9)
        .map(|k| b"0123456789ABCDEFGHJKLMNPQRTUWXY"[(n >> (k * 2)) % 31] as char)
        .collect();
    let credit_code = CreditCode::with_check_character(&format!("91{division}{org}"))?;
    let mut events = vec![CaseEvent::ApplicationFiled {
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        credit_code,
        enterprise_name: format!("基准测试企业{n}"),
        bureau: bureau.clone(),
        product: "基准产品".into(),
        process: None,
        materials: vec![],
        commitment: None,
        contact: Contact {
            person: "王经理".into(),
            phone: "13800000000".into(),
        },
        filed_on: accepted_on,
        address: None,
        applicant_listed: false,
    }];
    let mut statutory = calendar.add_working_days(accepted_on, item.statutory_limit_days);
    let mut committed = calendar.add_working_days(accepted_on, item.committed_limit_days);
    events.push(CaseEvent::ApplicationAccepted {
        accepted_on,
        statutory_deadline: statutory,
        committed_deadline: committed,
    });
    let mut on = accepted_on;
    let step = |days: u32, on: &mut NaiveDate| -> bool {
        *on = calendar.add_working_days(*on, days).date;
        *on <= today
    };
    if rng.gen_ratio(1, 30) {
        if !step(1, &mut on) {
            return encoded(events);
        }
        events.push(CaseEvent::ClockSuspended {
            kind: SuspensionKind::Testing,
            reason: "产品委托检验".into(),
            notice: "已书面告知".into(),
            suspended_on: on,
        });
        let from = on;
        if !step(rng.gen_range(2..10), &mut on) {
            return encoded(events);
        }
        let days = calendar.working_days_between(from, on);
        statutory = moved(statutory, days, 0, calendar);
        committed = moved(committed, days, 0, calendar);
        events.push(CaseEvent::ClockResumed {
            resumed_on: on,
            suspended_working_days: days,
            statutory_deadline: statutory,
            committed_deadline: committed,
        });
    }
    let review_days = rng.gen_range(1..5) + if slow { 6 } else { 0 };
    if !step(review_days, &mut on) {
        return encoded(events);
    }
    events.push(CaseEvent::ReviewRecorded {
        findings: "符合".into(),
        recommendation: Recommendation::Approve,
        reviewed_on: on,
        reviewer: None,
    });
    let decision_days = rng.gen_range(0..5) + if slow { 8 } else { 0 };
    let decided_on = calendar.add_working_days(on, decision_days).date;
    if decided_on > statutory.date && calendar.working_days_between(on, statutory.date) >= 1 {
        let extended_on = calendar.add_working_days(on, 1).date;
        if extended_on > today {
            return encoded(events);
        }
        statutory = moved(statutory, 10, 10, calendar);
        events.push(CaseEvent::TimeLimitExtended {
            reason: "案情复杂".into(),
            extended_on,
            added_working_days: 10,
            statutory_deadline: statutory,
        });
    }
    if decided_on > today {
        return encoded(events);
    }
    events.push(CaseEvent::ApplicationApproved {
        approved_on: decided_on,
        on_commitment: false,
    });
    let serial = serials.entry(bureau.to_string()).or_insert(0);
    *serial += 1;
    let used = calendar.working_days_between(accepted_on, decided_on);
    events.push(CaseEvent::PermitIssued {
        permit_number: PermitNumber::parse(&format!("{}-{bureau}-2026-{serial:05}", item.code))?,
        scope: "基准产品".into(),
        valid_from: decided_on,
        valid_until: decided_on
            .checked_add_days(Days::new(365 * 5))
            .unwrap_or(decided_on),
        issued_on: decided_on,
        working_days_used: used,
        check_due: None,
    });
    encoded(events)
}

fn encoded(events: Vec<CaseEvent>) -> anyhow::Result<Vec<(String, String)>> {
    events
        .into_iter()
        .map(|e| Ok((e.event_type(), serde_json::to_string(&e)?)))
        .collect()
}

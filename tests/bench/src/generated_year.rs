//! A generated year of a province's cases (filed every working day in sixteen bureaus and
//! every item, most decided, some suspended or extended, some still open at every warning),
//! bulk-loaded into a ledger of its own: what the supervision and inspection sections
//! measure over.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use cqrs_es::DomainEvent;
use domain::permit_case::{moved, Contact, Recommendation, SuspensionKind};
use domain::values::{CaseId, CreditCode, PermitNumber};
use domain::{CaseEvent, CaseServices};
use permit_ledger::ledger::clock::SettableClock;
use permit_ledger::ledger::Ledger;
use permit_ledger::startup::open_ledger;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use test_support::{Scratch, Store};

use super::bulk::{self, BulkEvent};
use super::Options;

/// The business date the year is read on: its cases decided or still open.
pub const TODAY: &str = "2026-12-15";

/// A generated year, loaded into a ledger of its own and projected.
pub struct GeneratedYear {
    pub scratch: Scratch,
    pub ledger: Ledger,
    pub ids: Vec<CaseId>,
    pub cases: usize,
    /// Events per second of the first projection of the generated log.
    pub projection_rate: f64,
}

/// Generates and loads `options.sizes.supervision_cases` cases, projects them, and lets the
/// planner see the tables as a running store would.
pub async fn generated_year(options: &Options, store: Store) -> anyhow::Result<GeneratedYear> {
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
    Ok(GeneratedYear {
        scratch,
        ledger,
        ids,
        cases,
        projection_rate,
    })
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

//! `permit-ledger demo`: a month of realistic cases in several city bureaus, every lifecycle
//! state, made through the same ledger calls as HTTP requests, under a simulated clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::bail;
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use domain::catalogue::Item;
use domain::permit_case::{Application, Commitment, Contact, Material};
use domain::values::{BureauCode, CaseId, CreditCode, MaterialDigest};
use domain::{Actor, CaseAction, Post};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::ledger::clock::SettableClock;
use crate::ledger::{Ledger, LedgerError, Submission};
use crate::settings::Settings;
use crate::startup::open_ledger;

/// Cities with a district where the sample enterprises are registered.
pub(super) const CITIES: [(&str, &str, &str); 8] = [
    ("370102", "济南", "历下"),
    ("370202", "青岛", "市南"),
    ("370302", "淄博", "淄川"),
    ("370602", "烟台", "芝罘"),
    ("370702", "潍坊", "潍城"),
    ("370811", "济宁", "任城"),
    ("371302", "临沂", "兰山"),
    ("371602", "滨州", "滨城"),
];
const WORDS: [&str; 12] = [
    "恒力", "海晟", "鲁信", "泰和", "华瑞", "金鼎", "齐鑫", "东岳", "瑞丰", "宏远", "正元", "普惠",
];
const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "孙"];
const ORG_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The retention period the demo erases with: short, so that a month of sample cases shows
/// erased contacts beside kept ones (a server's default is five years).
pub const DEMO_RETENTION_DAYS: u32 = 7;

mod credit;
mod guidance;
mod inspections;
mod lifecycle;
mod permit_life;
mod report;
mod time;

pub use report::DemoReport;

use credit::CreditActions;
use inspections::InspectionActions;
use permit_life::PermitActions;
use time::{first_working_day, ClockActions, Forgotten};

pub async fn run(settings: &Settings, days: u32, seed: u64) -> anyhow::Result<DemoReport> {
    if days == 0 || days > 366 {
        bail!("--days must be 1 to 366");
    }
    let tz = settings.time_zone;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first_day = today - Duration::days(i64::from(days));
    let start = tz
        .from_local_datetime(
            &first_day.and_time(NaiveTime::from_hms_opt(8, 30, 0).expect("a time")),
        )
        .single()
        .expect("08:30 exists in the time zone")
        .with_timezone(&Utc);
    let clock = Arc::new(SettableClock::new(start));
    let ledger = open_ledger(settings, clock.clone()).await?;
    let existing = ledger.log_size().await?;
    if existing > 0 {
        bail!(
            "the ledger at {} already holds {existing} events; the demo loads into an empty one \
             (choose another --data-dir or --store)",
            projections::db::redact(&settings.store_url())
        );
    }
    let mut demo = Demo {
        ledger,
        clock: clock.clone(),
        rng: StdRng::seed_from_u64(seed),
        cases: Vec::new(),
        request: 0,
        clock_actions: ClockActions::default(),
        forgotten: HashMap::new(),
        yearly: Vec::new(),
        permit_actions: PermitActions::default(),
        credit_actions: CreditActions::default(),
        inspection_actions: InspectionActions::default(),
    };
    demo.issue_yearly_permits(start).await?;
    for day in 0..days {
        let morning = start + Duration::days(i64::from(day));
        clock.set(morning);
        demo.ledger.publish_due_days().await?;
        let calendar = &demo.ledger.services().calendar;
        if !calendar.is_working_day(morning.with_timezone(&tz).date_naive()) {
            continue;
        }
        if day == first_working_day(&demo, start, days) {
            demo.file_forgotten_cases().await?;
        }
        let filings = demo.rng.gen_range(3..=7);
        for _ in 0..filings {
            demo.file_one().await?;
        }
        demo.advance_open_cases().await?;
        demo.advance_permits().await?;
        demo.refile_when_listed().await?;
        demo.inspect().await?;
        demo.plan_inspections(day, days).await?;
    }
    demo.cancel_one_if_none().await?;
    demo.check_every_result().await?;
    demo.refile_when_listed().await?;
    demo.repair_credit().await?;
    clock.set(Utc::now());
    demo.ledger.publish_due_days().await?;
    demo.inspect().await?;
    let erased_enterprises = demo
        .ledger
        .erase_what_is_due(Some(DEMO_RETENTION_DAYS))
        .await?;
    let published = demo.ledger.published_days(i64::from(days) + 1).await?;
    let mut cases_by_status = BTreeMap::new();
    let mut guided = 0;
    for case in &demo.cases {
        if let Some(view) = demo.ledger.case(case).await? {
            *cases_by_status.entry(view.status.as_str()).or_insert(0) += 1;
            guided += usize::from(view.guidance.is_some());
        }
    }
    Ok(DemoReport {
        cases: demo.cases.len(),
        events: demo.ledger.log_size().await?,
        published_days: published.len(),
        days,
        last_day: today,
        store: projections::db::redact(&settings.store_url()),
        cases_by_status,
        erased_enterprises,
        suspensions: demo.clock_actions.suspensions,
        suspensions_over_holidays: demo.clock_actions.over_holidays,
        extensions: demo.clock_actions.extensions,
        guided,
        amendments: demo.permit_actions.amendments,
        renewals: demo.permit_actions.renewals,
        cancellations: demo.permit_actions.cancellations,
        expiries: demo.permit_actions.expiries,
        checks: demo.permit_actions.checks,
        false_commitments: demo.permit_actions.false_commitments,
        blacklisted: demo.ledger.blacklist().await?.in_force_on(today).len(),
        listed_filings: demo.credit_actions.listed_filings,
        blacklist_removals: demo.credit_actions.removals,
        inspection_plans: demo.inspection_actions.plans,
        inspection_plans_drawn: demo.inspection_actions.drawn,
        inspection_results: demo.inspection_actions.results,
    })
}

struct Demo {
    ledger: Ledger,
    clock: Arc<SettableClock>,
    rng: StdRng,
    cases: Vec<CaseId>,
    request: u64,
    clock_actions: ClockActions,
    /// The slow bureau's cases it forgets, and whether it extends their limit in time.
    forgotten: HashMap<CaseId, Forgotten>,
    /// The permits issued a year before the month, which run out during it.
    yearly: Vec<CaseId>,
    permit_actions: PermitActions,
    credit_actions: CreditActions,
    inspection_actions: InspectionActions,
}

impl Demo {
    fn tick(&mut self) -> String {
        let minutes = self.rng.gen_range(3..25);
        self.clock.advance(Duration::minutes(minutes));
        self.request += 1;
        format!("demo-{:06}", self.request)
    }

    async fn file_one(&mut self) -> anyhow::Result<CaseId> {
        let city = self.rng.gen_range(0..CITIES.len());
        // Not the items done on a permit itself (a name change, a cancellation).
        let items: Vec<Item> = self
            .ledger
            .services()
            .catalogue
            .items()
            .filter(|item| item.handled_by.is_none())
            .cloned()
            .collect();
        let item = items[self.rng.gen_range(0..items.len())].clone();
        self.file_in(city, item).await
    }

    /// Every material `item` asks for, as enterprise `name` would send it.
    fn materials_for(&self, item: &Item, name: &str) -> Vec<Material> {
        item.materials
            .iter()
            .map(|m| Material {
                name: m.name.clone(),
                digest: digest_of(&format!("{name}/{}", m.name)),
            })
            .collect()
    }

    /// Files an application for `item` by an enterprise of `CITIES[city]`.
    async fn file_in(&mut self, city: usize, item: Item) -> anyhow::Result<CaseId> {
        let (district, city, area) = CITIES[city];
        let word = WORDS[self.rng.gen_range(0..WORDS.len())];
        let trade = match item.category {
            domain::catalogue::ItemCategory::HazardousChemical => "化工",
            domain::catalogue::ItemCategory::SpecialEquipment => "锅炉压力容器",
            domain::catalogue::ItemCategory::Metrology => "计量仪器",
            domain::catalogue::ItemCategory::InspectionTesting => "检测技术",
            domain::catalogue::ItemCategory::IndustrialProduct => "实业",
        };
        let name = format!("{city}{word}{trade}有限公司");
        let org: String = (0..9)
            .map(|_| ORG_ALPHABET[self.rng.gen_range(0..ORG_ALPHABET.len())] as char)
            .collect();
        let credit_code = CreditCode::with_check_character(&format!("91{district}{org}"))?;
        let surname = SURNAMES[self.rng.gen_range(0..SURNAMES.len())];
        let materials = self.materials_for(&item, &name);
        let commitment = (item.commitment_eligible && self.rng.gen_bool(0.6)).then(|| Commitment {
            signed_by: format!("{surname}某 法定代表人"),
            statement: "本企业承诺符合许可条件，承诺内容真实，愿承担不实承诺的法律责任。".into(),
        });
        let application = Application {
            item_code: item.code.clone(),
            enterprise_name: name.clone(),
            address: None,
            product: format!("{}（{area}生产基地）", item.name.trim_end_matches("核发")),
            process: None,
            materials,
            commitment,
            contact: Contact {
                person: format!("{surname}经理"),
                phone: format!(
                    "1{:010}",
                    self.rng.gen_range(3_000_000_000u64..9_999_999_999)
                ),
            },
            guidance_id: None,
        };
        let actor = Actor::Applicant {
            subject: name,
            credit_code,
        };
        let mut application = application;
        if self.rng.gen_bool(0.25) {
            application.guidance_id = Some(self.guided_draft(&application, &actor).await?);
        }
        let request_id = self.tick();
        let view = self
            .ledger
            .file(actor, application, request_id.into())
            .await?;
        self.cases.push(view.case_id.clone());
        Ok(view.case_id)
    }

    /// Sends `action` as `actor` on the case as `view` shows it.
    async fn send(
        &mut self,
        view: &projections::CaseView,
        actor: Actor,
        action: CaseAction,
    ) -> anyhow::Result<()> {
        let request_id = self.tick();
        let submission = Submission {
            case_id: view.case_id.clone(),
            actor,
            action,
            expected_version: Some(view.version),
            trace: request_id.into(),
        };
        match self.ledger.submit(submission).await {
            Ok(_) => Ok(()),
            Err(LedgerError::Refused(refusal)) => {
                bail!("the demo sent a command its rules refuse: {refusal}")
            }
            Err(other) => Err(other.into()),
        }
    }
}

pub(super) fn officer_of(bureau: &BureauCode, post: Post) -> Actor {
    Actor::Officer {
        subject: format!("{}-{}", post.as_str(), bureau),
        bureau: bureau.clone(),
        post,
    }
}

fn digest_of(text: &str) -> MaterialDigest {
    MaterialDigest::parse(&hex::encode(Sha256::digest(text.as_bytes()))).expect("a SHA-256 digest")
}

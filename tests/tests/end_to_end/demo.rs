//! The demo loads sample cases through the ledger, as requests would, and erases the
//! personal data of the enterprises whose cases finished before its short retention period.

use domain::values::CaseId;
use permit_ledger::settings::Settings;
use projections::case_queries::{self, Worklist};
use test_support::Scratch;

use crate::helpers::{on_both_stores, Store};

on_both_stores!(the_demo_loads_cases_and_erases_what_its_retention_period_calls_for);

async fn the_demo_loads_cases_and_erases_what_its_retention_period_calls_for(store: Store) {
    let scratch = Scratch::new(store).await.unwrap();
    let settings = Settings::for_store(scratch.data_dir.clone(), scratch.store_url.clone());
    let report = permit_ledger::cli::demo::run(&settings, 14, 2026)
        .await
        .unwrap();
    assert!(report.cases > 20, "{} cases", report.cases);
    assert!(report.erased_enterprises >= 1, "nothing erased");

    let ledger = permit_ledger::startup::open_ledger(
        &settings,
        std::sync::Arc::new(permit_ledger::ledger::SystemClock),
    )
    .await
    .unwrap();
    let listed = case_queries::worklist(
        ledger.db(),
        &Worklist {
            limit: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut erased = 0;
    let mut kept = 0;
    for stored in &listed {
        let case = ledger
            .case(&CaseId::parse(stored.case_id.as_str()).unwrap())
            .await
            .unwrap()
            .unwrap();
        if case.contact.person == "erased" {
            assert!(!case.status.is_open(), "an open case keeps its contact");
            assert!(case.erased_fields.contains(&"contact.person".to_owned()));
            erased += 1;
        } else {
            assert!(
                !case.contact.person.starts_with("sealed:"),
                "{}",
                case.contact.person
            );
            kept += 1;
        }
    }
    assert!(erased >= 1 && kept >= 1, "{erased} erased, {kept} kept");
    drop(ledger);
    scratch.remove().await;
}

//! The demo loads sample cases through the ledger, as requests would, and erases the
//! personal data of the enterprises whose cases finished before its short retention period.

use domain::values::CaseId;
use permit_ledger::settings::Settings;
use projections::case_queries::{self, Worklist};
use projections::supervision::{EfficiencyQuery, EfficiencyRow};
use test_support::Scratch;

use crate::helpers::{on_both_stores, Store};

on_both_stores!(the_demo_loads_cases_and_erases_what_its_retention_period_calls_for);

async fn the_demo_loads_cases_and_erases_what_its_retention_period_calls_for(store: Store) {
    let scratch = Scratch::new(store).await.unwrap();
    let settings = Settings::for_store(scratch.data_dir.clone(), scratch.store_url.clone());
    let report = permit_ledger::cli::demo::run(&settings, 30, 2026)
        .await
        .unwrap();
    assert!(report.cases > 40, "{} cases", report.cases);
    assert!(report.erased_enterprises >= 1, "nothing erased");
    assert!(report.suspensions >= 1, "no clock suspended");
    // Every kind of notice: permits amended, renewed, cancelled and expired in the month.
    assert!(report.amendments >= 1, "no amendment");
    assert!(report.guided >= 1, "no guided filing");
    assert!(report.checks >= 1, "no check after issuance");
    assert!(report.renewals >= 1, "no renewal");
    assert!(report.cancellations >= 1, "no cancellation");
    assert!(report.expiries >= 1, "no expiry");
    // False commitments list their enterprises; one files again for a full review, and one
    // listing is removed by credit repair.
    assert!(report.false_commitments >= 1, "no false commitment");
    assert!(report.blacklisted >= 1, "no one on the blacklist");
    assert_eq!(report.listed_filings, 1, "no filing by a listed enterprise");
    assert_eq!(report.blacklist_removals, 1, "no listing removed");
    // One inspection plan in every other city, drawn the next morning, results recorded.
    assert!(
        report.inspection_plans >= 2,
        "{} plans",
        report.inspection_plans
    );
    assert_eq!(report.inspection_plans_drawn, report.inspection_plans);
    assert!(report.inspection_results >= 2, "no inspection result");

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

    // The slow bureau's four forgotten cases are late against the promise, or the law; the
    // other bureaus keep nearly every promise.
    let today = ledger.today();
    let figures = ledger
        .efficiency(&EfficiencyQuery {
            from: today - chrono::Days::new(40),
            to: today,
            bureau: None,
            item: None,
            today,
        })
        .await
        .unwrap();
    let linyi = |row: &&EfficiencyRow| row.bureau.as_str() == "371300";
    let late: i64 = figures
        .rows
        .iter()
        .filter(linyi)
        .map(|row| row.figures.open_by_warning.red + row.figures.open_by_warning.breach)
        .sum();
    assert!(late >= 4, "{late} of the slow bureau's cases are late");
    let (kept, decided) =
        figures
            .rows
            .iter()
            .filter(|row| !linyi(row))
            .fold((0, 0), |(kept, decided), row| {
                (
                    kept + row.figures.within_committed.count,
                    decided + row.figures.decided,
                )
            });
    assert!(kept * 10 >= decided * 9, "{kept} of {decided} in time");
    drop(ledger);
    scratch.remove().await;
}

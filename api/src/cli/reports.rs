//! What the tools print: their reports, apart from the work that makes them.

use std::path::Path;

use crate::cli::demo::DemoReport;
use crate::cli::impact::{Impact, ImpactFigures};
use crate::cli::replay::ReplayLine;
use crate::cli::verify::Summary;
use crate::ledger::Erased;
use domain::personal_data::DataSubject;

/// `verify`'s summary of an export that checked out.
pub fn verified(file: &Path, summary: &Summary) {
    crate::say!("{}: OK", file.display());
    crate::say!("  events        {}", summary.events);
    crate::say!("  publications  {}", summary.publications);
    crate::say!("  erasures      {}", summary.erasures);
    let cases: usize = summary.cases.values().sum();
    crate::say!("  cases         {cases} rebuilt");
    for (status, count) in &summary.cases {
        crate::say!("    {status:<22}{count:>6}");
    }
    match summary.checkpoints.last() {
        Some((size, root)) => crate::say!(
            "  checkpoints   {} verified, consistent; latest covers {size} events, root {root}",
            summary.checkpoints.len()
        ),
        None => crate::say!("  checkpoints   none: nothing signed to check the events against"),
    }
    if summary.key_from_file {
        crate::say!(
            "  note: checked against the key written in the export; pass --key with the key you trust"
        );
    }
}

/// `verify-draw`'s report.
pub fn draw_verified(file: &Path, verified: &crate::cli::verify_draw::VerifiedDraw) {
    crate::say!("{}: the draw matches", file.display());
    crate::say!("  plan          {}", verified.plan_id);
    crate::say!(
        "  drawn         {} of {} permits, two inspectors each",
        verified.targets,
        verified.population
    );
    crate::say!(
        "  seed          the root of the checkpoint of {} events{}",
        verified.checkpoint_size,
        if verified.signed {
            ", signed by the log's key"
        } else {
            " (pass --key to check its signature)"
        }
    );
}

/// `replay`'s table: each projection's rows and digests, live and rebuilt.
pub fn replayed(report: &[ReplayLine], written: bool) {
    crate::say!(
        "{:<16}{:>8}  {:<18}{:<18}equal",
        "projection",
        "rows",
        "live digest",
        "rebuilt digest"
    );
    for line in report {
        crate::say!(
            "{:<16}{:>8}  {:<18}{:<18}{}",
            line.projection,
            line.rows,
            &line.live[..16],
            &line.rebuilt[..16],
            if line.live == line.rebuilt {
                "yes"
            } else {
                "NO"
            }
        );
    }
    if written {
        crate::say!("the rebuilt projections replace the live ones");
    } else {
        crate::say!("nothing was written (replay --write replaces the live projections)");
    }
}

/// What `demo` loaded, by case status.
pub fn demo_loaded(report: &DemoReport) {
    crate::say!(
        "demo: {} cases, {} events, {} days published, {} days ending {}, into {}",
        report.cases,
        report.events,
        report.published_days,
        report.days,
        report.last_day,
        report.store
    );
    for (status, count) in &report.cases_by_status {
        crate::say!("  {status:<22}{count:>4}");
    }
    crate::say!(
        "  clocks suspended {} times ({} over a public holiday), time limits extended {} times",
        report.suspensions,
        report.suspensions_over_holidays,
        report.extensions
    );
    crate::say!(
        "  {} filings guided online before filing; permits amended {} times, renewed {}, \
         cancelled {}, expired {}",
        report.guided,
        report.amendments,
        report.renewals,
        report.cancellations,
        report.expiries
    );
    crate::say!(
        "  {} checks after issuance, {} false commitments found; {} enterprises on the \
         blacklist, {} filing by a listed one (full review), {} listing removed by credit repair",
        report.checks,
        report.false_commitments,
        report.blacklisted,
        report.listed_filings,
        report.blacklist_removals
    );
    crate::say!(
        "  {} inspection plans drawn at random ({} drawn), {} inspection results recorded",
        report.inspection_plans,
        report.inspection_plans_drawn,
        report.inspection_results
    );
    crate::say!(
        "  personal data of {} enterprises erased: their cases finished over {} days ago",
        report.erased_enterprises,
        crate::cli::demo::DEMO_RETENTION_DAYS
    );
}

/// `erase`'s report.
pub fn erased(subject: &DataSubject, erased: &Erased) {
    if erased.recorded {
        crate::say!(
            "erased {subject}: key {} destroyed, erasure recorded",
            erased.key_id
        );
    } else {
        crate::say!(
            "erased {subject}: key {} destroyed (its erasure was recorded already)",
            erased.key_id
        );
    }
}

/// `impact`'s table: per bureau and item, then in total.
pub fn impact(impact: &Impact) {
    let range = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "…".to_owned(), |d| d.to_string());
    crate::say!(
        "cases decided {} to {}: {}",
        range(impact.from),
        range(impact.to),
        impact.total.cases
    );
    crate::say!(
        "{:<8}{:<10}{:>6}{:>11}{:>13}{:>12}{:>14}{:>14}",
        "bureau",
        "item",
        "cases",
        "used mean",
        "compression",
        "promised",
        "late/commit",
        "late/statute"
    );
    let line = |bureau: &str, item: &str, f: &ImpactFigures| {
        let share =
            |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| format!("{:.1}%", x * 100.0));
        let mean = if f.cases > 0 {
            format!("{:.1}", f.used_working_days as f64 / f64::from(f.cases))
        } else {
            "-".to_owned()
        };
        crate::say!(
            "{bureau:<8}{item:<10}{:>6}{mean:>11}{:>13}{:>12}{:>14}{:>14}",
            f.cases,
            share(f.compression),
            share(f.promised_compression),
            format!(
                "{} {}",
                f.late_against_committed,
                share(f.late_against_committed_share)
            ),
            format!(
                "{} {}",
                f.late_against_statutory,
                share(f.late_against_statutory_share)
            ),
        );
    };
    for group in &impact.groups {
        line(&group.bureau, &group.item_code, &group.figures);
    }
    line("total", "", &impact.total);
}

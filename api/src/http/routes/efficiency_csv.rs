//! The efficiency figures as CSV for spreadsheets: one row per bureau and item, then the
//! total (bureau `total`), the same numbers as the JSON; an empty cell where a rate or mean
//! has nothing to divide by.

use projections::supervision::{Efficiency, Figures};

const HEADER: [&str; 35] = [
    "bureau",
    "bureau_name",
    "item_code",
    "item_name",
    "filed",
    "accepted",
    "decided",
    "issued",
    "denied",
    "within_committed",
    "within_committed_rate",
    "within_statutory",
    "within_statutory_rate",
    "used_working_days_mean",
    "used_working_days_median",
    "used_working_days_p90",
    "compression",
    "acceptor_mean_working_days",
    "reviewer_mean_working_days",
    "approver_mean_working_days",
    "dispatcher_mean_working_days",
    "suspensions",
    "suspended_working_days",
    "extensions",
    "dispatched_in_time",
    "dispatched_in_time_rate",
    "open_on_track",
    "open_yellow",
    "open_red",
    "open_breach",
    "checks_due",
    "checks_overdue",
    "filed_home_city",
    "home_city_share",
    "provincial_direct",
];

pub fn to_csv(efficiency: &Efficiency) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = |record: Vec<String>| {
        writer
            .write_record(&record)
            .expect("writing CSV into memory cannot fail");
    };
    write(HEADER.iter().map(|h| (*h).to_owned()).collect());
    for row in &efficiency.rows {
        let mut record = vec![
            row.bureau.to_string(),
            row.bureau_name.clone(),
            row.item_code.to_string(),
            row.item_name.clone(),
        ];
        record.extend(cells(&row.figures));
        write(record);
    }
    let mut total = vec![
        "total".to_owned(),
        String::new(),
        String::new(),
        String::new(),
    ];
    total.extend(cells(&efficiency.total));
    write(total);
    let bytes = writer
        .into_inner()
        .expect("flushing CSV into memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8")
}

fn cells(f: &Figures) -> Vec<String> {
    let number = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
    let count = |n: i64| n.to_string();
    vec![
        count(f.filed),
        count(f.accepted),
        count(f.decided),
        count(f.issued),
        count(f.denied),
        count(f.within_committed.count),
        number(f.within_committed.rate),
        count(f.within_statutory.count),
        number(f.within_statutory.rate),
        number(f.used_working_days.mean),
        number(f.used_working_days.median),
        number(f.used_working_days.p90),
        number(f.compression),
        number(f.post_mean_working_days.acceptor),
        number(f.post_mean_working_days.reviewer),
        number(f.post_mean_working_days.approver),
        number(f.post_mean_working_days.dispatcher),
        count(f.suspensions),
        count(f.suspended_working_days),
        count(f.extensions),
        count(f.dispatched_in_time.count),
        number(f.dispatched_in_time.rate),
        count(f.open_by_warning.on_track),
        count(f.open_by_warning.yellow),
        count(f.open_by_warning.red),
        count(f.open_by_warning.breach),
        count(f.open_checks.due),
        count(f.open_checks.overdue),
        count(f.home_city.count),
        number(f.home_city.rate),
        count(f.provincial_direct),
    ]
}

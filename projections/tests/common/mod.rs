//! What the projection tests log: a case's lifecycle of events, written into the log as the
//! event store would (scratch stores and `on_both_stores!` come from `test_support`). Each
//! test binary uses some of these helpers.
#![allow(dead_code)]

use chrono::NaiveDate;
use domain::calendar::WorkingCalendar;
use domain::permit_case::{Contact, Material};
use domain::values::{BureauCode, CreditCode, ItemCode, MaterialDigest, PermitNumber};
use domain::CaseEvent;
use projections::Db;

pub fn day() -> NaiveDate {
    "2026-11-02".parse().unwrap()
}

/// A case's four events, filed to issued, its permit numbered `serial`.
pub fn lifecycle(serial: u32) -> Vec<CaseEvent> {
    let deadline = WorkingCalendar::bundled().add_working_days(day(), 10);
    vec![
        CaseEvent::ApplicationFiled {
            item_code: ItemCode::parse("XK-003").unwrap(),
            item_name: "化肥产品生产许可证核发".into(),
            credit_code: CreditCode::with_check_character("91370102MA3C4F5G6").unwrap(),
            enterprise_name: format!("济南恒力化工有限公司{serial}"),
            bureau: BureauCode::parse("370100").unwrap(),
            product: "复合肥料".into(),
            process: None,
            materials: vec![Material {
                name: "申请书 application form".into(),
                digest: MaterialDigest::parse(&"a".repeat(64)).unwrap(),
            }],
            commitment: None,
            contact: Contact {
                person: "王经理".into(),
                phone: "13800000000".into(),
            },
            filed_on: day(),
            address: None,
            applicant_listed: false,
        },
        CaseEvent::ApplicationAccepted {
            accepted_on: day(),
            statutory_deadline: deadline,
            committed_deadline: deadline,
        },
        CaseEvent::ApplicationApproved {
            approved_on: day(),
            on_commitment: false,
        },
        CaseEvent::PermitIssued {
            permit_number: PermitNumber::parse(&format!("XK-003-370100-2026-{serial:05}")).unwrap(),
            scope: "复合肥料".into(),
            valid_from: day(),
            valid_until: "2031-11-01".parse().unwrap(),
            issued_on: day(),
            working_days_used: 0,
            check_due: None,
        },
    ]
}

/// Logs `event` as the `sequence`th of the case `case_id`, as the event store would.
pub async fn log_event(db: &Db, case_id: &str, sequence: i64, event: &CaseEvent) {
    let cast = if matches!(db, Db::Postgres(_)) {
        "::json"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
         event_version, payload, metadata) \
         VALUES ('PermitCase', $1, $2, $3, '1.0', $4{cast}, $5{cast})"
    );
    let metadata = r#"{"requested_at":"2026-11-02T01:00:00.000000Z"}"#;
    projections::on_db!(db, |pool| {
        sqlx::query(&sql)
            .bind(case_id)
            .bind(sequence)
            .bind(cqrs_es::DomainEvent::event_type(event))
            .bind(serde_json::to_string(event).unwrap())
            .bind(metadata)
            .execute(pool)
            .await
            .unwrap();
    });
}

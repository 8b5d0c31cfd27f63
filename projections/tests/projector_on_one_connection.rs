//! The projector must make progress on a pool of one connection: everything it reads while
//! its transaction holds SQLite's write lock goes through that transaction. (Taking a second
//! pool connection there once deadlocked the server under 8 concurrent writers.)

use std::time::Duration;

use chrono::NaiveDate;
use domain::calendar::WorkingCalendar;
use domain::catalogue::Catalogue;
use domain::permit_case::{Contact, Material};
use domain::values::{BureauCode, CreditCode, ItemCode, MaterialDigest, PermitNumber};
use domain::CaseEvent;
use projections::notices::NoticesProjection;
use projections::{CaseProjection, Db, LedgerProjection, Projector};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::test]
async fn the_projector_needs_only_its_own_connection() {
    let path = std::env::temp_dir().join(format!(
        "projector-one-connection-{}.db",
        std::process::id()
    ));
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .unwrap();
    let db = Db::Sqlite(pool);
    db.migrate().await.unwrap();
    let day: NaiveDate = "2026-11-02".parse().unwrap();
    let deadline = WorkingCalendar::bundled().add_working_days(day, 10);
    let events = [
        CaseEvent::ApplicationFiled {
            item_code: ItemCode::parse("XK-003").unwrap(),
            item_name: "化肥产品生产许可证核发".into(),
            credit_code: CreditCode::with_check_character("91370102MA3C4F5G6").unwrap(),
            enterprise_name: "济南恒力化工有限公司".into(),
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
            filed_on: day,
        },
        CaseEvent::ApplicationAccepted {
            accepted_on: day,
            statutory_deadline: deadline,
            committed_deadline: deadline,
        },
        CaseEvent::ApplicationApproved {
            approved_on: day,
            on_commitment: false,
        },
        CaseEvent::PermitIssued {
            permit_number: PermitNumber::parse("XK-003-370100-2026-00001").unwrap(),
            scope: "复合肥料".into(),
            valid_from: day,
            valid_until: "2031-11-01".parse().unwrap(),
            issued_on: day,
            working_days_used: 0,
        },
    ];
    let Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    for (sequence, event) in events.iter().enumerate() {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('PermitCase', '0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8e', $1, $2, '1.0', $3, $4)",
        )
        .bind(sequence as i64 + 1)
        .bind(cqrs_es::DomainEvent::event_type(event))
        .bind(serde_json::to_string(event).unwrap())
        .bind(r#"{"requested_at":"2026-11-02T01:00:00.000000Z"}"#)
        .execute(pool)
        .await
        .unwrap();
    }
    let projector = Projector::new(
        db.clone(),
        LedgerProjection {
            cases: CaseProjection::default(),
            notices: NoticesProjection::new(Catalogue::bundled(), chrono_tz::Asia::Shanghai),
        },
    );
    let reached = tokio::time::timeout(Duration::from_secs(20), projector.catch_up())
        .await
        .expect("the projector deadlocked waiting for a second connection")
        .unwrap();
    assert_eq!(reached, 4);
    let notices = projections::listing_queries::unpublished_notices_until(&db, day)
        .await
        .unwrap();
    assert_eq!(notices.len(), 1);
    let _ = std::fs::remove_file(&path);
}

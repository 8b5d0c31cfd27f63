//! Stores for the projection tests: a fresh PostgreSQL database (PostgreSQL must answer, see
//! scripts/test.sh: these tests fail, never skip) or a fresh SQLite file. Each test binary uses
//! some of these helpers.
#![allow(dead_code, unused_macros)]

use chrono::NaiveDate;
use domain::calendar::WorkingCalendar;
use domain::permit_case::{Contact, Material};
use domain::values::{BureauCode, CreditCode, ItemCode, MaterialDigest, PermitNumber};
use domain::CaseEvent;
use projections::Db;

/// The PostgreSQL server the tests use (no database name).
pub fn postgres_server() -> String {
    std::env::var("PERMIT_LEDGER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Runs `sql` on the server's maintenance database.
pub async fn administer(sql: &str) {
    let admin = sqlx::PgPool::connect(&format!("{}/postgres", postgres_server()))
        .await
        .unwrap();
    sqlx::query(sql).execute(&admin).await.unwrap();
    admin.close().await;
}

/// A migrated database of its own on the PostgreSQL server; drop it with [`drop_postgres`].
pub async fn scratch_postgres(name: &str) -> Db {
    administer(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    administer(&format!("CREATE DATABASE {name}")).await;
    let db = Db::connect(&format!("{}/{name}", postgres_server()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db
}

pub async fn drop_postgres(db: Db, name: &str) {
    db.close().await;
    administer(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}

/// A migrated SQLite file of its own in the temporary directory.
pub async fn scratch_sqlite(name: &str) -> (Db, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    (db, path)
}

/// Runs `test` on a scratch PostgreSQL database named `name` and this process, then drops it.
pub async fn on_scratch_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let name = format!("{name}_{}", std::process::id());
    let db = scratch_postgres(&name).await;
    test(db.clone()).await;
    drop_postgres(db, &name).await;
}

/// Runs `test` on a scratch SQLite file named `name` and this process, then removes it.
pub async fn on_scratch_sqlite<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (db, path) = scratch_sqlite(&format!("{name}-{}", std::process::id())).await;
    test(db.clone()).await;
    db.close().await;
    let _ = std::fs::remove_file(path);
}

/// Runs each named `async fn name(db: &Db)` as two tests, `sqlite::name` on a scratch SQLite
/// file and `postgres::name` on a scratch PostgreSQL database, each named after the function.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::on_scratch_sqlite(stringify!($name), |db| async move {
                        super::$name(&db).await
                    })
                    .await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::on_scratch_postgres(stringify!($name), |db| async move {
                        super::$name(&db).await
                    })
                    .await;
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_both_stores;

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

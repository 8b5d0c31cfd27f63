//! The same lifecycles through plain cqrs-es: its stock tables, the plain event store, one
//! GenericQuery keeping a view per case, in-process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cqrs_es::persist::GenericQuery;
use cqrs_es::{EventEnvelope, View};
use domain::permit_case::{Application, Recommendation};
use domain::values::{BureauCode, ItemCode, PermitNumber};
use domain::{Actor, CaseAction, CaseCommand, CaseServices, PermitCase, Post};
use postgres_es::{postgres_cqrs, PostgresViewRepository};
use projections::Db;
use serde::{Deserialize, Serialize};
use sqlite_es::{sqlite_cqrs, SqliteViewRepository};

use super::load::timed;
use super::{Options, Row};
use test_support::fixtures::{application, enterprise, officer};
use test_support::Store;

/// The one view the plain framework keeps: a case's status and version.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PlainView {
    status: String,
    version: usize,
}

impl View<PermitCase> for PlainView {
    fn update(&mut self, event: &EventEnvelope<PermitCase>) {
        self.version = event.sequence;
        self.status = cqrs_es::DomainEvent::event_type(&event.payload);
    }
}

const SQLITE_SCHEMA: &[&str] = &[
    "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
     sequence integer CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, \
     event_version text NOT NULL, payload text NOT NULL, metadata text NOT NULL, \
     PRIMARY KEY (aggregate_type, aggregate_id, sequence)) STRICT",
    "CREATE TABLE snapshots (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
     last_sequence integer NOT NULL, current_snapshot integer NOT NULL, payload text NOT NULL, \
     PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)) STRICT",
    "CREATE TABLE case_view (view_id text NOT NULL, version integer NOT NULL, payload text NOT NULL, \
     PRIMARY KEY (view_id)) STRICT",
];

const POSTGRES_SCHEMA: &[&str] = &[
    "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
     sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, \
     event_version text NOT NULL, payload json NOT NULL, metadata json NOT NULL, \
     PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
    "CREATE TABLE snapshots (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
     last_sequence bigint NOT NULL, current_snapshot bigint NOT NULL, payload json NOT NULL, \
     PRIMARY KEY (aggregate_type, aggregate_id, last_sequence))",
    "CREATE TABLE case_view (view_id text NOT NULL, version bigint NOT NULL, payload json NOT NULL, \
     PRIMARY KEY (view_id))",
];

/// Stock cqrs-es on either store.
enum PlainFramework {
    Sqlite(sqlite_es::SqliteCqrs<PermitCase>),
    Postgres(postgres_es::PostgresCqrs<PermitCase>),
}

impl PlainFramework {
    async fn execute(
        &self,
        case_id: &str,
        command: CaseCommand,
        metadata: HashMap<String, String>,
    ) -> Result<(), cqrs_es::AggregateError<domain::CaseError>> {
        match self {
            PlainFramework::Sqlite(cqrs) => {
                cqrs.execute_with_metadata(case_id, command, metadata).await
            }
            PlainFramework::Postgres(cqrs) => {
                cqrs.execute_with_metadata(case_id, command, metadata).await
            }
        }
    }
}

fn framework(db: &Db) -> PlainFramework {
    match db {
        Db::Sqlite(pool) => {
            let views = Arc::new(SqliteViewRepository::<PlainView, PermitCase>::new(
                "case_view",
                pool.clone(),
            ));
            PlainFramework::Sqlite(sqlite_cqrs(
                pool.clone(),
                vec![Box::new(GenericQuery::new(views))],
                CaseServices::bundled(),
            ))
        }
        Db::Postgres(pool) => {
            let views = Arc::new(PostgresViewRepository::<PlainView, PermitCase>::new(
                "case_view",
                pool.clone(),
            ));
            PlainFramework::Postgres(postgres_cqrs(
                pool.clone(),
                vec![Box::new(GenericQuery::new(views))],
                CaseServices::bundled(),
            ))
        }
    }
}

pub async fn measure(options: &Options, store: Store, clients: usize) -> anyhow::Result<Vec<Row>> {
    let scratch = options.scratch(store).await?;
    let db = scratch.connect().await?;
    let schema = match store {
        Store::Sqlite => SQLITE_SCHEMA,
        Store::Postgres => POSTGRES_SCHEMA,
    };
    for sql in schema {
        projections::on_db!(&db, |pool| {
            sqlx::query(sql).execute(pool).await?;
        });
    }
    let cqrs = Arc::new(framework(&db));
    let serials = Arc::new(AtomicU32::new(0));
    let today = chrono::Utc::now().date_naive();
    let timing = timed(clients, options.sizes.lifecycles_per_client, move |c, i| {
        let (cqrs, serials) = (cqrs.clone(), serials.clone());
        async move {
            let case_id = uuid::Uuid::now_v7().to_string();
            let applicant = Actor::Applicant {
                subject: format!("bench enterprise {c}"),
                credit_code: enterprise(c),
            };
            let filing: Application =
                serde_json::from_value(application(&format!("济南基准测试企业{c}-{i}")))?;
            let serial = serials.fetch_add(1, Ordering::SeqCst) + 1;
            let permit_number = PermitNumber::compose(
                &ItemCode::parse("XK-003")?,
                &BureauCode::parse("370100")?,
                2026,
                serial,
            )?;
            let steps = [
                (applicant.clone(), CaseAction::FileApplication(filing)),
                (officer(Post::Acceptor), CaseAction::Accept {}),
                (
                    officer(Post::Reviewer),
                    CaseAction::RecordReview {
                        findings: "符合".into(),
                        recommendation: Recommendation::Approve,
                    },
                ),
                (officer(Post::Approver), CaseAction::Approve {}),
                (
                    officer(Post::Approver),
                    CaseAction::IssuePermit {
                        permit_number,
                        scope: "复合肥料".into(),
                    },
                ),
                (
                    officer(Post::Dispatcher),
                    CaseAction::DispatchCertificate {
                        courier: "EMS".into(),
                        tracking_number: "1151234567890".into(),
                    },
                ),
                (applicant, CaseAction::ConfirmDelivery {}),
            ];
            let mut latencies = Vec::with_capacity(steps.len());
            for (actor, action) in steps {
                let command = CaseCommand {
                    actor,
                    today,
                    expected_version: None,
                    action,
                    officer_ref: None,
                    applicant_listed: false,
                };
                let started = Instant::now();
                cqrs.execute(&case_id, command, HashMap::new())
                    .await
                    .map_err(|e| anyhow::anyhow!("plain cqrs-es refused a command: {e}"))?;
                latencies.push(started.elapsed());
            }
            Ok::<Vec<Duration>, anyhow::Error>(latencies)
        }
    })
    .await?;
    scratch.remove().await;
    Ok(vec![Row {
        section: "commands",
        store: store.name(),
        clients,
        measure: "plain cqrs-es + GenericQuery".into(),
        value: timing.per_second,
        unit: "commands/s",
        p50_ms: Some(timing.p50_ms),
        p99_ms: Some(timing.p99_ms),
    }])
}

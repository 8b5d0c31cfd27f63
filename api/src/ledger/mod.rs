//! The command side, without HTTP: the ledger as its clients use it. HTTP routes, the demo
//! loader and the tools all go through [`Ledger`], so sample data takes the same path as an
//! officer's request.
//!
//! - [`Ledger`] (here): open the ledger; file, send, read cases and worklists.
//! - `command_bus`, `recent_histories`: each command decided on the case's history
//!   (cqrs-es's aggregate API), its events appended through the writer.
//! - [`writer`]: the group-committing event writer, which appends and projects together.
//! - [`permit_numbers`]: serials allocated once per case.
//! - [`clock`]: the injected time.
//! - [`idempotency`]: writes sent again under the same `Idempotency-Key`, done once.
//! - [`publication`]: the daily publication of ended days.
//! - [`checkpoints`], [`merkle_blocks`]: signed checkpoints, and the hashes proofs are made of.

mod command_metadata;
mod commands;
mod credit;
mod erasure;
mod error;
mod expiry;
pub mod idempotency;
mod inspections;
mod listings;
mod plan_documents;
mod reads;
mod supervision;
mod tiles;

pub mod checkpoints;
pub mod clock;
mod command_bus;
pub mod master_key;
pub mod merkle_blocks;
pub mod permit_numbers;
pub mod publication;
mod recent_histories;
pub mod writer;

pub use clock::{Clock, SettableClock, SystemClock};
pub use commands::{CaseRequest, RequestTrace, Submission};
pub use erasure::Erased;
pub use error::LedgerError;
pub use inspections::{PlanRequest, RosterMember};
pub use reads::{CaseHistory, LogPage, Positions};
pub use supervision::{month_start, PublishedPeriod, PublishedStatistics};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::credit_record::{CreditRecord, CreditRules};
use domain::inspection::InspectionPlan;
use domain::personal_data::SubjectErasure;
use domain::publication::DailyPublication;
use domain::transparency::NoteSigner;
use domain::{CaseServices, PermitCase};
use projections::personal::{PersonalKeys, SecretKey};
use projections::{
    Db, NoticesProjection, ProjectionError, Projector, ReadModelProjector, ReadModels,
};
use tokio::sync::Notify;

use crate::ledger::command_bus::CommandBus;
use crate::ledger::merkle_blocks::MerkleBlocks;
use crate::ledger::permit_numbers::PermitNumbers;
use crate::ledger::writer::EventWriter;

/// How long a command waits for the projector to catch up before it answers from the log.
pub const CATCH_UP_WAIT: Duration = Duration::from_secs(2);

pub struct Ledger {
    db: Db,
    commands: CommandBus<PermitCase>,
    publications: CommandBus<DailyPublication>,
    /// The enterprises' credit records (the list of seriously untrustworthy entities).
    credits: CommandBus<CreditRecord>,
    /// The inspection plans ("double random, one public").
    plans: CommandBus<InspectionPlan>,
    /// The plans' public documents as last read.
    plan_documents: plan_documents::PlanDocuments,
    erasures: CommandBus<SubjectErasure>,
    /// The keys personal fields are sealed under.
    personal: Arc<PersonalKeys>,
    projector: Arc<ReadModelProjector>,
    permit_numbers: PermitNumbers,
    /// Counts the commands underway, for the batches it commits.
    writer: EventWriter,
    signer: NoteSigner,
    projector_wakeup: Arc<Notify>,
    /// How long a command waits for the projector before answering from the log instead.
    catch_up_wait: Duration,
    /// Counts the days this process has published (see [`Self::publication_epoch`]).
    publication_epoch: AtomicU64,
    services: Arc<CaseServices>,
    clock: Arc<dyn Clock>,
    time_zone: Tz,
    /// The roots of the log's blocks, for proofs.
    merkle_blocks: MerkleBlocks,
}

impl Ledger {
    /// Brings the schema up to date and wires the command side to `db`.
    pub async fn open(
        db: Db,
        services: CaseServices,
        clock: Arc<dyn Clock>,
        time_zone: Tz,
        signer: NoteSigner,
        master_key: SecretKey,
    ) -> Result<Self, LedgerError> {
        db.migrate()
            .await
            .map_err(|e| LedgerError::EventStore(Box::new(e)))?;
        let personal = Arc::new(PersonalKeys::open(db.clone(), master_key).await?);
        let projector = Arc::new(Projector::new(
            db.clone(),
            ReadModels::new(
                NoticesProjection::new(services.catalogue.clone(), time_zone),
                services.clone(),
            ),
        ));
        let writer = EventWriter::start(db.clone(), projector.clone());
        let permit_numbers = PermitNumbers::open(&db, writer.gate().clone())
            .await
            .map_err(|source| {
                LedgerError::EventStore(Box::new(projections::db::DbError::Connect {
                    url: "the ledger's store (connections for permit numbers)".into(),
                    source,
                }))
            })?;
        Ok(Self {
            permit_numbers,
            commands: CommandBus::new(&db, writer.clone(), services.clone(), personal.clone()),
            publications: CommandBus::new(&db, writer.clone(), (), personal.clone()),
            plans: CommandBus::new(&db, writer.clone(), services.clone(), personal.clone()),
            plan_documents: Default::default(),
            credits: CommandBus::new(
                &db,
                writer.clone(),
                CreditRules::bundled(),
                personal.clone(),
            ),
            erasures: CommandBus::new(&db, writer.clone(), (), personal.clone()),
            personal,
            writer,
            projector,
            signer,
            projector_wakeup: Arc::new(Notify::new()),
            publication_epoch: AtomicU64::new(0),
            catch_up_wait: CATCH_UP_WAIT,
            services: Arc::new(services),
            db,
            clock,
            time_zone,
            merkle_blocks: MerkleBlocks::default(),
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where Merkle proofs get their hashes.
    pub fn merkle_blocks(&self) -> &MerkleBlocks {
        &self.merkle_blocks
    }

    pub fn services(&self) -> &CaseServices {
        &self.services
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Keeps case_state, public_notices and ledger_leaves, in one transaction per batch.
    pub fn projector(&self) -> &Arc<ReadModelProjector> {
        &self.projector
    }

    /// Signs checkpoints; its verifier key is the log's public key.
    pub fn signer(&self) -> &NoteSigner {
        &self.signer
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    pub(crate) fn publications(&self) -> &CommandBus<DailyPublication> {
        &self.publications
    }

    pub(crate) fn erasures(&self) -> &CommandBus<SubjectErasure> {
        &self.erasures
    }

    /// The keys personal fields are sealed under, for opening what is read.
    pub fn personal_keys(&self) -> &PersonalKeys {
        &self.personal
    }

    /// Woken after every commit, so the background projector needs no tight polling.
    pub fn projector_wakeup(&self) -> &Arc<Notify> {
        &self.projector_wakeup
    }

    /// Changes each time this process has published a day and projected it: what is cached
    /// of the public listings is stale once it has changed.
    pub fn publication_epoch(&self) -> u64 {
        self.publication_epoch.load(Ordering::Acquire)
    }

    pub(crate) fn publication_projected(&self) {
        self.publication_epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The business date now, in the bureau's time zone.
    pub fn today(&self) -> NaiveDate {
        self.clock.now().with_timezone(&self.time_zone).date_naive()
    }

    /// Runs the projector until it has caught up with the log; returns the position reached.
    pub async fn catch_up(&self) -> Result<i64, ProjectionError> {
        self.projector.catch_up().await
    }
}

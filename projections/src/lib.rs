//! Read models built from the event log, the log itself, and the database they live in.
//!
//! Projectors read the log by global position after their checkpoint and update their rows
//! and checkpoint in one transaction; rebuilding is resetting and replaying. Nothing here
//! relies on cqrs-es query dispatch. This crate owns the schema (`migrations/`), so every
//! statement on the log, reading or appending, is here too.
//!
//! - [`db`]: the SQLite or PostgreSQL pool, schema migrations; transactions and connections
//!   on either ([`db::Tx`], [`db::Conn`], `on_db!`, `on_tx!`, `on_conn!`).
//! - [`log`]: the event log, read in position order and appended, exactly as stored.
//! - [`case_view`]: a case's current state, folded from its events (pure).
//! - [`projection`]: what a read model is to the projector, and how projecting fails.
//! - [`projector`]: the checkpointed projector that runs any [`Projection`].
//! - [`read_models`]: the ledger's read models, kept together by one projector.
//! - [`case_projection`]: the `case_state` rows.
//! - [`notices`]: public notices of permits issued and revoked, and which day published them.
//! - [`supervision`]: the supervision figures per day, bureau and item, and the efficiency
//!   query that sums them.
//! - [`transparency`]: each event's Merkle leaf (written once) and the signed checkpoints.
//! - [`postgres_writes`]: several tables written in one PostgreSQL statement.
//! - [`blacklist`]: the public list of seriously untrustworthy entities, folded from the
//!   credit records in the log.
//! - [`inspections`]: an inspection plan's public document, folded from its events.
//! - [`case_queries`], [`listing_queries`]: reading cases, worklists, published days.
//! - [`ledger_settings`]: what is fixed when the ledger is created (its business time zone,
//!   its master key's fingerprint).
//! - [`revoked_tokens`]: bearer tokens revoked before they expire.
//! - [`idempotency_keys`]: the keys of writes sent with `Idempotency-Key`, and their answers.
//! - [`personal`]: personal fields sealed under a key per data subject, opened for readers,
//!   erased by destroying the key; the key table and retention.

pub mod blacklist;
pub mod case_projection;
pub mod case_queries;
pub mod case_view;
pub mod db;
pub mod guidance;
pub mod idempotency_keys;
pub mod inspections;
pub mod ledger_settings;
pub mod listing_queries;
pub mod log;
pub mod notices;
pub mod permit_life;
pub mod permit_record;
pub mod personal;
pub mod postgres_writes;
pub mod projection;
pub mod projector;
pub mod read_models;
pub mod revoked_tokens;
pub mod supervision;
pub mod transparency;

pub use case_projection::CaseProjection;
pub use case_view::CaseView;
pub use db::{Conn, Db, Tx};
pub use log::LoggedEvent;
pub use notices::{NoticesProjection, PublicNotice};
pub use projection::{Projection, ProjectionError};
pub use projector::Projector;
pub use read_models::{ReadModelProjector, ReadModels};

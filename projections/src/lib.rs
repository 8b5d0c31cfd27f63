//! Read models built from the event log, and the database they live in.
//!
//! Projectors read the log by global position after their checkpoint and update their rows
//! and checkpoint in one transaction; rebuilding is resetting and replaying. Nothing here
//! relies on cqrs-es query dispatch.
//!
//! - [`db`]: the SQLite or PostgreSQL pool, connection and schema migrations.
//! - [`log`]: reading the event log in position order, as stored.
//! - [`case_view`]: a case's current state, folded from its events (pure).
//! - [`projector`]: the checkpointed projector that runs any [`Projection`].
//! - [`case_projector`]: the `case_state` projection.
//! - [`ledger_projection`]: the projections kept together by one projector.
//! - [`case_queries`]: one case, worklists by bureau, status, applicant and item.
//! - [`notices`]: public notices of permits issued and revoked, and which day published them.
//! - [`listing_queries`]: published days and their notices.
//! - [`postgres_writes`]: several tables written in one PostgreSQL statement.
//! - [`transparency`]: each event's Merkle leaf (written once) and the signed checkpoints.

pub mod case_projector;
pub mod case_queries;
pub mod case_view;
pub mod db;
pub mod ledger_projection;
pub mod listing_queries;
pub mod log;
pub mod notices;
pub mod postgres_writes;
pub mod projector;
pub mod transparency;

pub use case_projector::CaseProjection;
pub use case_view::CaseView;
pub use db::Db;
pub use ledger_projection::{LedgerProjection, LedgerProjector};
pub use log::LoggedEvent;
pub use notices::{NoticesProjection, PublicNotice};
pub use projector::{Projection, ProjectionError, Projector, Tx};

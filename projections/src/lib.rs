//! Read models built from the event log, and the database they live in.
//!
//! Projectors read the log by global position after their checkpoint and update their rows
//! and checkpoint in one transaction; rebuilding is resetting and replaying. Nothing here
//! relies on cqrs-es query dispatch.
//!
//! - [`db`]: the SQLite or PostgreSQL pool, connection and schema migrations.
//! - [`log`]: reading the event log in position order, as stored.
//! - [`case_view`]: a case's current state, folded from its events (pure).
//! - [`case_projector`]: the checkpointed projector that maintains `case_state`.
//! - [`case_queries`]: one case, worklists by bureau, status, applicant and item.

pub mod case_projector;
pub mod case_queries;
pub mod case_view;
pub mod db;
pub mod log;

pub use case_projector::{CaseProjector, ProjectionError};
pub use case_view::CaseView;
pub use db::Db;
pub use log::LoggedEvent;

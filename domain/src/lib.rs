//! The permit ledger's domain: what a permit case is, what may happen to it and who may make
//! it happen. Pure: no IO and no clock; the date a command is sent on, the catalogue and the
//! calendar are passed in.
//!
//! - [`permit_case`]: the case aggregate, its commands, events, statuses and refusals.
//! - [`catalogue`]: items with their limits and materials, the jurisdiction, the phase-out list.
//! - [`calendar`]: working days (holidays and make-up workdays from data).
//! - [`iso_date`]: dates as ISO 8601 text in serde, chrono's text without chrono's parser.
//! - [`values`]: typed values parsed at the boundary (credit code, bureau, case id, ...).
//! - [`text`]: the rules free text must meet to be kept and published (limits, characters).
//! - [`actor`]: who sends a command (applicant, officer at a post, auditor).
//! - [`personal_data`]: which fields are personal, whose, and their erasure, once.
//! - [`credit_record`]: an enterprise's listings on the blacklist, and their removal.
//! - [`publication`]: the daily publication of public notices, once per day.
//! - [`supervision`]: the clock of a case, time at each post, warnings, from its events.
//! - [`transparency`]: RFC 6962 Merkle tree and signed checkpoints (C2SP signed notes).

pub mod actor;
pub mod calendar;
pub mod catalogue;
pub mod credit_record;
pub mod inspection;
pub mod iso_date;
pub mod permit_case;
pub mod personal_data;
pub mod publication;
pub mod services;
pub mod supervision;
pub mod text;
pub mod transparency;
pub mod values;

pub use actor::{Actor, Post};
pub use permit_case::{CaseAction, CaseCommand, CaseError, CaseEvent, CaseStatus, PermitCase};
pub use services::CaseServices;

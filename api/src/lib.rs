//! The permit ledger's server and command line: HTTP API (warp), bearer tokens, the injected
//! clock, store wiring and the `permit-ledger` subcommands.
//!
//! - [`startup`]: build the application, serve, shut down gracefully.
//! - [`ledger`]: the ledger as clients use it (send commands, read cases and worklists).
//! - [`command_bus`]: cqrs-es on the chosen store.
//! - [`event_writer`], [`event_repository`]: group commit of events with their projection.
//! - [`publisher`]: the daily publication of ended days.
//! - [`checkpoints`]: signed checkpoints of the log, refused when stored events changed.
//! - [`routes`]: HTTP endpoints, one file per resource.
//! - [`auth`], [`problem`], [`clock`], [`settings`]: tokens, errors, time, configuration.
//! - [`cli`], [`demo`]: the command line and the sample-data loader.
//! - [`export`], [`verify`]: the log as JSON Lines, and its offline verification.
//! - [`bench`]: the benchmark program (`permit-ledger bench`).

/// `println!` that stops quietly when stdout is gone (`permit-ledger verify FILE | head`)
/// instead of panicking on the broken pipe.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod auth;
pub mod bench;
pub mod checkpoints;
pub mod cli;
pub mod clock;
pub mod command_bus;
pub mod demo;
pub mod event_repository;
pub mod event_writer;
pub mod export;
pub mod ledger;
pub mod merkle_blocks;
pub mod permit_numbers;
pub mod problem;
pub mod publisher;
pub mod recent_histories;
pub mod replay;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod verify;
pub mod writer_session;

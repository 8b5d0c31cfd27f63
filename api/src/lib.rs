//! The permit ledger's server and command line.
//!
//! - [`ledger`]: the command side, without HTTP: the [`ledger::Ledger`] facade every client
//!   goes through (HTTP routes, the demo, the tools), the command bus on cqrs-es, the
//!   group-committing event writer, permit numbers, the clock, daily publication, signed
//!   checkpoints and the Merkle blocks proofs are made of.
//! - [`http`]: the warp routes (one file per resource), request and response helpers,
//!   problem+json, bearer tokens.
//! - [`cli`]: the `permit-ledger` subcommands, one file each.
//! - [`startup`]: build the application, serve, shut down gracefully.
//! - [`settings`], [`telemetry`]: configuration and logs.

/// `println!` that stops quietly when stdout is gone (`permit-ledger verify FILE | head`)
/// instead of panicking on the broken pipe.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod cli;
pub mod http;
pub mod ledger;
pub mod metrics;
pub mod settings;
pub mod startup;
pub mod telemetry;

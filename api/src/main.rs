use std::process::ExitCode;

use clap::Parser;
use permit_ledger::cli::{run, Cli};

/// Many short-lived allocations (rows, JSON, HTTP bodies) across threads: mimalloc serves
/// them without the system allocator's consolidation work (see README, "Performance").
/// Built without transparent huge pages (`no_thp`): with them, the first touch of each fresh
/// 2 MB of heap zeroed it whole inside the page fault, holding a request thread for up to
/// 10 ms (ADR 04).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    permit_ledger::telemetry::init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

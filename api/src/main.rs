use std::process::ExitCode;

use clap::Parser;
use permit_ledger::cli::{run, Cli};

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

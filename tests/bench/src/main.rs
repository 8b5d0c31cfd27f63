//! `permit-ledger-bench`: measures commands, rebuild and feeds beside the machine's limits;
//! prints a table and writes JSON. Uses throw-away stores, never a ledger's data directory.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use permit_ledger_bench::{print, run, Options, Sizes};

/// The server's allocator, so that the figures are the server's (see api/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "permit-ledger-bench",
    version,
    about = "Measure the permit ledger beside what it stands on"
)]
struct Cli {
    /// Seconds instead of minutes (smoke run).
    #[arg(long)]
    quick: bool,
    /// PostgreSQL server (no database name) to measure too, e.g. postgres://postgres@127.0.0.1:5432.
    #[arg(long, env = "PERMIT_LEDGER_BENCH_POSTGRES")]
    postgres: Option<String>,
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench.json")]
    out: PathBuf,
    /// Run only these sections: commands, rebuild, supervision, inspections, feeds, render
    /// (repeatable).
    #[arg(long)]
    only: Vec<String>,
    /// Measure only this store: sqlite or postgres (repeatable; default: SQLite, and
    /// PostgreSQL when --postgres is given).
    #[arg(long = "only-store", value_parser = ["sqlite", "postgres"])]
    stores: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    permit_ledger::telemetry::init();
    let cli = Cli::parse();
    let options = Options {
        sizes: if cli.quick {
            Sizes::quick()
        } else {
            Sizes::full()
        },
        postgres: cli.postgres,
        out: cli.out,
        only: cli.only,
        stores: cli.stores,
    };
    match run(&options).await {
        Ok(rows) => {
            print(&rows);
            permit_ledger::say!("results written to {}", options.out.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

//! The `permit-ledger` command line: parsing and dispatch here, one file per subcommand
//! (`serve` is [`crate::startup`]), reports printed by `reports`. Every flag can also be
//! set by the environment variable named in its help.

pub mod demo;
pub mod export;
pub mod replay;
mod reports;
pub mod token;
pub mod verify;

pub use token::TokenArgs;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};

use crate::ledger::clock::SystemClock;
use crate::settings::Settings;
use crate::startup::{open_ledger, shutdown_signal, Application};

#[derive(Debug, Parser)]
#[command(
    name = "permit-ledger",
    version,
    about = "An event-sourced ledger of administrative permit cases with a public transparency feed"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory for the SQLite database, the token secret and other state.
    #[arg(
        long,
        global = true,
        env = "PERMIT_LEDGER_DATA_DIR",
        default_value = "./data"
    )]
    pub data_dir: PathBuf,
    /// Store URL: postgres://... for PostgreSQL; default the SQLite file DATA_DIR/ledger.db.
    #[arg(long, global = true, env = "PERMIT_LEDGER_STORE")]
    pub store: Option<String>,
    /// Time zone of business days (deadlines, dates on permits).
    #[arg(
        long,
        global = true,
        env = "PERMIT_LEDGER_TIME_ZONE",
        default_value = "Asia/Shanghai"
    )]
    pub time_zone: Tz,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PERMIT_LEDGER_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Base URL the public reaches this server at, used in feed links (default http://LISTEN).
        #[arg(long, env = "PERMIT_LEDGER_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Print a bearer token for an applicant, officer or auditor.
    Token(TokenArgs),
    /// Load a month of realistic sample cases into an empty ledger.
    Demo {
        /// How many days of history to make, ending now.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Seed of the sample data, for a repeatable demo.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Rebuild the projections from the log and say whether they equal the live ones.
    Replay,
    /// Write the log, each event's recorded leaf and every signed checkpoint as JSON Lines.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an export offline: hashes, checkpoints, positions, times, cases.
    Verify {
        file: PathBuf,
        /// The log's verifier key (GET /transparency/key), or a file holding it. Without it
        /// the key written in the export is used, which proves consistency, not authorship.
        #[arg(long)]
        key: Option<String>,
    },
}

/// Runs the subcommand `cli` names.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let GlobalArgs {
        data_dir,
        store,
        time_zone,
    } = cli.global;
    let settings = |listen, public_url| Settings {
        data_dir: data_dir.clone(),
        store: store.clone(),
        listen,
        time_zone,
        public_url,
    };
    let unused_listen: SocketAddr = "127.0.0.1:0".parse().expect("a socket address");
    let tool = || settings(unused_listen, None);
    match cli.command {
        Command::Serve { listen, public_url } => {
            let app =
                Application::build(&settings(listen, public_url), Arc::new(SystemClock)).await?;
            app.run_until(shutdown_signal()).await;
            Ok(())
        }
        Command::Token(args) => token::run(&data_dir, &args),
        Command::Demo { days, seed } => {
            reports::demo_loaded(&demo::run(&tool(), days, seed).await?);
            Ok(())
        }
        Command::Export { out } => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            let (events, checkpoints) = export::export(&ledger, &out).await?;
            crate::say!(
                "exported {events} events and {checkpoints} checkpoints to {}",
                out.display()
            );
            Ok(())
        }
        Command::Verify { file, key } => {
            let key = match key {
                Some(k) if std::path::Path::new(&k).is_file() => {
                    Some(std::fs::read_to_string(&k)?.trim().to_owned())
                }
                other => other,
            };
            let summary = verify::verify(&file, key.as_deref())?;
            reports::verified(&file, &summary);
            Ok(())
        }
        Command::Replay => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            let report = replay::replay(&ledger).await?;
            reports::replayed(&report);
            if report.iter().any(|l| l.live != l.rebuilt) {
                bail!("a rebuilt projection differs from the live one");
            }
            Ok(())
        }
    }
}

//! The `permit-ledger` command line: parsing and dispatch here, one file per subcommand
//! (`serve` is [`crate::startup`]), reports printed by `reports`. Every flag can also be
//! set by the environment variable named in its help.

pub mod demo;
pub mod erase;
pub mod export;
pub mod impact;
pub mod replay;
mod reports;
pub mod rotate;
pub mod token;
pub mod verify;
pub mod verify_draw;

pub use token::TokenArgs;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};
use domain::personal_data::DataSubject;

use crate::ledger::clock::SystemClock;
use crate::settings::{Limits, Settings};
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
    /// The master key that wraps the personal-data keys (base64 of 32 bytes); default the
    /// one kept in DATA_DIR/master-key, made when the ledger is created. Servers sharing a
    /// store share it.
    #[arg(
        long,
        global = true,
        env = "PERMIT_LEDGER_MASTER_KEY",
        hide_env_values = true
    )]
    pub master_key: Option<String>,
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
        /// Days after an enterprise's last case finished until the server erases its
        /// personal information by itself (0: never by itself).
        #[arg(long, env = "PERMIT_LEDGER_RETENTION_DAYS", default_value_t = 1825)]
        retention_days: u32,
        #[command(flatten)]
        limits: LimitArgs,
        /// Address to serve Prometheus metrics on (GET /metrics); keep it private. Without
        /// it no metrics are served.
        #[arg(long, env = "PERMIT_LEDGER_METRICS_LISTEN")]
        metrics_listen: Option<SocketAddr>,
        /// Seconds between checkpoints: one is signed whenever the log has grown and this
        /// long has passed since the last (besides the one of each daily publication).
        #[arg(long, env = "PERMIT_LEDGER_CHECKPOINT_INTERVAL_SECS", default_value_t = 60,
            value_parser = clap::value_parser!(u64).range(1..))]
        checkpoint_interval_secs: u64,
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
    /// Rebuild the projections from the log and say whether they equal the live ones; the
    /// live ones are left as they are, unless --write.
    Replay {
        /// Replace the live projections with the rebuilt ones.
        #[arg(long)]
        write: bool,
    },
    /// Write the log, each event's recorded leaf and every signed checkpoint as JSON Lines.
    Export {
        /// The JSON Lines file to write the log to.
        #[arg(long, required_unless_present = "tiles_dir")]
        out: Option<PathBuf>,
        /// Also (or only) write the log's Merkle tree as C2SP tlog-tiles hash tiles under this
        /// directory (`checkpoint`, `tile/...`), for serving from any web server.
        #[arg(long)]
        tiles_dir: Option<PathBuf>,
        /// Also write each event's personal fields opened (an erased one reads "erased"),
        /// for an auditor's review; the file is readable by its owner only.
        #[arg(long)]
        decrypt: bool,
    },
    /// Erase a data subject's personal information: its key is destroyed and the erasure
    /// recorded; the log and every proof still verify.
    Erase {
        /// enterprise:CREDIT-CODE, officer:SUBJECT or auditor:SUBJECT.
        #[arg(long)]
        subject: DataSubject,
        /// Why (recorded in the log).
        #[arg(long)]
        reason: String,
        /// The auditor who orders the erasure (recorded, sealed under the auditor's key).
        #[arg(long)]
        by: String,
    },
    /// Wrap every personal-data key under a new master key, written to NEW_KEY_FILE; the
    /// old one may then be destroyed. Stop the servers first; start them with the new key.
    RotateMasterKey {
        #[arg(long)]
        new_key_file: PathBuf,
    },
    /// The reform's impact, replayed from the log: working days each case decided in the
    /// range used against its statutory and committed limits, and per bureau and item the
    /// compression achieved and the cases late against each limit.
    Impact {
        /// The first decision day (YYYY-MM-DD) counted; default the log's first.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// The last decision day counted; default the log's last.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// Print the figures and every case as JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Recompute an inspection plan's draw from its public document
    /// (`/inspections/{plan}.json`) alone, and say whether it matches.
    VerifyDraw {
        file: PathBuf,
        /// The log's verifier key (GET /transparency/key), or a file holding it: checks the
        /// seed's checkpoint signature too.
        #[arg(long)]
        key: Option<String>,
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

/// What the server takes from its clients (see [`Limits`]).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Connections served at once; more wait in the listen queue.
    #[arg(long, env = "PERMIT_LEDGER_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Seconds for a request's head to arrive (and for the next one on a kept-alive
    /// connection) before the connection is closed.
    #[arg(long, env = "PERMIT_LEDGER_HEADER_TIMEOUT", default_value_t = Limits::default().header_timeout.as_secs())]
    header_timeout_secs: u64,
    /// Seconds for reading a request's body and answering it (408 after).
    #[arg(long, env = "PERMIT_LEDGER_REQUEST_TIMEOUT", default_value_t = Limits::default().request_timeout.as_secs())]
    request_timeout_secs: u64,
    /// Writes one sender (one token subject) may make in a minute, in bursts of up to a
    /// quarter of them, before 429 (0: no limit).
    #[arg(long, env = "PERMIT_LEDGER_WRITES_PER_MINUTE", default_value_t = Limits::default().writes_per_minute)]
    writes_per_minute: u32,
}

impl From<LimitArgs> for Limits {
    fn from(args: LimitArgs) -> Self {
        Limits {
            max_connections: args.max_connections.max(1),
            header_timeout: std::time::Duration::from_secs(args.header_timeout_secs.max(1)),
            request_timeout: std::time::Duration::from_secs(args.request_timeout_secs.max(1)),
            writes_per_minute: args.writes_per_minute,
        }
    }
}

/// Runs the subcommand `cli` names.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let GlobalArgs {
        data_dir,
        store,
        time_zone,
        master_key,
    } = cli.global;
    let settings = |listen, public_url, retention_days| Settings {
        data_dir: data_dir.clone(),
        store: store.clone(),
        listen,
        time_zone,
        public_url,
        master_key: master_key.clone(),
        retention_days,
        seal_personal_data: true,
        limits: Limits::default(),
        metrics_listen: None,
        checkpoint_interval: crate::settings::CHECKPOINT_INTERVAL,
    };
    let unused_listen: SocketAddr = "127.0.0.1:0".parse().expect("a socket address");
    let tool = || settings(unused_listen, None, None);
    match cli.command {
        Command::Serve {
            listen,
            public_url,
            retention_days,
            limits,
            metrics_listen,
            checkpoint_interval_secs,
        } => {
            let retention = Some(retention_days).filter(|days| *days > 0);
            let serving = Settings {
                limits: limits.into(),
                metrics_listen,
                checkpoint_interval: std::time::Duration::from_secs(checkpoint_interval_secs),
                ..settings(listen, public_url, retention)
            };
            let app = Application::build(&serving, Arc::new(SystemClock)).await?;
            app.run_until(shutdown_signal()).await;
            Ok(())
        }
        Command::Token(args) => token::run(&tool(), &args).await,
        Command::Demo { days, seed } => {
            reports::demo_loaded(&demo::run(&tool(), days, seed).await?);
            Ok(())
        }
        Command::Export {
            out,
            tiles_dir,
            decrypt,
        } => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            if let Some(out) = out {
                let (events, checkpoints) = export::export(&ledger, &out, decrypt).await?;
                crate::say!(
                    "exported {events} events and {checkpoints} checkpoints to {}",
                    out.display()
                );
            }
            if let Some(dir) = tiles_dir {
                let (size, tiles) = ledger.export_tiles(&dir).await?;
                crate::say!(
                    "wrote {tiles} tiles of the tree of {size} events, and its checkpoint, under {}",
                    dir.display()
                );
            }
            Ok(())
        }
        Command::Verify { file, key } => {
            let key = key_text(key)?;
            let summary = verify::verify(&file, key.as_deref())?;
            reports::verified(&file, &summary);
            Ok(())
        }
        Command::VerifyDraw { file, key } => {
            let key = key_text(key)?;
            let verified = verify_draw::verify_draw(&file, key.as_deref())?;
            reports::draw_verified(&file, &verified);
            Ok(())
        }
        Command::Erase {
            subject,
            reason,
            by,
        } => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            let erased = erase::erase(&ledger, &subject, reason, by).await?;
            reports::erased(&subject, &erased);
            Ok(())
        }
        Command::RotateMasterKey { new_key_file } => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            let rotated = rotate::rotate(&ledger, &tool(), &new_key_file).await?;
            crate::say!(
                "{rotated} personal-data keys are wrapped under the master key in {}",
                new_key_file.display()
            );
            Ok(())
        }
        Command::Impact { from, to, json } => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            let impact = impact::impact(&ledger, from, to).await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&impact)?);
            } else {
                reports::impact(&impact);
            }
            Ok(())
        }
        Command::Replay { write } => {
            let ledger = open_ledger(&tool(), Arc::new(SystemClock)).await?;
            let report = replay::replay(&ledger, write).await?;
            reports::replayed(&report, write);
            if !write && report.iter().any(|l| l.live != l.rebuilt) {
                bail!(
                    "a rebuilt projection differs from the live one; the live one is left as it \
                     is (replay --write replaces it)"
                );
            }
            Ok(())
        }
    }
}

/// A verifier key given on the command line, or read from the file it names.
fn key_text(key: Option<String>) -> anyhow::Result<Option<String>> {
    Ok(match key {
        Some(k) if std::path::Path::new(&k).is_file() => {
            Some(std::fs::read_to_string(&k)?.trim().to_owned())
        }
        other => other,
    })
}

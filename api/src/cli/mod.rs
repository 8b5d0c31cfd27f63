//! The `permit-ledger` command line. Every flag can also be set by the environment variable
//! named in its help.

pub mod demo;
pub mod export;
pub mod replay;
pub mod verify;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::Duration;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::values::{BureauCode, CreditCode};
use domain::{Actor, Post};

use crate::http::tokens::TokenKeys;
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    Applicant,
    Officer,
    Auditor,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PostArg {
    Acceptor,
    Reviewer,
    Approver,
    Dispatcher,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[arg(long, value_enum)]
    pub role: Role,
    /// Who the token is for (a person's or an enterprise's name).
    #[arg(long)]
    pub subject: String,
    /// Officer's bureau (six-digit division code, e.g. 370100).
    #[arg(long)]
    pub bureau: Option<String>,
    /// Officer's post.
    #[arg(long, value_enum)]
    pub post: Option<PostArg>,
    /// Applicant's unified social credit code.
    #[arg(long)]
    pub credit_code: Option<String>,
    /// Days until the token expires.
    #[arg(long, default_value_t = 30)]
    pub valid_days: i64,
}

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
    match cli.command {
        Command::Serve { listen, public_url } => {
            let app =
                Application::build(&settings(listen, public_url), Arc::new(SystemClock)).await?;
            app.run_until(shutdown_signal()).await;
            Ok(())
        }
        Command::Token(args) => {
            let actor = actor_from(args.role, &args)?;
            if args.valid_days < 1 {
                bail!("--valid-days must be at least 1");
            }
            let keys =
                TokenKeys::load_or_create(&data_dir).context("cannot load the token secret")?;
            crate::say!(
                "{}",
                keys.issue(&actor, chrono::Utc::now(), Duration::days(args.valid_days))
            );
            Ok(())
        }
        Command::Demo { days, seed } => {
            crate::cli::demo::run(&settings(unused_listen, None), days, seed).await
        }
        Command::Export { out } => {
            let ledger = open_ledger(&settings(unused_listen, None), Arc::new(SystemClock)).await?;
            let (events, checkpoints) = crate::cli::export::export(&ledger, &out).await?;
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
            let summary = crate::cli::verify::verify(&file, key.as_deref())?;
            crate::say!("{}: OK", file.display());
            crate::say!("  events        {}", summary.events);
            crate::say!("  publications  {}", summary.publications);
            let cases: usize = summary.cases.values().sum();
            crate::say!("  cases         {cases} rebuilt");
            for (status, count) in &summary.cases {
                crate::say!("    {status:<22}{count:>6}");
            }
            match summary.checkpoints.last() {
                Some((size, root)) => crate::say!(
                    "  checkpoints   {} verified, consistent; latest covers {size} events, root {root}",
                    summary.checkpoints.len()
                ),
                None => crate::say!("  checkpoints   none: nothing signed to check the events against"),
            }
            if summary.key_from_file {
                crate::say!("  note: checked against the key written in the export; pass --key with the key you trust");
            }
            Ok(())
        }
        Command::Replay => {
            let ledger = open_ledger(&settings(unused_listen, None), Arc::new(SystemClock)).await?;
            let report = crate::cli::replay::replay(&ledger).await?;
            crate::say!(
                "{:<16}{:>8}  {:<18}{:<18}equal",
                "projection",
                "rows",
                "live digest",
                "rebuilt digest"
            );
            for line in &report {
                crate::say!(
                    "{:<16}{:>8}  {:<18}{:<18}{}",
                    line.projection,
                    line.rows,
                    &line.live[..16],
                    &line.rebuilt[..16],
                    if line.live == line.rebuilt {
                        "yes"
                    } else {
                        "NO"
                    }
                );
            }
            if report.iter().any(|l| l.live != l.rebuilt) {
                bail!("a rebuilt projection differs from the live one");
            }
            Ok(())
        }
    }
}

fn actor_from(role: Role, args: &TokenArgs) -> anyhow::Result<Actor> {
    let subject = args.subject.trim().to_owned();
    if subject.is_empty() {
        bail!("--subject must not be empty");
    }
    Ok(match role {
        Role::Applicant => {
            let code = args
                .credit_code
                .as_deref()
                .context("an applicant token needs --credit-code")?;
            Actor::Applicant {
                subject,
                credit_code: CreditCode::parse(code)?,
            }
        }
        Role::Officer => {
            let bureau = args
                .bureau
                .as_deref()
                .context("an officer token needs --bureau")?;
            let post = args.post.context("an officer token needs --post")?;
            Actor::Officer {
                subject,
                bureau: BureauCode::parse(bureau)?,
                post: match post {
                    PostArg::Acceptor => Post::Acceptor,
                    PostArg::Reviewer => Post::Reviewer,
                    PostArg::Approver => Post::Approver,
                    PostArg::Dispatcher => Post::Dispatcher,
                },
            }
        }
        Role::Auditor => Actor::Auditor { subject },
    })
}

//! `permit-ledger token`: prints a bearer token for an applicant, officer or auditor, signed
//! with the token secret in the data directory.

use std::path::Path;

use anyhow::{bail, Context};
use chrono::Duration;
use clap::{Args, ValueEnum};
use domain::catalogue::Catalogue;
use domain::values::{BureauCode, CreditCode};
use domain::{Actor, Post};

use crate::http::tokens::TokenKeys;

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

/// Prints the token `args` describe, valid from now for `--valid-days`.
pub fn run(data_dir: &Path, args: &TokenArgs) -> anyhow::Result<()> {
    let actor = actor_from(args.role, args)?;
    if args.valid_days < 1 {
        bail!("--valid-days must be at least 1");
    }
    let keys = TokenKeys::load_or_create(data_dir)
        .context("cannot load the token secret")?
        .for_jurisdiction(Catalogue::bundled().jurisdiction());
    let token = keys.issue(&actor, chrono::Utc::now(), Duration::days(args.valid_days));
    // Never print a token the server would refuse (a bureau outside the jurisdiction, say).
    keys.verify(&token)?;
    crate::say!("{token}");
    Ok(())
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

//! `permit-ledger token`: prints a bearer token for an applicant, officer or auditor, signed
//! with the token secret in the data directory.

use anyhow::{bail, Context};
use chrono::Duration;
use clap::{Args, ValueEnum};
use domain::catalogue::Catalogue;
use domain::values::{BureauCode, CreditCode};
use domain::{Actor, Post};

use crate::http::tokens::TokenKeys;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    Applicant,
    Officer,
    Auditor,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PostArg {
    Guide,
    Acceptor,
    Reviewer,
    Approver,
    Dispatcher,
    Inspector,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[arg(long, value_enum, required_unless_present = "revoke")]
    pub role: Option<Role>,
    /// Who the token is for (a person's or an enterprise's name).
    #[arg(long, required_unless_present = "revoke")]
    pub subject: Option<String>,
    /// Revoke the token with this id (printed when it was made) instead of making one:
    /// servers on the store refuse it within a second.
    #[arg(long, conflicts_with_all = ["role", "subject"])]
    pub revoke: Option<String>,
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

/// Prints the token `args` describe, valid from now for `--valid-days` (its id on stderr),
/// or revokes the token `--revoke` names.
pub async fn run(settings: &Settings, args: &TokenArgs) -> anyhow::Result<()> {
    if let Some(token_id) = &args.revoke {
        if revoke(settings, token_id).await? {
            crate::say!("revoked token {token_id}");
        } else {
            crate::say!("token {token_id} was revoked already");
        }
        return Ok(());
    }
    let role = args.role.context("--role is needed to make a token")?;
    let actor = actor_from(role, args)?;
    let data_dir = &settings.data_dir;
    if args.valid_days < 1 {
        bail!("--valid-days must be at least 1");
    }
    let keys = TokenKeys::load_or_create(data_dir)
        .context("cannot load the token secret")?
        .for_jurisdiction(Catalogue::bundled().jurisdiction());
    let token = keys.issue(&actor, chrono::Utc::now(), Duration::days(args.valid_days));
    // Never print a token the server would refuse (a bureau outside the jurisdiction, say).
    keys.verify(&token)?;
    eprintln!(
        "token id {} (to revoke it: permit-ledger token --revoke ID)",
        keys.token_id(&token)?
    );
    crate::say!("{token}");
    Ok(())
}

/// Records the token `token_id` as revoked in the store; false if it was already.
pub async fn revoke(settings: &Settings, token_id: &str) -> anyhow::Result<bool> {
    let token_id = token_id.trim();
    if uuid::Uuid::parse_str(token_id).is_err() {
        bail!("{token_id:?} is not a token id (a UUID, printed when the token was made)");
    }
    let db = projections::Db::connect(&settings.store_url()).await?;
    db.migrate().await?;
    let at = crate::ledger::clock::log_timestamp(chrono::Utc::now());
    Ok(projections::revoked_tokens::revoke(&db, token_id, &at).await?)
}

fn actor_from(role: Role, args: &TokenArgs) -> anyhow::Result<Actor> {
    let subject = args
        .subject
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
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
                    PostArg::Guide => Post::Guide,
                    PostArg::Acceptor => Post::Acceptor,
                    PostArg::Reviewer => Post::Reviewer,
                    PostArg::Approver => Post::Approver,
                    PostArg::Dispatcher => Post::Dispatcher,
                    PostArg::Inspector => Post::Inspector,
                },
            }
        }
        Role::Auditor => Actor::Auditor { subject },
    })
}

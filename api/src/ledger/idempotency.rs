//! Idempotency keys: a write sent again with the same `Idempotency-Key` by the same sender is
//! answered what it was answered the first time, and done once.
//!
//! The key is claimed before the request is handled and answered after, in the store every
//! server shares, so a retry reaching another server is recognised too. The claim's id goes
//! into the metadata of the events the request causes: a claim left unanswered (its server
//! stopped between the commit and the answer) is settled from the log, once its lease has run
//! out, and handled again only if none of its events is there.

use std::time::Duration;

use domain::values::CaseId;
use domain::Actor;
use projections::idempotency_keys::{self, StoredKey};
use projections::log;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::clock::log_timestamp;
use super::{Ledger, LedgerError};

/// How long a claim is left to the handling that made it before a retry may look into it.
pub const CLAIM_LEASE: Duration = Duration::from_secs(60);

/// How long a key is remembered.
pub const KEYS_KEPT_FOR: Duration = Duration::from_secs(24 * 3600);

/// The metadata key under which events name the claim of the request that caused them.
pub const CLAIM_METADATA: &str = "idempotency_claim";

/// A keyed request: its key and a digest of everything that makes it this request.
#[derive(Debug, Clone)]
pub struct KeyedRequest {
    pub key: String,
    digest: String,
}

impl KeyedRequest {
    /// The request `method path` with `parts` (the headers that change its meaning, and its
    /// body), under `key`.
    pub fn new(key: String, method: &str, path: &str, parts: &[&[u8]]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b" ");
        hasher.update(path.as_bytes());
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        Self {
            key,
            digest: hex::encode(hasher.finalize()),
        }
    }
}

/// A key this handling holds until it answers or releases it.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The key's row as this handling holds it.
    held: StoredKey,
    /// The case the request is about (a filing's, allocated with the first claim).
    pub case_id: Option<CaseId>,
}

impl Claim {
    fn of(held: StoredKey) -> Result<Self, LedgerError> {
        let case_id = held.case_id.as_deref().map(parse_case_id).transpose()?;
        Ok(Self { held, case_id })
    }

    /// Stored with the request's events.
    pub fn claim_id(&self) -> &str {
        &self.held.claim_id
    }
}

/// How a request was answered: its status, the case it is about, and what else the answer
/// is made again from (nothing, for an answer on a case: it is read again).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub status: u16,
    pub case_id: Option<CaseId>,
    pub outcome: Value,
}

/// What a claim on a key found.
#[derive(Debug)]
pub enum Claimed {
    /// The key is new (or its earlier handling did nothing): handle the request.
    New(Claim),
    /// The request was answered before.
    Answered(Answered),
}

impl Ledger {
    /// Claims `request`'s key for `actor`. `case_id` is the case the request is about (for a
    /// filing, the id it will get); `success_status` what it answers when it succeeds.
    pub async fn claim_key(
        &self,
        actor: &Actor,
        request: &KeyedRequest,
        case_id: Option<CaseId>,
        success_status: u16,
    ) -> Result<Claimed, LedgerError> {
        let now = self.clock.now();
        let mine = StoredKey {
            scope: scope_of(actor),
            idempotency_key: request.key.clone(),
            request_digest: request.digest.clone(),
            claim_id: uuid::Uuid::now_v7().to_string(),
            case_id: case_id.as_ref().map(|id| id.to_string()),
            success_status: i64::from(success_status),
            claimed_at: log_timestamp(now),
            status: None,
            outcome: None,
        };
        let lease_ended_before = log_timestamp(now - CLAIM_LEASE);
        // Twice at most: a claim another handling took over or answered meanwhile is read
        // again once.
        for _ in 0..2 {
            let held = {
                let _turn = self.writer.gate().turn().await;
                idempotency_keys::claim(&self.db, &mine).await
            }
            .map_err(store_failure)?;
            let Some(held) = held else {
                return Ok(Claimed::New(Claim::of(mine)?));
            };
            if held.request_digest != mine.request_digest {
                return Err(LedgerError::IdempotencyKeyReused);
            }
            if let Some(answered) = answered(&held)? {
                return Ok(Claimed::Answered(answered));
            }
            if held.claimed_at >= lease_ended_before {
                return Err(LedgerError::RequestInProgress);
            }
            if let Some(answered) = self.settled_from_the_log(&held).await? {
                return Ok(Claimed::Answered(answered));
            }
            let taken = {
                let _turn = self.writer.gate().turn().await;
                idempotency_keys::take_over(&self.db, &held, &mine.claim_id, &mine.claimed_at).await
            }
            .map_err(store_failure)?;
            if taken {
                // The first try's row, case id included, now held by this handling.
                return Ok(Claimed::New(Claim::of(StoredKey {
                    claim_id: mine.claim_id,
                    claimed_at: mine.claimed_at,
                    ..held
                })?));
            }
        }
        Err(LedgerError::RequestInProgress)
    }

    /// Records how the request under `claim` was answered.
    pub async fn answer_key(
        &self,
        claim: &Claim,
        status: u16,
        outcome: &Value,
    ) -> Result<(), LedgerError> {
        self.record_answer(&claim.held, status, outcome).await
    }

    async fn record_answer(
        &self,
        held: &StoredKey,
        status: u16,
        outcome: &Value,
    ) -> Result<(), LedgerError> {
        let _turn = self.writer.gate().turn().await;
        idempotency_keys::answer(&self.db, held, status, &outcome.to_string())
            .await
            .map_err(store_failure)?;
        Ok(())
    }

    /// Gives the key up: the request failed without doing anything, for reasons of the
    /// server or of the moment, and may be sent again under the same key.
    pub async fn release_key(&self, claim: &Claim) {
        let _turn = self.writer.gate().turn().await;
        if let Err(error) = idempotency_keys::release(&self.db, &claim.held).await {
            tracing::error!(%error, "releasing an idempotency key failed; it is kept until its lease ends");
        }
    }

    /// Forgets the keys older than [`KEYS_KEPT_FOR`]; returns how many.
    pub async fn forget_old_keys(&self) -> Result<u64, LedgerError> {
        let before = log_timestamp(self.clock.now() - KEYS_KEPT_FOR);
        let _turn = self.writer.gate().turn().await;
        idempotency_keys::forget_claimed_before(&self.db, &before)
            .await
            .map_err(store_failure)
    }

    /// The answer of a claim nobody answered, if its request's events are in the log.
    async fn settled_from_the_log(
        &self,
        held: &StoredKey,
    ) -> Result<Option<Answered>, LedgerError> {
        let Some(case_id) = held.case_id.as_deref() else {
            return Ok(None);
        };
        if !self.committed_under(case_id, &held.claim_id).await? {
            return Ok(None);
        }
        let status = u16::try_from(held.success_status)
            .map_err(|_| LedgerError::Inconsistent("an idempotency key's status is no status"))?;
        self.record_answer(held, status, &Value::Null).await?;
        Ok(Some(Answered {
            status,
            case_id: Some(parse_case_id(case_id)?),
            outcome: Value::Null,
        }))
    }

    /// Whether an event of `case_id` (a case's id, or an inspection plan's: they are made
    /// alike) names the claim `claim_id`.
    async fn committed_under(&self, case_id: &str, claim_id: &str) -> Result<bool, LedgerError> {
        let mut events = log::read_aggregate(&self.db, "PermitCase", case_id).await?;
        events.extend(log::read_aggregate(&self.db, "InspectionPlan", case_id).await?);
        for event in events {
            if event
                .metadata_map()?
                .get(CLAIM_METADATA)
                .map(String::as_str)
                == Some(claim_id)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Whose keys these are: a digest of the sender's role and subject (keys are the sender's
/// own; the table names nobody).
fn scope_of(actor: &Actor) -> String {
    hex::encode(Sha256::digest(actor.sender().as_bytes()))
}

fn answered(held: &StoredKey) -> Result<Option<Answered>, LedgerError> {
    let Some(status) = held.status else {
        return Ok(None);
    };
    let status = u16::try_from(status)
        .map_err(|_| LedgerError::Inconsistent("an idempotency key's status is no status"))?;
    let outcome = match held.outcome.as_deref() {
        Some(text) => serde_json::from_str(text)
            .map_err(|_| LedgerError::Inconsistent("an idempotency key's answer is not JSON"))?,
        None => Value::Null,
    };
    Ok(Some(Answered {
        status,
        case_id: held.case_id.as_deref().map(parse_case_id).transpose()?,
        outcome,
    }))
}

fn parse_case_id(id: &str) -> Result<CaseId, LedgerError> {
    CaseId::parse(id).map_err(|_| LedgerError::Inconsistent("an idempotency key names no case"))
}

fn store_failure(error: sqlx::Error) -> LedgerError {
    LedgerError::EventStore(Box::new(error))
}

//! What can go wrong with a request to the ledger: a refusal the client can act on, or a
//! failure of the store below, which keeps its cause so that the 500's logged chain names it.

use std::error::Error;

use domain::credit_record::CreditError;
use domain::inspection::InspectionError;
use domain::personal_data::ErasureError;
use domain::CaseError;
use projections::case_queries::QueryError;
use projections::case_view::FoldError;
use projections::log::LogError;
use projections::personal::{KeyError, OpenError};
use projections::ProjectionError;

use crate::ledger::permit_numbers::AllocationError;

/// A failure of the event store under cqrs-es (reading a history, appending, decoding).
pub type EventStoreFailure = Box<dyn Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// A domain rule refused the command.
    #[error(transparent)]
    Refused(CaseError),
    #[error("another command changed the case at the same time; read it again and retry")]
    Conflict,
    /// The actor may not read or list this (`rule` names why, for problem+json).
    #[error("{detail}")]
    NotPermitted { rule: &'static str, detail: String },
    #[error("the event store failed")]
    EventStore(#[source] EventStoreFailure),
    #[error("the projections could not be brought up to date")]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Fold(#[from] FoldError),
    /// What the store holds contradicts itself (a checkpoint that vanished, a time that is
    /// not one): nothing a retry mends.
    #[error("the store is inconsistent: {0}")]
    Inconsistent(&'static str),
    #[error("the log was tampered with: {0}")]
    Tampered(String),
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    /// The personal-data keys could not be read, made or unwrapped.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// A sealed personal field does not authenticate: altered, or moved from its place.
    #[error(transparent)]
    Sealed(#[from] OpenError),
    /// The credit rules refused a command to an enterprise's credit record.
    #[error(transparent)]
    CreditRefused(CreditError),
    /// The inspection rules refused a command to an inspection plan.
    #[error(transparent)]
    InspectionRefused(InspectionError),
    /// The erasure rules refused the erasure.
    #[error(transparent)]
    ErasureRefused(ErasureError),
    /// The subject to erase has no live key: nothing of it is kept, or it is erased already.
    #[error("no personal data of {0} is kept: it has none in the log, or it was erased")]
    NoSuchSubject(String),
    /// An idempotency key sent again with another request.
    #[error(
        "this Idempotency-Key was sent before with another request; a key names one request: \
         send a new request under a new key"
    )]
    IdempotencyKeyReused,
    /// The request first sent under this idempotency key is still being handled.
    #[error("the request first sent with this Idempotency-Key is still being handled; send it again in a moment")]
    RequestInProgress,
}

impl LedgerError {
    /// The actor may not see what it asked for.
    pub fn not_permitted(rule: &'static str, detail: impl Into<String>) -> Self {
        LedgerError::NotPermitted {
            rule,
            detail: detail.into(),
        }
    }
}

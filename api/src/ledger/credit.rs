//! The enterprises' credit records through the ledger: a revocation for a false commitment
//! lists its enterprise in the same commit (one decision, its events together), a listed
//! applicant's filing is decided knowing it is listed, a provincial approver removes a
//! listing, and the public list is read from the log.

use std::collections::HashMap;

use chrono::NaiveDate;
use cqrs_es::persist::SerializedEvent;
use cqrs_es::AggregateError;
use domain::credit_record::{
    credit_record_id, listing_called_for, CreditAction, CreditCommand, CreditError, CreditRecord,
};
use domain::personal_data::DataSubject;
use domain::values::{CaseId, CreditCode};
use domain::{Actor, CaseAction, CaseError, PermitCase};
use projections::blacklist::{self, Blacklist, ChangeKind};
use projections::CaseView;

use super::clock::log_timestamp;
use super::command_bus::{CommandBus, Join};
use super::command_metadata::{of_command, with_reason};
use super::commands::RequestTrace;
use super::{Ledger, LedgerError};

/// The listing a case's decision calls for, decided on the enterprise's credit record as the
/// log holds it, to be appended with the decision.
pub(super) struct ListingJoin<'a> {
    pub credits: &'a CommandBus<CreditRecord>,
    pub case_id: &'a CaseId,
    pub actor: &'a Actor,
    pub today: NaiveDate,
}

#[async_trait::async_trait]
impl Join<PermitCase> for ListingJoin<'_> {
    async fn joined(
        &self,
        decided: &PermitCase,
        events: &[domain::CaseEvent],
        metadata: &HashMap<String, String>,
    ) -> Result<Vec<SerializedEvent>, AggregateError<CaseError>> {
        let Some(action) =
            listing_called_for(self.case_id, decided, events, self.credits.services())
        else {
            return Ok(Vec::new());
        };
        let Some(credit_code) = decided.credit_code() else {
            return Ok(Vec::new());
        };
        let record = credit_record_id(credit_code);
        // Whatever this process remembers of the record is stale once this commits.
        self.credits.forget(&record);
        let command = CreditCommand {
            actor: self.actor.clone(),
            today: self.today,
            action,
        };
        self.credits
            .decide_from_log(&record, command, metadata)
            .await
            .map_err(|error| match error {
                AggregateError::UserError(refusal) => {
                    AggregateError::UnexpectedError(Box::new(refusal))
                }
                AggregateError::AggregateConflict => AggregateError::AggregateConflict,
                AggregateError::DatabaseConnectionError(e) => {
                    AggregateError::DatabaseConnectionError(e)
                }
                AggregateError::DeserializationError(e) => AggregateError::DeserializationError(e),
                AggregateError::UnexpectedError(e) => AggregateError::UnexpectedError(e),
            })
    }
}

impl Ledger {
    /// Whether `actor`, filing with `action`, is an applicant on the list today (as its
    /// credit record in the log says); false for every other command.
    pub(super) async fn applicant_listed(
        &self,
        actor: &Actor,
        action: &CaseAction,
        today: NaiveDate,
    ) -> Result<bool, LedgerError> {
        let (Actor::Applicant { credit_code, .. }, CaseAction::FileApplication(_)) =
            (actor, action)
        else {
            return Ok(false);
        };
        let record = self
            .credits
            .current(&credit_record_id(credit_code))
            .await
            .map_err(credit_failure)?;
        Ok(record.is_listed_on(today))
    }

    /// Removes the enterprise's listing in force, by credit repair, on `actor`'s decision
    /// (an approver of the provincial bureau) for `reason`; returns the entry as removed.
    pub async fn remove_from_blacklist(
        &self,
        actor: &Actor,
        credit_code: &CreditCode,
        reason: String,
        trace: RequestTrace,
    ) -> Result<blacklist::BlacklistEntry, LedgerError> {
        let now = self.clock().now();
        let today = self.today();
        let mut metadata = of_command(actor, "remove_from_blacklist", &trace, &log_timestamp(now));
        with_reason(&mut metadata, &reason);
        let command = CreditCommand {
            actor: actor.clone(),
            today,
            action: CreditAction::Remove { reason },
        };
        let sender = DataSubject::of_actor(actor);
        let record = credit_record_id(credit_code);
        self.credits
            .execute(&record, command, metadata, sender.as_ref())
            .await
            .map_err(|error| match error {
                AggregateError::UserError(refusal) => LedgerError::CreditRefused(refusal),
                AggregateError::AggregateConflict => LedgerError::Conflict,
                other => credit_failure(other),
            })?;
        let catalogue = &self.services().catalogue;
        let list = blacklist::of_enterprises(self.db(), catalogue, [credit_code]).await?;
        let removed = list
            .changes()
            .first()
            .filter(|change| change.kind == ChangeKind::Removed)
            .map(|change| change.entry.clone());
        removed.ok_or(LedgerError::Inconsistent(
            "a removal just committed is not in the log",
        ))
    }

    /// The list as the log holds it now.
    pub async fn blacklist(&self) -> Result<Blacklist, LedgerError> {
        Ok(blacklist::read(self.db(), &self.services().catalogue).await?)
    }

    /// `views` with their enterprises' listings in force today, for the officers who read
    /// them.
    pub(super) async fn with_listings(
        &self,
        mut views: Vec<CaseView>,
    ) -> Result<Vec<CaseView>, LedgerError> {
        let catalogue = &self.services().catalogue;
        let list =
            blacklist::of_enterprises(self.db(), catalogue, views.iter().map(|v| &v.credit_code))
                .await?;
        let today = self.today();
        for view in &mut views {
            view.listing = list.listing_of(&view.credit_code, today).cloned();
        }
        Ok(views)
    }
}

/// A credit record that could not be read or appended to: the store's failure.
fn credit_failure(error: AggregateError<CreditError>) -> LedgerError {
    LedgerError::EventStore(Box::new(error))
}

//! Commands through the facade: filing under a new case id, one command to a case, and
//! issuance, for which the ledger allocates the permit number. Each is decided on the case's
//! history, appended by the group-committing writer, and answered with the case as it then
//! stands, read back from the projection committed with it.

use domain::personal_data::DataSubject;

use chrono::Datelike;
use cqrs_es::{Aggregate, AggregateError};
use domain::permit_case::{Application, Draft};
use domain::values::{CaseId, PermitNumber};
use domain::{Actor, CaseAction, CaseCommand, CaseError, PermitCase};
use projections::log;
use projections::{case_queries, CaseView};

use super::clock::log_timestamp;
use super::command_metadata::metadata;
use super::credit::ListingJoin;
use super::{Ledger, LedgerError};

/// One command as received: to which case, from whom, on which version, with which request.
#[derive(Debug, Clone)]
pub struct Submission {
    pub case_id: CaseId,
    pub actor: Actor,
    pub action: CaseAction,
    pub expected_version: Option<u64>,
    pub trace: RequestTrace,
}

/// The request a command came with, as its events record it: the request id and, when it
/// was sent with an idempotency key, the claim on that key.
#[derive(Debug, Clone, Default)]
pub struct RequestTrace {
    pub request_id: String,
    pub idempotency_claim: Option<String>,
}

impl From<String> for RequestTrace {
    fn from(request_id: String) -> Self {
        Self {
            request_id,
            idempotency_claim: None,
        }
    }
}

impl From<&str> for RequestTrace {
    fn from(request_id: &str) -> Self {
        request_id.to_owned().into()
    }
}

/// What a client asks of an existing case: any action but filing (which makes a case), and
/// an issuance without its number (which the ledger allocates).
// One per request, moved once into the command: boxing the action would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum CaseRequest {
    Act(CaseAction),
    IssuePermit { scope: String },
}

impl Ledger {
    /// Files an application under a new case id; returns the case as filed.
    pub async fn file(
        &self,
        actor: Actor,
        application: Application,
        trace: RequestTrace,
    ) -> Result<CaseView, LedgerError> {
        self.file_as(self.new_case_id(), actor, application, trace)
            .await
    }

    /// Files an application under `case_id`, an id from [`Self::new_case_id`] (a filing sent
    /// again under its idempotency key keeps the id of its first try).
    pub async fn file_as(
        &self,
        case_id: CaseId,
        actor: Actor,
        application: Application,
        trace: RequestTrace,
    ) -> Result<CaseView, LedgerError> {
        let case_id = match &application.guidance_id {
            // Filed on the draft it was guided on, whose history the case keeps.
            Some(draft) => draft.clone(),
            None => {
                // A new id has no history: the command needs no read of the log (were the id
                // taken after all, the append of its first event would be refused).
                self.commands.remember_new(case_id.as_str());
                case_id
            }
        };
        self.submit(Submission {
            case_id,
            actor,
            action: CaseAction::FileApplication(application),
            expected_version: None,
            trace,
        })
        .await
    }

    /// Opens a draft under online guidance under `case_id`, an id from
    /// [`Self::new_case_id`]; returns the case as drafted.
    pub async fn request_guidance(
        &self,
        case_id: CaseId,
        actor: Actor,
        draft: Draft,
        trace: RequestTrace,
    ) -> Result<CaseView, LedgerError> {
        self.commands.remember_new(case_id.as_str());
        self.submit(Submission {
            case_id,
            actor,
            action: CaseAction::RequestGuidance(draft),
            expected_version: None,
            trace,
        })
        .await
    }

    /// A case id nobody has used: a UUIDv7 of the ledger's clock.
    pub fn new_case_id(&self) -> CaseId {
        let now = self.clock.now();
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            now.timestamp() as u64,
            now.timestamp_subsec_nanos(),
        );
        CaseId::parse(&uuid::Uuid::new_v7(ts).to_string()).expect("a UUID is a case id")
    }

    /// Sends one command; on success returns the case as it now stands in the log.
    pub async fn submit(&self, submission: Submission) -> Result<CaseView, LedgerError> {
        let _underway = self.writer.command_underway();
        self.submit_underway(submission).await
    }

    async fn submit_underway(&self, submission: Submission) -> Result<CaseView, LedgerError> {
        let view = self.decide(submission).await?;
        Ok(self.opened(vec![view]).await?.remove(0))
    }

    /// The case as `submission` left it, its personal fields as stored.
    async fn decide(&self, submission: Submission) -> Result<CaseView, LedgerError> {
        let Submission {
            case_id,
            actor,
            action,
            expected_version,
            trace,
        } = submission;
        let requested_at = self.clock.now();
        let metadata = metadata(&actor, &action, &trace, &log_timestamp(requested_at));
        let sender = DataSubject::of_actor(&actor);
        let officer_ref = self
            .officer_ref(&actor, &action, sender.as_ref(), &case_id)
            .await?;
        let today = requested_at.with_timezone(&self.time_zone).date_naive();
        let applicant_listed = self.applicant_listed(&actor, &action, today).await?;
        let command = CaseCommand {
            actor: actor.clone(),
            today,
            expected_version,
            action,
            officer_ref,
            applicant_listed,
        };
        let command_name = command.action.name();
        let listing = ListingJoin {
            credits: &self.credits,
            case_id: &case_id,
            actor: &actor,
            today,
        };
        let executed = self
            .commands
            .execute_joined(
                case_id.as_str(),
                command,
                metadata,
                sender.as_ref(),
                &listing,
            )
            .await
            .map_err(|e| match e {
                AggregateError::UserError(refusal) => LedgerError::Refused(refusal),
                AggregateError::AggregateConflict => LedgerError::Conflict,
                other => LedgerError::EventStore(Box::new(other)),
            });
        let outcome = match &executed {
            Ok(_) => "done",
            Err(LedgerError::Refused(_)) => "refused",
            Err(LedgerError::Conflict) => "conflict",
            Err(_) => "failed",
        };
        metrics::counter!("permit_ledger_commands_total",
            "command" => command_name, "outcome" => outcome)
        .increment(1);
        let receipt = executed?;
        // Projected with the commit, as a rule; otherwise caught up now, so that the client
        // reads its own write; failing that, the case is folded from the log.
        if let Some(case) = receipt.as_ref().and_then(|r| r.case(case_id.as_str())) {
            return Ok(case.clone());
        }
        let projected =
            receipt.is_none_or(|r| r.is_projected()) || self.catch_up_before_answering().await;
        if projected {
            if let Some(view) = case_queries::case(&self.db, case_id.as_str()).await? {
                return Ok(view);
            }
        }
        let history = log::read_aggregate(&self.db, "PermitCase", case_id.as_str()).await?;
        CaseView::replay(&history)?.ok_or(LedgerError::Refused(CaseError::CaseNotFound))
    }

    /// The sending officer's pseudonym on `case_id`, for the steps that must be two people's
    /// (a review, then a decision): derived from the officer's personal-data key, so the log
    /// names nobody by it, and nobody at all once the officer's data is erased.
    async fn officer_ref(
        &self,
        actor: &Actor,
        action: &CaseAction,
        sender: Option<&DataSubject>,
        case_id: &CaseId,
    ) -> Result<Option<String>, LedgerError> {
        let separated = matches!(
            action,
            CaseAction::RecordReview { .. } | CaseAction::Approve {} | CaseAction::Deny { .. }
        );
        let Some(sender) = sender.filter(|_| separated && matches!(actor, Actor::Officer { .. }))
        else {
            return Ok(None);
        };
        let key = self.personal_keys().key_for(sender).await?;
        Ok(Some(key.key.pseudonym(case_id.as_str())))
    }

    /// Brings the projections up to date now; false if that failed, which is logged and left
    /// to the background projector, which retries, or would take longer than
    /// [`super::CATCH_UP_WAIT`] (another process is replaying a long log, say): the command then
    /// answers from the log rather than wait for the whole backlog.
    async fn catch_up_before_answering(&self) -> bool {
        match tokio::time::timeout(self.catch_up_wait, self.catch_up()).await {
            Ok(Ok(_)) => true,
            Ok(Err(error)) => {
                tracing::error!(error = %error, "projection failed; the background projector will retry");
                self.projector_wakeup.notify_one();
                false
            }
            Err(_) => {
                tracing::warn!("the projector is far behind; answering from the log");
                self.projector_wakeup.notify_one();
                false
            }
        }
    }

    /// Handles one client request to a case: an issuance gets its number here (see
    /// [`Self::issue_permit`]), every other action goes straight to the case.
    pub async fn request(
        &self,
        case_id: CaseId,
        actor: Actor,
        request: CaseRequest,
        expected_version: Option<u64>,
        trace: RequestTrace,
    ) -> Result<CaseView, LedgerError> {
        match request {
            CaseRequest::IssuePermit { scope } => {
                self.issue_permit(case_id, actor, scope, expected_version, trace)
                    .await
            }
            CaseRequest::Act(action) => {
                self.submit(Submission {
                    case_id,
                    actor,
                    action,
                    expected_version,
                    trace,
                })
                .await
            }
        }
    }

    /// Issues the permit of an approved case under a newly allocated number. The command is
    /// tried before a number is allocated, so a refused command never uses up a serial: on
    /// the case as this process last saw it, when it has it and the trial passes there (a
    /// stale memory only costs a serial in the race ADR 03 describes: the issuance itself is
    /// decided again on the log), otherwise on the case as logged.
    pub async fn issue_permit(
        &self,
        case_id: CaseId,
        actor: Actor,
        scope: String,
        expected_version: Option<u64>,
        trace: RequestTrace,
    ) -> Result<CaseView, LedgerError> {
        let _underway = self.writer.command_underway();
        let today = self.today();
        // The trial: the issuance decided with a placeholder number; it passes only for a
        // filed case, whose item and bureau the number is made of.
        let trial = |case: &PermitCase| {
            let (Some(item), Some(bureau)) = (case.item_code(), case.bureau()) else {
                return Err(CaseError::CaseNotFound);
            };
            let placeholder = PermitNumber::compose(item, bureau, today.year(), 0)
                .expect("item, bureau and year compose a permit number");
            case.decide(
                CaseCommand {
                    actor: actor.clone(),
                    today,
                    expected_version,
                    action: CaseAction::IssuePermit {
                        permit_number: placeholder,
                        scope: scope.clone(),
                    },
                    officer_ref: None,
                    applicant_listed: false,
                },
                &self.services,
            )?;
            Ok((item.clone(), bureau.clone()))
        };
        let remembered = self
            .commands
            .remembered(case_id.as_str())
            .and_then(|case| trial(&case).ok());
        let (item, bureau) = match remembered {
            Some(passed) => passed,
            None => {
                let mut case = PermitCase::default();
                for event in log::read_aggregate(&self.db, "PermitCase", case_id.as_str()).await? {
                    case.apply(event.decode()?);
                }
                trial(&case).map_err(LedgerError::Refused)?
            }
        };
        let permit_number = self
            .permit_numbers
            .allocate(&case_id, &item, &bureau, today.year())
            .await?;
        self.submit_underway(Submission {
            case_id,
            actor,
            action: CaseAction::IssuePermit {
                permit_number,
                scope,
            },
            expected_version,
            trace,
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use projections::Db;

    use super::*;
    use crate::ledger::clock::SystemClock;
    use crate::settings::Settings;
    use domain::Post;
    use test_support::fixtures::{applicant, application, officer};
    use test_support::{Scratch, Store};

    /// Events of an aggregate the read models ignore, written straight into the log as if
    /// another process had appended them while its projector stood still.
    async fn unprojected_events(db: &Db, count: usize) {
        for chunk in (0..count).collect::<Vec<_>>().chunks(30) {
            let mut insert = String::from(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                 event_version, payload, metadata) VALUES ",
            );
            let rows: Vec<String> = chunk
                .iter()
                .map(|i| {
                    format!(
                        "('Probe', 'probe-{i}', 1, 'Probed', '1.0', '{{}}', \
                         '{{\"requested_at\": \"2026-11-29T08:00:00.000000Z\"}}')"
                    )
                })
                .collect();
            insert.push_str(&rows.join(", "));
            projections::on_db!(db, |pool| sqlx::query(&insert)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_command_behind_a_long_backlog_answers_from_the_log_without_waiting_for_it() {
        let scratch = Scratch::new(Store::Sqlite).await.unwrap();
        let settings = Settings::for_store(scratch.data_dir.clone(), None);
        let mut ledger = crate::startup::open_ledger(&settings, Arc::new(SystemClock))
            .await
            .unwrap();
        let filed = ledger
            .file(
                applicant(0),
                serde_json::from_value(application("济南测试企业")).unwrap(),
                "file".into(),
            )
            .await
            .unwrap();
        assert_eq!(ledger.case(&filed.case_id).await.unwrap().unwrap(), filed);
        unprojected_events(ledger.db(), 2_100).await;
        ledger.catch_up_wait = Duration::ZERO;
        let accepted = ledger
            .submit(Submission {
                case_id: filed.case_id.clone(),
                actor: officer(Post::Acceptor),
                action: CaseAction::Accept {},
                expected_version: None,
                trace: "accept".into(),
            })
            .await
            .unwrap();
        assert_eq!(accepted.status.as_str(), "accepted");
        assert_eq!(accepted.version, 2);
        let stale = ledger.case(&filed.case_id).await.unwrap().unwrap();
        assert_eq!(
            stale.version, 1,
            "the projection was left to catch up later"
        );
        ledger.catch_up().await.unwrap();
        assert_eq!(
            ledger.case(&filed.case_id).await.unwrap().unwrap(),
            accepted
        );
        scratch.remove().await;
    }
}

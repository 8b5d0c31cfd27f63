//! Reading through the facade, each read narrowed to what its actor may see: one case, a
//! worklist, a case's history and its state at a moment, the whole log (auditors only), the
//! log's size and proofs, and the positions a health check reports.

use chrono::{DateTime, Utc};
use domain::transparency::Hash;
use domain::values::CaseId;
use domain::Actor;
use projections::case_queries::{self, Worklist};
use projections::log::{self, LoggedEvent};
use projections::personal::{OpenError, OpenedEvent};
use projections::transparency::{self, StoredCheckpoint};
use projections::CaseView;

use super::clock::log_timestamp;
use super::{Ledger, LedgerError};

/// A case's events as an auditor reads them, and, as of a moment, its state then.
#[derive(Debug)]
pub struct CaseHistory {
    pub case_id: CaseId,
    /// Every event of the case in sequence order; as of a moment, those recorded by then.
    pub events: Vec<LoggedEvent>,
    /// The same events with their personal fields opened (or read as erased).
    pub opened: Vec<OpenedEvent>,
    /// The moment asked for, as the log writes times, and the case as it then stood.
    pub as_of: Option<(String, Option<CaseView>)>,
}

/// A page of the whole log, in position order.
#[derive(Debug)]
pub struct LogPage {
    pub events: Vec<LoggedEvent>,
    /// The position to ask after for the next page; None when this one is empty.
    pub next_after: Option<i64>,
}

/// How far the log and its projection have got.
#[derive(Debug)]
pub struct Positions {
    pub store: &'static str,
    pub log: i64,
    pub projected: i64,
}

impl Ledger {
    /// The case as projected, whoever asks (tools and tests; clients go through
    /// [`Self::case_for`]).
    pub async fn case(&self, case_id: &CaseId) -> Result<Option<CaseView>, LedgerError> {
        let view = case_queries::case(&self.db, case_id.as_str()).await?;
        Ok(self.opened(view.into_iter().collect()).await?.pop())
    }

    /// `views` with their personal fields opened for the reader they are about to reach, and
    /// their clocks and post times as of now.
    pub(crate) async fn opened(
        &self,
        mut views: Vec<CaseView>,
    ) -> Result<Vec<CaseView>, LedgerError> {
        let opener = self
            .personal_keys()
            .opener(views.iter().flat_map(|v| v.personal_texts()))
            .await?;
        let (now, today) = (self.clock().now(), self.today());
        let services = self.services();
        for view in &mut views {
            view.supervise(today, now, &services.calendar, &services.supervision);
            view.open_personal(&opener)
                .map_err(|source| OpenError::NotAuthentic {
                    position: view.last_position,
                    source,
                })?;
        }
        Ok(views)
    }

    /// `events` with their personal fields opened.
    pub(super) async fn opened_events(
        &self,
        events: &[LoggedEvent],
    ) -> Result<Vec<OpenedEvent>, LedgerError> {
        let texts: Vec<String> = events
            .iter()
            .map(LoggedEvent::personal_texts)
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let opener = self
            .personal_keys()
            .opener(texts.iter().map(String::as_str))
            .await?;
        Ok(events
            .iter()
            .map(|e| e.open_personal(&opener))
            .collect::<Result<_, _>>()?)
    }

    /// The case, if `actor` may read it: an applicant its own, an officer its area's, an
    /// auditor any. A case the actor may not read is, for it, no case (None), as unknown ids
    /// are: the answer tells nothing of another's case.
    pub async fn case_for(
        &self,
        actor: &Actor,
        case_id: &CaseId,
    ) -> Result<Option<CaseView>, LedgerError> {
        let view = self
            .case(case_id)
            .await?
            .filter(|view| actor.may_read_case(&view.bureau, &view.credit_code));
        Ok(self.with_listings(view.into_iter().collect()).await?.pop())
    }

    /// The worklist `asked`, narrowed to what `actor` may see: an applicant's own cases, an
    /// officer's area (the city's by default), anything for an auditor.
    pub async fn worklist_for(
        &self,
        actor: &Actor,
        mut asked: Worklist,
    ) -> Result<Vec<CaseView>, LedgerError> {
        match actor {
            Actor::Applicant { credit_code, .. } => {
                if asked.credit_code.as_ref().is_some_and(|c| c != credit_code) {
                    return Err(LedgerError::not_permitted(
                        "own-cases-only",
                        "applicants list their own cases",
                    ));
                }
                asked.credit_code = Some(credit_code.clone());
            }
            Actor::Officer { bureau, .. } => match &asked.bureau {
                Some(area) if !(bureau.contains(area) || area.contains(bureau)) => {
                    return Err(LedgerError::not_permitted(
                        "own-area-only",
                        format!("officers of {bureau} list the cases of their own area"),
                    ));
                }
                Some(_) => {}
                // A city officer's worklist is the city's; a county officer's, its city's;
                // the province's, every city's.
                None => asked.bureau = bureau.city(),
            },
            Actor::Auditor { .. } | Actor::System => {}
        }
        asked.today = self.today();
        let views = self
            .opened(case_queries::worklist(&self.db, &asked).await?)
            .await?;
        self.with_listings(views).await
    }

    /// The case's events, replayed from the log, if `actor` may read the case; with `as_of`,
    /// those recorded by then and the case as it then stood. None if there is no such case,
    /// or none `actor` may read.
    pub async fn case_history(
        &self,
        actor: &Actor,
        case_id: &CaseId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Option<CaseHistory>, LedgerError> {
        let events = log::read_aggregate(&self.db, "PermitCase", case_id.as_str()).await?;
        let Some(current) = CaseView::replay(&events)? else {
            return Ok(None);
        };
        if !actor.may_read_case(&current.bureau, &current.credit_code) {
            return Ok(None);
        }
        let Some(as_of) = as_of.map(log_timestamp) else {
            return Ok(Some(CaseHistory {
                case_id: case_id.clone(),
                opened: self.opened_events(&events).await?,
                events,
                as_of: None,
            }));
        };
        let events: Vec<LoggedEvent> = events
            .into_iter()
            .filter(|e| e.recorded_at <= as_of)
            .collect();
        let then = match CaseView::replay(&events)? {
            Some(view) => self.opened(vec![view]).await?.pop(),
            None => None,
        };
        Ok(Some(CaseHistory {
            case_id: case_id.clone(),
            opened: self.opened_events(&events).await?,
            events,
            as_of: Some((as_of, then)),
        }))
    }

    /// Up to `limit` events of the whole log after position `after`; auditors only.
    pub async fn log_page(
        &self,
        actor: &Actor,
        after: i64,
        limit: i64,
    ) -> Result<LogPage, LedgerError> {
        if !matches!(actor, Actor::Auditor { .. }) {
            return Err(LedgerError::not_permitted(
                "auditors-only",
                "the whole log is for auditors",
            ));
        }
        let events = log::read_after(&self.db, after, limit).await?;
        let next_after = events.last().map(|e| e.position);
        Ok(LogPage { events, next_after })
    }

    /// How many events the log holds (its last position).
    pub async fn log_size(&self) -> Result<i64, LedgerError> {
        Ok(log::head_position(&self.db).await?)
    }

    /// Where the log and its projection stand.
    pub async fn positions(&self) -> Result<Positions, LedgerError> {
        Ok(Positions {
            store: self.db.kind(),
            log: self.log_size().await?,
            projected: self.projector.checkpoint().await?,
        })
    }

    /// The stored checkpoint of `size` events, or the latest with None.
    pub async fn checkpoint(
        &self,
        size: Option<i64>,
    ) -> Result<Option<StoredCheckpoint>, LedgerError> {
        Ok(transparency::checkpoint(&self.db, size).await?)
    }

    /// The leaf `index` of the tree of `size` leaves, and its RFC 6962 audit path.
    pub async fn inclusion_proof(
        &self,
        index: usize,
        size: usize,
    ) -> Result<(Hash, Vec<Hash>), LedgerError> {
        Ok(self.merkle_blocks.inclusion(&self.db, index, size).await?)
    }

    /// The RFC 6962 consistency proof from the tree of `from` leaves to that of `to`.
    pub async fn consistency_proof(
        &self,
        from: usize,
        to: usize,
    ) -> Result<Vec<Hash>, LedgerError> {
        Ok(self.merkle_blocks.consistency(&self.db, from, to).await?)
    }
}

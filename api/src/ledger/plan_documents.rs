//! The inspection plans' public documents as this process last read them, each with how many
//! events it was folded from: a plan's document changes only when the plan has a new event,
//! so the list and the feed fold only the plans that changed (a province-wide plan's document
//! is megabytes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use projections::inspections::{self, PlanDocument};

use super::{Ledger, LedgerError};

#[derive(Default)]
pub struct PlanDocuments {
    kept: Mutex<HashMap<String, (i64, Arc<PlanDocument>)>>,
}

impl PlanDocuments {
    fn get(&self, plan_id: &str, events: i64) -> Option<Arc<PlanDocument>> {
        let kept = self.kept.lock().expect("plan documents lock");
        kept.get(plan_id)
            .filter(|(kept_events, _)| *kept_events == events)
            .map(|(_, document)| document.clone())
    }

    fn keep(&self, plan_id: &str, events: i64, document: Arc<PlanDocument>) {
        let mut kept = self.kept.lock().expect("plan documents lock");
        kept.insert(plan_id.to_owned(), (events, document));
    }
}

impl Ledger {
    /// Every plan's public document, oldest first, folded again only where the plan has
    /// changed since this process last read it.
    pub async fn plan_documents(&self) -> Result<Vec<Arc<PlanDocument>>, LedgerError> {
        let mut documents = Vec::new();
        for (plan_id, events) in inspections::plan_versions(self.db()).await? {
            documents.extend(self.plan_document_of(&plan_id, events).await?);
        }
        documents.sort_by_key(|d| d.position);
        Ok(documents)
    }

    /// The plan's public document, its seed's signed checkpoint with it (folded again only
    /// if the plan has changed since this process last read it); None if there is no such
    /// plan.
    pub async fn plan_document(
        &self,
        plan_id: &str,
    ) -> Result<Option<Arc<PlanDocument>>, LedgerError> {
        let events = inspections::plan_version(self.db(), plan_id).await?;
        if events == 0 {
            return Ok(None);
        }
        self.plan_document_of(plan_id, events).await
    }

    /// The document of the plan as of its first `events` events, kept or read.
    async fn plan_document_of(
        &self,
        plan_id: &str,
        events: i64,
    ) -> Result<Option<Arc<PlanDocument>>, LedgerError> {
        if let Some(document) = self.plan_documents.get(plan_id, events) {
            return Ok(Some(document));
        }
        let Some(document) = self.read_plan_document(plan_id).await? else {
            return Ok(None);
        };
        let document = Arc::new(document);
        // Kept only as complete as it was read: a plan that changed meanwhile is read again
        // next time.
        if document_events(&document) == events {
            self.plan_documents.keep(plan_id, events, document.clone());
        }
        Ok(Some(document))
    }
}

/// How many events a document was folded from: its creation, its draw, its results.
pub(super) fn document_events(document: &PlanDocument) -> i64 {
    1 + i64::from(document.draw.is_some()) + document.results.len() as i64
}

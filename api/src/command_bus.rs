//! The cqrs-es command side on the chosen store: the plain event store only (the snapshot and
//! aggregate stores of 0.5.0 apply new events twice), no inline queries (projectors read the
//! log instead), and appends through the group-committing writer.

use std::collections::HashMap;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use projections::Db;

use crate::event_repository::{with_receipt, LedgerEventRepository};
use crate::event_writer::{EventWriter, Receipt};

pub struct CommandBus<A: Aggregate> {
    cqrs: CqrsFramework<A, PersistedEventStore<LedgerEventRepository, A>>,
}

impl<A> CommandBus<A>
where
    A: Aggregate,
    A::Command: Send,
{
    pub fn new(db: &Db, writer: EventWriter, services: A::Services) -> Self {
        let store = PersistedEventStore::new_event_store(LedgerEventRepository::new(db, writer));
        Self {
            cqrs: CqrsFramework::new(store, vec![], services),
        }
    }

    /// Runs one command; on success returns the receipt of its append (None when it
    /// appended nothing).
    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: HashMap<String, String>,
    ) -> Result<Option<Receipt>, AggregateError<A::Error>> {
        let (outcome, receipt) = with_receipt(self.cqrs.execute_with_metadata(
            aggregate_id,
            command,
            metadata,
        ))
        .await;
        outcome.map(|()| receipt)
    }
}

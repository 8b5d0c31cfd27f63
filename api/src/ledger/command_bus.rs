//! The cqrs-es command side on the chosen store: the plain event store only (the snapshot and
//! aggregate stores of 0.5.0 apply new events twice), no inline queries (projectors read the
//! log instead), and appends through the group-committing writer.

use std::collections::HashMap;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use projections::Db;

use crate::ledger::event_repository::{run_command, LedgerEventRepository};
use crate::ledger::recent_histories::RecentHistories;
use crate::ledger::writer::{EventWriter, Receipt};

pub struct CommandBus<A: Aggregate> {
    cqrs: CqrsFramework<A, PersistedEventStore<LedgerEventRepository, A>>,
    recent: RecentHistories,
}

impl<A> CommandBus<A>
where
    A: Aggregate,
    A::Command: Send + Clone,
{
    pub fn new(db: &Db, writer: EventWriter, services: A::Services) -> Self {
        let recent = RecentHistories::default();
        let repository = LedgerEventRepository::new(db, writer, recent.clone());
        let store = PersistedEventStore::new_event_store(repository);
        Self {
            cqrs: CqrsFramework::new(store, vec![], services),
            recent,
        }
    }

    /// The aggregate as this process last saw it, if it kept its history (see
    /// [`RecentHistories`]): possibly stale, never wrong about what it holds.
    pub fn remembered(&self, aggregate_id: &str) -> Option<A> {
        let mut aggregate = A::default();
        for event in self.recent.get(A::TYPE, aggregate_id)? {
            aggregate.apply(serde_json::from_value(event.payload).ok()?);
        }
        Some(aggregate)
    }

    /// Notes that `aggregate_id` was just made up and has no history yet, so its first
    /// command reads none from the log.
    pub fn remember_new(&self, aggregate_id: &str) {
        self.recent.read(A::TYPE, aggregate_id, &[]);
    }

    /// Runs one command; on success returns the receipt of its append (None when it
    /// appended nothing). The command is decided on the aggregate's history as this process
    /// last saw it, when it has one; unless that run appended events (which proves the
    /// history was the log's, see [`RecentHistories`]), it is decided again on the log.
    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: HashMap<String, String>,
    ) -> Result<Option<Receipt>, AggregateError<A::Error>> {
        // Boxed: a command's run through cqrs-es is a large future, and every caller's frame
        // would hold a copy of it while it is made (debug builds overflowed a worker's stack).
        let (outcome, run) = Box::pin(run_command(
            false,
            self.cqrs
                .execute_with_metadata(aggregate_id, command.clone(), metadata.clone()),
        ))
        .await;
        if !run.history_from_memory || (outcome.is_ok() && run.appended) {
            return outcome.map(|()| run.receipt);
        }
        self.recent.forget(A::TYPE, aggregate_id);
        let (outcome, run) = Box::pin(run_command(
            true,
            self.cqrs
                .execute_with_metadata(aggregate_id, command, metadata),
        ))
        .await;
        outcome.map(|()| run.receipt)
    }
}

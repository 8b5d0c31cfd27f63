//! The command side on cqrs-es's aggregate API, with the loop of its `execute_with_metadata`
//! (load the history, `handle`, collect, wrap, persist) owned here, so that what a command's
//! append did comes back as a plain value: the writer's [`Receipt`]. Only the pieces of the
//! plain event store are used (the snapshot and aggregate stores of 0.5.0 apply new events
//! twice), no inline queries (projectors read the log instead).
//!
//! A command is decided on the aggregate's history as this process last saw it, when it has
//! one ([`RecentHistories`]); unless that run appended events (which proves the history was
//! the log's), it is decided again on the history read from the log.

use std::collections::HashMap;
use std::sync::Arc;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope};
use domain::personal_data::{DataSubject, PersonalFields};
use postgres_es::PostgresEventRepository;
use projections::personal::{KeyError, PersonalKeys};
use projections::Db;
use sqlite_es::SqliteEventRepository;

use crate::ledger::recent_histories::RecentHistories;
use crate::ledger::writer::{EventWriter, Receipt};

/// Where histories are read: the stock repository of the store.
enum HistoryReader {
    Sqlite(SqliteEventRepository),
    Postgres(PostgresEventRepository),
}

pub struct CommandBus<A: Aggregate> {
    reader: HistoryReader,
    writer: EventWriter,
    recent: RecentHistories,
    services: A::Services,
    /// Seals the personal fields of each event, and who sent it, before it is appended.
    personal: Arc<PersonalKeys>,
}

impl<A> CommandBus<A>
where
    A: Aggregate + PersonalFields,
    A::Command: Send + Clone,
{
    pub fn new(
        db: &Db,
        writer: EventWriter,
        services: A::Services,
        personal: Arc<PersonalKeys>,
    ) -> Self {
        let reader = match db {
            Db::Sqlite(pool) => HistoryReader::Sqlite(SqliteEventRepository::new(pool.clone())),
            Db::Postgres(pool) => {
                HistoryReader::Postgres(PostgresEventRepository::new(pool.clone()))
            }
        };
        Self {
            reader,
            writer,
            recent: RecentHistories::default(),
            services,
            personal,
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

    /// Runs one command from `sender` (None: the ledger itself); on success returns the
    /// receipt of its append (None when it appended nothing).
    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: A::Command,
        mut metadata: HashMap<String, String>,
        sender: Option<&DataSubject>,
    ) -> Result<Option<Receipt>, AggregateError<A::Error>> {
        if let Some(sender) = sender {
            self.personal
                .seal_sender(sender, aggregate_id, &mut metadata)
                .await
                .map_err(unsealed)?;
        }
        if let Some(history) = self.recent.get(A::TYPE, aggregate_id) {
            // Boxed, as below: a decision is a large future, and every caller's frame would
            // hold a copy of it while it is made (debug builds overflowed a worker's stack).
            let outcome =
                Box::pin(self.decide_and_append(aggregate_id, history, command.clone(), &metadata))
                    .await;
            if let Ok(Some(receipt)) = outcome {
                return Ok(Some(receipt));
            }
            self.recent.forget(A::TYPE, aggregate_id);
        }
        let history = self.read_history(aggregate_id).await?;
        Box::pin(self.decide_and_append(aggregate_id, history, command, &metadata)).await
    }

    /// The aggregate's history as the log holds it, kept for its next command.
    async fn read_history(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>> {
        let history = match &self.reader {
            HistoryReader::Sqlite(repository) => repository.get_events::<A>(aggregate_id).await,
            HistoryReader::Postgres(repository) => repository.get_events::<A>(aggregate_id).await,
        }?;
        self.recent.read(A::TYPE, aggregate_id, &history);
        Ok(history)
    }

    /// Decides `command` on the aggregate `history` makes and appends the events it yields,
    /// numbered after it, each with `metadata`; the append's receipt, or None if the command
    /// yielded no event.
    async fn decide_and_append(
        &self,
        aggregate_id: &str,
        history: Vec<SerializedEvent>,
        command: A::Command,
        metadata: &HashMap<String, String>,
    ) -> Result<Option<Receipt>, AggregateError<A::Error>> {
        let mut aggregate = A::default();
        let mut last_sequence = 0;
        for event in history {
            let envelope = EventEnvelope::<A>::try_from(event)?;
            last_sequence = envelope.sequence;
            aggregate.apply(envelope.payload);
        }
        let sink = EventSink::default();
        aggregate
            .handle(command, &self.services, &sink)
            .await
            .map_err(AggregateError::UserError)?;
        let events = sink.collect().await;
        if events.is_empty() {
            return Ok(None);
        }
        let mut appended = Vec::with_capacity(events.len());
        for (payload, sequence) in events.into_iter().zip(last_sequence + 1..) {
            let personal = aggregate.personal_fields(&payload);
            let envelope = EventEnvelope::<A> {
                aggregate_id: aggregate_id.to_owned(),
                sequence,
                payload,
                metadata: metadata.clone(),
            };
            let mut serialized = SerializedEvent::try_from(&envelope)?;
            if let Some((subject, fields)) = personal {
                self.personal
                    .seal_payload(&subject, fields, aggregate_id, &mut serialized.payload)
                    .await
                    .map_err(unsealed)?;
            }
            appended.push(serialized);
        }
        match self.writer.append(appended.clone()).await {
            Ok(receipt) => {
                self.recent.appended(A::TYPE, aggregate_id, &appended);
                Ok(Some(receipt))
            }
            Err(error) => {
                self.recent.forget(A::TYPE, aggregate_id);
                Err(error.into())
            }
        }
    }
}

/// A command whose personal fields could not be sealed (the key table is unreachable, or a
/// key does not unwrap): nothing was appended.
fn unsealed<E: std::error::Error>(error: KeyError) -> AggregateError<E> {
    AggregateError::UnexpectedError(Box::new(error))
}

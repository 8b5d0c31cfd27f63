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
        metadata: HashMap<String, String>,
        sender: Option<&DataSubject>,
    ) -> Result<Option<Receipt>, AggregateError<A::Error>> {
        self.execute_joined(aggregate_id, command, metadata, sender, &NothingJoined)
            .await
    }

    /// Runs one command as [`Self::execute`] does, with the events of other aggregates that
    /// `join` finds its decision calls for appended in the same commit: the decision and
    /// what follows from it are in the log together, or not at all.
    pub async fn execute_joined(
        &self,
        aggregate_id: &str,
        command: A::Command,
        mut metadata: HashMap<String, String>,
        sender: Option<&DataSubject>,
        join: &(dyn Join<A> + Sync),
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
            let outcome = Box::pin(self.decide_and_append(
                aggregate_id,
                history,
                command.clone(),
                &metadata,
                join,
            ))
            .await;
            if let Ok(Some(receipt)) = outcome {
                return Ok(Some(receipt));
            }
            self.recent.forget(A::TYPE, aggregate_id);
        }
        let history = self.read_history(aggregate_id).await?;
        Box::pin(self.decide_and_append(aggregate_id, history, command, &metadata, join)).await
    }

    /// Decides `command` on the aggregate's history as the log holds it, without appending:
    /// its events, serialised, sealed and numbered after that history, each with `metadata`
    /// (sealed already), for the caller to append with a decision of another aggregate.
    pub async fn decide_from_log(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: &HashMap<String, String>,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>> {
        // Not kept for the aggregate's next command: these events may not be appended.
        let history = self.read_logged(aggregate_id).await?;
        let (aggregate, events, last_sequence) = Box::pin(self.decide(history, command)).await?;
        self.serialize(aggregate_id, &aggregate, events, last_sequence, metadata)
            .await
    }

    /// Forgets what this process remembers of the aggregate's history (events of it are
    /// being appended by another aggregate's command): its next command reads the log.
    pub fn forget(&self, aggregate_id: &str) {
        self.recent.forget(A::TYPE, aggregate_id);
    }

    /// The aggregate as the log holds it now.
    pub async fn current(&self, aggregate_id: &str) -> Result<A, AggregateError<A::Error>> {
        let mut aggregate = A::default();
        for event in self.read_logged(aggregate_id).await? {
            aggregate.apply(EventEnvelope::<A>::try_from(event)?.payload);
        }
        Ok(aggregate)
    }

    pub fn services(&self) -> &A::Services {
        &self.services
    }

    /// The aggregate's history as the log holds it, kept for its next command.
    async fn read_history(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>> {
        let history = self.read_logged(aggregate_id).await?;
        self.recent.read(A::TYPE, aggregate_id, &history);
        Ok(history)
    }

    /// The aggregate's history as the log holds it.
    async fn read_logged(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>> {
        Ok(match &self.reader {
            HistoryReader::Sqlite(repository) => repository.get_events::<A>(aggregate_id).await,
            HistoryReader::Postgres(repository) => repository.get_events::<A>(aggregate_id).await,
        }?)
    }

    /// Decides `command` on the aggregate `history` makes: the aggregate as the decision
    /// leaves it, the events it yields, and the sequence of the history's last event.
    async fn decide(
        &self,
        history: Vec<SerializedEvent>,
        command: A::Command,
    ) -> Result<(A, Vec<A::Event>, usize), AggregateError<A::Error>> {
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
        Ok((aggregate, sink.collect().await, last_sequence))
    }

    /// `events`, decided on `aggregate`, serialised (personal fields sealed) and numbered
    /// after `last_sequence`, each with `metadata`.
    async fn serialize(
        &self,
        aggregate_id: &str,
        aggregate: &A,
        events: Vec<A::Event>,
        last_sequence: usize,
        metadata: &HashMap<String, String>,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>> {
        let mut serialized = Vec::with_capacity(events.len());
        for (payload, sequence) in events.into_iter().zip(last_sequence + 1..) {
            let personal = aggregate.personal_fields(&payload);
            let envelope = EventEnvelope::<A> {
                aggregate_id: aggregate_id.to_owned(),
                sequence,
                payload,
                metadata: metadata.clone(),
            };
            let mut event = SerializedEvent::try_from(&envelope)?;
            if let Some((subject, fields)) = personal {
                self.personal
                    .seal_payload(&subject, fields, aggregate_id, &mut event.payload)
                    .await
                    .map_err(unsealed)?;
            }
            serialized.push(event);
        }
        Ok(serialized)
    }

    /// Decides `command` on the aggregate `history` makes and appends the events it yields,
    /// with those `join` adds, in one commit; the append's receipt, or None if the command
    /// yielded no event.
    async fn decide_and_append(
        &self,
        aggregate_id: &str,
        history: Vec<SerializedEvent>,
        command: A::Command,
        metadata: &HashMap<String, String>,
        join: &(dyn Join<A> + Sync),
    ) -> Result<Option<Receipt>, AggregateError<A::Error>> {
        let (aggregate, events, last_sequence) = self.decide(history, command).await?;
        if events.is_empty() {
            return Ok(None);
        }
        let joined = join.joined(&aggregate, &events, metadata).await?;
        let mut appended = self
            .serialize(aggregate_id, &aggregate, events, last_sequence, metadata)
            .await?;
        let own = appended.len();
        appended.extend(joined);
        let receipt = self.writer.append(appended.clone()).await;
        match receipt {
            Ok(receipt) => {
                self.recent
                    .appended(A::TYPE, aggregate_id, &appended[..own]);
                Ok(Some(receipt))
            }
            Err(error) => {
                self.recent.forget(A::TYPE, aggregate_id);
                Err(error.into())
            }
        }
    }
}

/// What a decision on one aggregate brings along from others: given the aggregate as the
/// decision left it, the events decided and their metadata, the other aggregates' events,
/// serialised and numbered on their own histories (none, as a rule).
#[async_trait::async_trait]
pub trait Join<A: Aggregate> {
    async fn joined(
        &self,
        decided: &A,
        events: &[A::Event],
        metadata: &HashMap<String, String>,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>>;
}

/// A decision that brings nothing along.
struct NothingJoined;

#[async_trait::async_trait]
impl<A: Aggregate> Join<A> for NothingJoined {
    async fn joined(
        &self,
        _decided: &A,
        _events: &[A::Event],
        _metadata: &HashMap<String, String>,
    ) -> Result<Vec<SerializedEvent>, AggregateError<A::Error>> {
        Ok(Vec::new())
    }
}

/// A command whose personal fields could not be sealed (the key table is unreachable, or a
/// key does not unwrap): nothing was appended.
fn unsealed<E: std::error::Error>(error: KeyError) -> AggregateError<E> {
    AggregateError::UnexpectedError(Box::new(error))
}

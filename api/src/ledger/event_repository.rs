//! The event repository under cqrs-es: reads go to the stock sqlite-es / postgres-es
//! repository, or to the [`RecentHistories`] when the command may use them; appends go to the
//! group-committing [`EventWriter`], which projects them in the same transaction. What a
//! command's run did (its append's receipt, where its history came from) is kept for the
//! command bus (see [`run_command`]), so the ledger knows whether it can read its own write
//! at once, and whether the outcome stands.

use std::cell::RefCell;

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use projections::Db;
use serde_json::Value;
use sqlite_es::SqliteEventRepository;

use crate::ledger::recent_histories::RecentHistories;
use crate::ledger::writer::{EventWriter, Receipt};

enum Reader {
    Sqlite(SqliteEventRepository),
    Postgres(PostgresEventRepository),
}

pub struct LedgerEventRepository {
    reader: Reader,
    writer: EventWriter,
    recent: RecentHistories,
}

impl LedgerEventRepository {
    pub fn new(db: &Db, writer: EventWriter, recent: RecentHistories) -> Self {
        let reader = match db {
            Db::Sqlite(pool) => Reader::Sqlite(SqliteEventRepository::new(pool.clone())),
            Db::Postgres(pool) => Reader::Postgres(PostgresEventRepository::new(pool.clone())),
        };
        Self {
            reader,
            writer,
            recent,
        }
    }
}

/// What one command's run through cqrs-es did.
#[derive(Debug, Default)]
pub struct CommandRun {
    /// The receipt of the append it made, if it made one.
    pub receipt: Option<Receipt>,
    /// It appended at least one event.
    pub appended: bool,
    /// Its history came from the recent histories, not the log.
    pub history_from_memory: bool,
    /// Its history must be read from the log.
    read_the_log: bool,
}

tokio::task_local! {
    static RUN: RefCell<CommandRun>;
}

/// Runs `command` (one cqrs-es `execute`) and returns its output with what it did. With
/// `read_the_log`, its history is read from the log, not taken from memory.
pub async fn run_command<T>(
    read_the_log: bool,
    command: impl std::future::Future<Output = T>,
) -> (T, CommandRun) {
    let run = CommandRun {
        read_the_log,
        ..CommandRun::default()
    };
    RUN.scope(RefCell::new(run), async {
        let output = command.await;
        (output, RUN.with(|run| run.take()))
    })
    .await
}

macro_rules! on_reader {
    ($reader:expr, |$repo:ident| $body:expr) => {
        match $reader {
            Reader::Sqlite($repo) => $body,
            Reader::Postgres($repo) => $body,
        }
    };
}

impl PersistedEventRepository for LedgerEventRepository {
    /// Outside a command's run (see [`run_command`]) the log is always read.
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let aggregate_type = A::TYPE;
        let may_use_memory = RUN
            .try_with(|run| !run.borrow().read_the_log)
            .unwrap_or(false);
        if may_use_memory {
            if let Some(history) = self.recent.get(aggregate_type, aggregate_id) {
                let _ = RUN.try_with(|run| run.borrow_mut().history_from_memory = true);
                return Ok(history);
            }
        }
        let history = on_reader!(&self.reader, |repo| repo
            .get_events::<A>(aggregate_id)
            .await)?;
        self.recent.read(aggregate_type, aggregate_id, &history);
        Ok(history)
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        on_reader!(&self.reader, |repo| repo
            .get_last_events::<A>(aggregate_id, last_sequence)
            .await)
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        on_reader!(&self.reader, |repo| repo
            .get_snapshot::<A>(aggregate_id)
            .await)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            return Err(PersistenceError::UnknownError(
                "the ledger keeps no snapshots: use the plain event store".into(),
            ));
        }
        let receipt = match self.writer.append(events.to_vec()).await {
            Ok(receipt) => receipt,
            Err(error) => {
                if let Some(event) = events.first() {
                    self.recent
                        .forget(&event.aggregate_type, &event.aggregate_id);
                }
                return Err(error);
            }
        };
        if let Some(event) = events.first() {
            self.recent
                .appended(&event.aggregate_type, &event.aggregate_id, events);
        }
        let _ = RUN.try_with(|run| {
            let mut run = run.borrow_mut();
            run.receipt = Some(receipt);
            run.appended = !events.is_empty();
        });
        Ok(())
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        on_reader!(&self.reader, |repo| repo
            .stream_events::<A>(aggregate_id)
            .await)
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        on_reader!(&self.reader, |repo| repo.stream_all_events::<A>().await)
    }
}

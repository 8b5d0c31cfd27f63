//! The event repository under cqrs-es: reads go to the stock sqlite-es / postgres-es
//! repository, appends to the group-committing [`EventWriter`], which projects them in the
//! same transaction. The receipt of the last append is kept for the command that made it
//! (see [`with_receipt`]), so the ledger knows whether it can read its own write at once.

use std::cell::Cell;

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use projections::Db;
use serde_json::Value;
use sqlite_es::SqliteEventRepository;

use crate::event_writer::{EventWriter, Receipt};

enum Reader {
    Sqlite(SqliteEventRepository),
    Postgres(PostgresEventRepository),
}

pub struct LedgerEventRepository {
    reader: Reader,
    writer: EventWriter,
}

impl LedgerEventRepository {
    pub fn new(db: &Db, writer: EventWriter) -> Self {
        let reader = match db {
            Db::Sqlite(pool) => Reader::Sqlite(SqliteEventRepository::new(pool.clone())),
            Db::Postgres(pool) => Reader::Postgres(PostgresEventRepository::new(pool.clone())),
        };
        Self { reader, writer }
    }
}

tokio::task_local! {
    static LAST_RECEIPT: Cell<Option<Receipt>>;
}

/// Runs `command` (one cqrs-es `execute`) and returns its output with the receipt of the
/// append it made, if it made one.
pub async fn with_receipt<T>(
    command: impl std::future::Future<Output = T>,
) -> (T, Option<Receipt>) {
    LAST_RECEIPT
        .scope(Cell::new(None), async {
            let output = command.await;
            (output, LAST_RECEIPT.with(Cell::take))
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
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        on_reader!(&self.reader, |repo| repo
            .get_events::<A>(aggregate_id)
            .await)
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
        let receipt = self.writer.append(events.to_vec()).await?;
        let _ = LAST_RECEIPT.try_with(|last| last.set(Some(receipt)));
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

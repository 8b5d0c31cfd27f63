//! The cqrs-es command side on the chosen store: the plain event store only (the snapshot and
//! aggregate stores of 0.5.0 apply new events twice), and no inline queries (projectors read
//! the log instead).

use std::collections::HashMap;

use cqrs_es::{Aggregate, AggregateError};
use postgres_es::{postgres_cqrs, PostgresCqrs};
use projections::Db;
use sqlite_es::{sqlite_cqrs, SqliteCqrs};

pub enum CommandBus<A: Aggregate> {
    Sqlite(SqliteCqrs<A>),
    Postgres(PostgresCqrs<A>),
}

impl<A> CommandBus<A>
where
    A: Aggregate,
    A::Command: Send,
{
    pub fn new(db: &Db, services: A::Services) -> Self {
        match db {
            Db::Sqlite(pool) => CommandBus::Sqlite(sqlite_cqrs(pool.clone(), vec![], services)),
            Db::Postgres(pool) => {
                CommandBus::Postgres(postgres_cqrs(pool.clone(), vec![], services))
            }
        }
    }

    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: HashMap<String, String>,
    ) -> Result<(), AggregateError<A::Error>> {
        match self {
            CommandBus::Sqlite(cqrs) => {
                cqrs.execute_with_metadata(aggregate_id, command, metadata)
                    .await
            }
            CommandBus::Postgres(cqrs) => {
                cqrs.execute_with_metadata(aggregate_id, command, metadata)
                    .await
            }
        }
    }
}

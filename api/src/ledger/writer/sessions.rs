//! A PostgreSQL session the event writer keeps for itself, outside the pool. A pooled
//! connection costs a round trip each time it is taken (sqlx pings it first) and one more
//! each time it is given back (pinged again before it may be taken); the writer, which runs
//! one short statement after another, would pay them on every batch, as long as the
//! statement itself. Its own session is checked only after it has rested, and opened again
//! after an error that may have broken it.

//!
//! The writer keeps two: [`PostgresSessions`].

use std::time::{Duration, Instant};

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use projections::log::{self, LoggedEvent};
use projections::{Db, ReadModelProjector};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use super::commit::MAX_EVENTS_PROJECTED_INLINE;
use super::{store_error, Receipt};

/// Rest after which the session is pinged before it is used (the server may have gone).
const REST_BEFORE_PING: Duration = Duration::from_secs(1);
/// The longest an opening waits for the server (as long as the pool waits for a connection).
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

pub struct WriterSession {
    options: PgConnectOptions,
    connection: Option<PgConnection>,
    last_used: Instant,
}

impl WriterSession {
    /// A session opened with `options` when first used.
    pub fn new(options: PgConnectOptions) -> Self {
        Self {
            options,
            connection: None,
            last_used: Instant::now(),
        }
    }

    /// The session: opened (again) if it is not open, pinged if it has rested.
    pub async fn connection(&mut self) -> Result<&mut PgConnection, sqlx::Error> {
        if self.last_used.elapsed() >= REST_BEFORE_PING {
            self.close_if_gone().await;
        }
        self.last_used = Instant::now();
        match &mut self.connection {
            Some(connection) => Ok(connection),
            empty => {
                let opened = tokio::time::timeout(OPEN_TIMEOUT, self.options.connect())
                    .await
                    .map_err(|_| {
                        sqlx::Error::Io(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the database did not answer in time",
                        ))
                    })??;
                Ok(empty.insert(opened))
            }
        }
    }

    /// After a statement on the session failed: the session is kept if it still answers (the
    /// statement alone was refused), and closed otherwise (the server ended it, or the
    /// connection broke), to be opened again when next used.
    pub async fn failed(&mut self) {
        self.close_if_gone().await;
    }

    /// Pings the session, if open, and closes it if it does not answer.
    async fn close_if_gone(&mut self) {
        if let Some(connection) = &mut self.connection {
            if connection.ping().await.is_err() {
                self.connection = None;
            }
        }
    }
}

/// The event writer's own sessions on PostgreSQL (see the module documentation).
pub(super) struct PostgresSessions {
    /// Where batches are appended, each INSERT committing on its own.
    appends: WriterSession,
    /// Where their projections are written, with `synchronous_commit = off`.
    projections: WriterSession,
}

impl PostgresSessions {
    /// The sessions on `db`'s server; none on SQLite, whose writer runs in one transaction.
    pub(super) fn of(db: &Db) -> Option<Self> {
        let Db::Postgres(pool) = db else {
            return None;
        };
        let options = pool.connect_options().as_ref().clone();
        Some(Self {
            projections: WriterSession::new(
                options.clone().options([("synchronous_commit", "off")]),
            ),
            appends: WriterSession::new(options),
        })
    }

    /// Opens both sessions now, so that the first command does not wait for them; one that
    /// does not open now is tried again when first used.
    pub(super) async fn open(&mut self) {
        for session in [&mut self.appends, &mut self.projections] {
            if let Err(error) = session.connection().await {
                tracing::warn!(%error, "the event writer's session did not open; it will retry");
            }
        }
    }

    /// Appends `events` in one INSERT that commits on its own; the rows as stored.
    pub(super) async fn append(
        &mut self,
        events: &[&SerializedEvent],
    ) -> Result<Vec<LoggedEvent>, PersistenceError> {
        let connection = self.appends.connection().await.map_err(store_error)?;
        match log::append_returning(connection, events).await {
            Ok(appended) => Ok(appended),
            Err(error) => {
                self.appends.failed().await;
                Err(store_error(error))
            }
        }
    }

    /// Projects what [`Self::append`] committed, if it can (see
    /// [`ReadModels::project_after_commit`](projections::ReadModels::project_after_commit)).
    pub(super) async fn project(
        &mut self,
        projector: &ReadModelProjector,
        appended: &[LoggedEvent],
    ) -> Receipt {
        let connection = match self.projections.connection().await {
            Ok(connection) => connection,
            Err(error) => {
                tracing::error!(%error, "no session to project the commit on; the projector will retry");
                return Receipt::of(projector, None);
            }
        };
        let projected = match projector
            .projection()
            .project_after_commit(connection, appended, MAX_EVENTS_PROJECTED_INLINE)
            .await
        {
            Ok(projected) => projected,
            Err(error) => {
                tracing::error!(%error, "projecting the commit failed; the projector will retry");
                self.projections.failed().await;
                None
            }
        };
        Receipt::of(projector, projected)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn options() -> PgConnectOptions {
        let server = test_support::postgres_server();
        PgConnectOptions::from_str(&format!("{server}/postgres")).unwrap()
    }

    async fn backend_pid(session: &mut WriterSession) -> i32 {
        sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(session.connection().await.unwrap())
            .await
            .unwrap()
    }

    /// A session that has been used, then ended by the server (as on a restart); its pid.
    async fn a_session_the_server_ended() -> (WriterSession, i32) {
        let mut session = WriterSession::new(options());
        let pid = backend_pid(&mut session).await;
        let mut admin = options().connect().await.unwrap();
        let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(&mut admin)
            .await
            .unwrap();
        assert!(ended);
        (session, pid)
    }

    #[tokio::test]
    async fn keeps_its_session_across_statements_and_refusals() {
        let mut session = WriterSession::new(options());
        let pid = backend_pid(&mut session).await;
        let refused = sqlx::query("SELECT 1/0")
            .execute(session.connection().await.unwrap())
            .await
            .unwrap_err();
        assert!(matches!(refused, sqlx::Error::Database(_)), "{refused}");
        session.failed().await;
        assert_eq!(backend_pid(&mut session).await, pid);
    }

    #[tokio::test]
    async fn opens_a_new_session_when_the_server_closed_it() {
        let (mut session, pid) = a_session_the_server_ended().await;
        // Used at once, the session does not know yet: the statement fails and closes it.
        sqlx::query("SELECT 1")
            .execute(session.connection().await.unwrap())
            .await
            .unwrap_err();
        session.failed().await;
        assert_ne!(backend_pid(&mut session).await, pid);
    }

    #[tokio::test]
    async fn pings_a_rested_session_and_replaces_it_if_gone() {
        let (mut session, pid) = a_session_the_server_ended().await;
        session.last_used -= REST_BEFORE_PING;
        assert_ne!(backend_pid(&mut session).await, pid);
    }
}

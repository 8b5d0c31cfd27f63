//! What a read model is to the projector ([`Projection`]), how projecting fails
//! ([`ProjectionError`]), and the checkpoint's compare-and-set and read-ahead that every
//! projection shares.

use async_trait::async_trait;

use crate::case_view::FoldError;
use crate::db::{Conn, Tx};
use crate::log::{self, LogError, LoggedEvent};
use crate::{on_conn, on_tx};

/// Where the projector `$1` has got to.
pub(crate) const CHECKPOINT: &str = "SELECT position FROM projector_checkpoints WHERE name = $1";

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database error in the {projector} projector: {source}")]
    Db {
        projector: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Fold(#[from] FoldError),
    #[error("a task of the projector (reading or preparing a batch) failed: {0}")]
    Task(String),
    #[error("the log skips from position {after} to {found}: refusing to project past a gap")]
    Gap { after: i64, found: i64 },
    #[error("stored row {key} of the {projector} projection does not decode: {source}")]
    StoredRow {
        projector: &'static str,
        key: String,
        #[source]
        source: serde_json::Error,
    },
}

impl ProjectionError {
    pub fn db(projector: &'static str) -> impl Fn(sqlx::Error) -> ProjectionError {
        move |source| ProjectionError::Db { projector, source }
    }
}

/// A read model: how a batch of events changes its rows, and how to forget them all. A batch
/// is prepared (folded in memory, reading what it must) before it is written, so that the
/// projector can prepare the next batch while the database writes this one.
#[async_trait]
pub trait Projection: Send + Sync {
    /// The checkpoint's name; also names the projection in errors and reports.
    const NAME: &'static str;

    /// What applying a batch tells its caller (the rows it wrote, say).
    type Applied: Default + Send;

    /// A batch folded and ready to be written.
    type Prepared: Send + Sync + 'static;

    /// Folds `events` (contiguous, in position order), reading stored rows through `tx`.
    /// `previous` is the batch right before, prepared but perhaps not yet committed: rows it
    /// changed are taken from it, not read.
    async fn prepare(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        previous: Option<&Self::Prepared>,
    ) -> Result<Self::Prepared, ProjectionError>;

    /// Writes a prepared batch of `events`, inside `tx`. With `checkpoint` = (from, to), only
    /// if the checkpoint moves from `from` to `to` (on SQLite, moving it first takes the write
    /// lock before anything is written); false, having written nothing, if it had moved
    /// already. Without, the caller has moved it.
    async fn write(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        prepared: &Self::Prepared,
        checkpoint: Option<(i64, i64)>,
    ) -> Result<bool, ProjectionError>;

    /// What the caller learns of a batch once written.
    fn applied(prepared: Self::Prepared) -> Self::Applied;

    /// Deletes every row, inside `tx`, before a replay from the start; `reached` is where
    /// the checkpoint stood (at least: another projector may have moved it on since).
    async fn reset(&self, tx: &mut Tx, reached: i64) -> Result<(), ProjectionError>;

    /// Moves this projection's checkpoint from `from` to `to` and applies `events`, inside
    /// `tx`; None, having written nothing, if another projector moved it first. `tx` has
    /// written already (it appended the events), so on SQLite it holds the write lock before
    /// the batch is prepared.
    async fn apply_moving_checkpoint(
        &self,
        tx: &mut Tx,
        events: &[LoggedEvent],
        from: i64,
        to: i64,
    ) -> Result<Option<Self::Applied>, ProjectionError> {
        let prepared = self.prepare(tx, events, None).await?;
        Ok(self
            .write(tx, events, &prepared, Some((from, to)))
            .await?
            .then(|| Self::applied(prepared)))
    }
}

/// Compare-and-set of the checkpoint `name` from `from` to `to`, inside `tx`; false if
/// another projector moved it first.
pub async fn move_checkpoint(
    tx: &mut Tx,
    name: &'static str,
    from: i64,
    to: i64,
) -> Result<bool, ProjectionError> {
    let moved = on_tx!(tx, |conn| sqlx::query(
        "UPDATE projector_checkpoints SET position = $1 WHERE name = $2 AND position = $3"
    )
    .bind(to)
    .bind(name)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map_err(ProjectionError::db(name))?
    .rows_affected());
    Ok(moved == 1)
}

/// What waits after the checkpoint `name`, read on `conn`: the checkpoint and the events
/// after it (none, if it is at the end), provided they are at most `limit` and follow it
/// unbroken; None otherwise, or if there is no such checkpoint.
pub async fn waiting(
    mut conn: Conn<'_>,
    name: &'static str,
    limit: i64,
) -> Result<Option<(i64, Vec<LoggedEvent>)>, ProjectionError> {
    let checkpoint: Option<i64> = on_conn!(&mut conn, |c| sqlx::query_scalar(CHECKPOINT)
        .bind(name)
        .fetch_optional(&mut *c)
        .await
        .map_err(ProjectionError::db(name))?);
    let Some(checkpoint) = checkpoint else {
        return Ok(None);
    };
    let events = log::read_after_on(conn, checkpoint, limit + 1).await?;
    if events.len() as i64 > limit || !log::follow(checkpoint, &events) {
        return Ok(None);
    }
    Ok(Some((checkpoint, events)))
}

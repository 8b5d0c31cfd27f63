//! The event log: every event as stored ([`LoggedEvent`]), read in global position order
//! ([`read`]) and appended ([`mod@append`]). All of the log's SQL is here; its schema is
//! migration 0001.

pub mod append;
pub mod read;

pub use append::{append, append_returning};
pub use read::{
    follow, head_position, read_after, read_after_on, read_aggregate, read_aggregate_type,
    read_aggregates,
};

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::Row;

/// One event as the log holds it: position, time, identity, and the stored payload and
/// metadata text, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedEvent {
    pub position: i64,
    pub recorded_at: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("database error reading the log: {0}")]
    Db(#[from] sqlx::Error),
    #[error("event at position {position} does not decode: {source}")]
    Decode {
        position: i64,
        #[source]
        source: serde_json::Error,
    },
}

/// The columns of a [`LoggedEvent`], for a SELECT or a RETURNING clause.
pub const COLUMNS: &str = "global_position, recorded_at, aggregate_type, aggregate_id, sequence, \
    event_type, event_version, CAST(payload AS TEXT) AS payload, CAST(metadata AS TEXT) AS metadata";

/// A row of either database, and whether its values always have their column's type.
pub trait LogRow: Row {
    /// True where a column's type is every value's (PostgreSQL); false where a value may
    /// have a type of its own (SQLite: an INTEGER column may hold text).
    const VALUES_HAVE_THEIR_COLUMNS_TYPE: bool;
}

impl LogRow for sqlx::postgres::PgRow {
    const VALUES_HAVE_THEIR_COLUMNS_TYPE: bool = true;
}

impl LogRow for sqlx::sqlite::SqliteRow {
    const VALUES_HAVE_THEIR_COLUMNS_TYPE: bool = false;
}

/// The place in [`COLUMNS`] of each integer column; the others are text.
const INTEGER_COLUMNS: [usize; 2] = [0, 4];

impl LoggedEvent {
    /// The events in rows selected (or returned) as [`COLUMNS`], the columns taken by their
    /// place in that list (looking each up by name, per row, took a few percent of a
    /// rebuild). Where every value has its column's type (PostgreSQL), the types are checked
    /// once, on the first row, and each value is then decoded without checking it again
    /// (checking each, per row, took a few percent more); where a value may have a type of
    /// its own (SQLite), each is checked.
    pub fn from_rows<R: LogRow>(rows: &[R]) -> Result<Vec<Self>, sqlx::Error>
    where
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        let each_value_checked = !R::VALUES_HAVE_THEIR_COLUMNS_TYPE;
        if let Some(first) = rows.first().filter(|_| !each_value_checked) {
            check_column_types(first)?;
        }
        rows.iter()
            .map(|row| Self::from_row(row, each_value_checked))
            .collect()
    }

    /// The event in `row`, each value's type checked unless `check_column_types` has
    /// accepted the row's columns.
    fn from_row<R: Row>(row: &R, checked: bool) -> Result<Self, sqlx::Error>
    where
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        fn value<'r, R: Row, T>(row: &'r R, index: usize, checked: bool) -> Result<T, sqlx::Error>
        where
            T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            if checked {
                row.try_get(index)
            } else {
                row.try_get_unchecked(index)
            }
        }
        Ok(Self {
            position: value(row, 0, checked)?,
            recorded_at: value(row, 1, checked)?,
            aggregate_type: value(row, 2, checked)?,
            aggregate_id: value(row, 3, checked)?,
            sequence: value(row, 4, checked)?,
            event_type: value(row, 5, checked)?,
            event_version: value(row, 6, checked)?,
            payload: value(row, 7, checked)?,
            metadata: value(row, 8, checked)?,
        })
    }

    /// The payload as the domain event it holds.
    pub fn decode<E: DeserializeOwned>(&self) -> Result<E, LogError> {
        serde_json::from_str(&self.payload).map_err(|source| LogError::Decode {
            position: self.position,
            source,
        })
    }

    /// The bytes this event is hashed as, its Merkle leaf entry: a compact JSON array of the
    /// stored columns, `[position, recorded_at, aggregate_type, aggregate_id, sequence,
    /// event_type, event_version, payload, metadata]`, where payload and metadata are the
    /// stored text, byte for byte, as JSON strings.
    pub fn entry(&self) -> Vec<u8> {
        serde_json::to_vec(&(
            self.position,
            &self.recorded_at,
            &self.aggregate_type,
            &self.aggregate_id,
            self.sequence,
            &self.event_type,
            &self.event_version,
            &self.payload,
            &self.metadata,
        ))
        .expect("strings and numbers always serialise")
    }

    /// The RFC 6962 leaf hash of [`Self::entry`].
    pub fn leaf(&self) -> domain::transparency::Hash {
        domain::transparency::leaf_hash(&self.entry())
    }

    pub fn metadata_map(&self) -> Result<BTreeMap<String, String>, LogError> {
        serde_json::from_str(&self.metadata).map_err(|source| LogError::Decode {
            position: self.position,
            source,
        })
    }
}

/// Refuses a row whose columns are not [`COLUMNS`]' types (integers, then text), as
/// `Row::try_get` would for each value.
fn check_column_types<R: Row>(row: &R) -> Result<(), sqlx::Error>
where
    i64: sqlx::Type<R::Database>,
    String: sqlx::Type<R::Database>,
{
    use sqlx::{Column, TypeInfo};
    let columns = row.columns();
    if columns.len() != 9 {
        return Err(sqlx::Error::ColumnNotFound(format!(
            "an event row has 9 columns, this one {}",
            columns.len()
        )));
    }
    for (index, column) in columns.iter().enumerate() {
        let found = column.type_info();
        let (compatible, expected) = if INTEGER_COLUMNS.contains(&index) {
            (
                <i64 as sqlx::Type<R::Database>>::compatible(found),
                "an integer",
            )
        } else {
            (
                <String as sqlx::Type<R::Database>>::compatible(found),
                "text",
            )
        };
        if !found.is_null() && !compatible {
            return Err(sqlx::Error::ColumnDecode {
                index: format!("{index} ({})", column.name()),
                source: format!("expected {expected}, found {}", found.name()).into(),
            });
        }
    }
    Ok(())
}

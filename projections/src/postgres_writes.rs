//! Writes to several tables sent to PostgreSQL as one statement, each a data-modifying WITH
//! clause: a batch's projection costs one round trip, whatever it writes. (PostgreSQL runs
//! every such clause exactly once, on one snapshot: the writes must not depend on each other.)
//! A guarded statement also moves a projector's checkpoint by compare-and-set, and writes
//! nothing unless that moved it.

use sqlx::{PgConnection, Postgres, QueryBuilder};

pub struct PostgresWrites<'a> {
    query: QueryBuilder<'a, Postgres>,
    parts: usize,
    guarded: bool,
}

/// What each write's SELECT adds when the statement is guarded.
const IF_MOVED: &str = " WHERE EXISTS (SELECT 1 FROM moved)";

impl Default for PostgresWrites<'_> {
    fn default() -> Self {
        Self {
            query: QueryBuilder::new("WITH "),
            parts: 0,
            guarded: false,
        }
    }
}

impl<'a> PostgresWrites<'a> {
    /// Writes that happen only if the checkpoint `name` moves from `from` to `to`.
    pub fn guarded(name: &'a str, from: i64, to: i64) -> Self {
        let mut query =
            QueryBuilder::new("WITH moved AS (UPDATE projector_checkpoints SET position = ");
        query
            .push_bind(to)
            .push(" WHERE name = ")
            .push_bind(name)
            .push(" AND position = ")
            .push_bind(from)
            .push(" RETURNING 1)");
        Self {
            query,
            parts: 1,
            guarded: true,
        }
    }

    /// Adds one INSERT, UPDATE or DELETE; `write` pushes its text and binds its parameters,
    /// and puts the condition it is given (empty unless guarded) right after the FROM of its
    /// rows, as a WHERE clause.
    pub fn add(&mut self, write: impl FnOnce(&mut QueryBuilder<'a, Postgres>, &'static str)) {
        if self.parts > 0 {
            self.query.push(", ");
        }
        self.query.push(format_args!("write_{} AS (", self.parts));
        write(&mut self.query, if self.guarded { IF_MOVED } else { "" });
        self.query.push(")");
        self.parts += 1;
    }

    /// Runs the statement; false if it was guarded and the checkpoint had moved already
    /// (nothing was written then).
    pub async fn execute(mut self, conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
        if self.parts == 0 {
            return Ok(true);
        }
        if self.guarded {
            self.query.push(" SELECT COUNT(*) FROM moved");
            let moved: i64 = self.query.build_query_scalar().fetch_one(conn).await?;
            return Ok(moved == 1);
        }
        self.query.push(" SELECT 1");
        self.query.build().execute(conn).await?;
        Ok(true)
    }
}

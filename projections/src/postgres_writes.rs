//! Writes to several tables sent to PostgreSQL as one statement, each a data-modifying WITH
//! clause: a batch's projection costs one round trip, whatever it writes. (PostgreSQL runs
//! every such clause exactly once, on one snapshot: the writes must not depend on each other.)

use sqlx::{PgConnection, Postgres, QueryBuilder};

pub struct PostgresWrites<'a> {
    query: QueryBuilder<'a, Postgres>,
    parts: usize,
}

impl Default for PostgresWrites<'_> {
    fn default() -> Self {
        Self {
            query: QueryBuilder::new("WITH "),
            parts: 0,
        }
    }
}

impl<'a> PostgresWrites<'a> {
    /// Adds one INSERT, UPDATE or DELETE; `write` pushes its text and binds its parameters.
    pub fn add(&mut self, write: impl FnOnce(&mut QueryBuilder<'a, Postgres>)) {
        if self.parts > 0 {
            self.query.push(", ");
        }
        self.query.push(format_args!("write_{} AS (", self.parts));
        write(&mut self.query);
        self.query.push(")");
        self.parts += 1;
    }

    pub async fn execute(mut self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.parts == 0 {
            return Ok(());
        }
        self.query.push(" SELECT 1");
        self.query.build().execute(conn).await?;
        Ok(())
    }
}

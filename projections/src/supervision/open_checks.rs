//! The checks after issuance still to be made, per bureau and item: due, and of those overdue
//! on the business date asked. Read from the `case_state` index of permits with a check due,
//! not from the cases.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::on_db;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OpenChecks {
    /// Permits issued on a commitment whose check (or follow-up check) is still to be made.
    pub due: i64,
    /// Of those, the ones past the day they were due by.
    pub overdue: i64,
}

impl std::ops::AddAssign for OpenChecks {
    fn add_assign(&mut self, other: Self) {
        self.due += other.due;
        self.overdue += other.overdue;
    }
}

/// The open checks per (bureau, item) on `today` (ISO text), in the area `area` (conditions
/// on `bureau` and `item_code` numbered from `$2`, with `values` bound to them in order).
pub(super) async fn open_checks(
    db: &Db,
    today: &str,
    area: &str,
    values: &[&str],
) -> Result<BTreeMap<(String, String), OpenChecks>, sqlx::Error> {
    let sql = format!(
        "SELECT bureau, item_code, COUNT(*), \
           CAST(SUM(CASE WHEN check_due < $1 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM case_state WHERE check_due IS NOT NULL{area} GROUP BY bureau, item_code"
    );
    let mut checks = BTreeMap::new();
    on_db!(db, |pool| {
        let mut query = sqlx::query(&sql).persistent(false).bind(today);
        for value in values {
            query = query.bind(*value);
        }
        for row in query.fetch_all(pool).await? {
            let key: (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let (due, overdue): (i64, Option<i64>) = (row.try_get(2)?, row.try_get(3)?);
            checks.insert(
                key,
                OpenChecks {
                    due,
                    overdue: overdue.unwrap_or(0),
                },
            );
        }
    });
    Ok(checks)
}

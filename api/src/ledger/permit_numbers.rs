//! Permit numbers (ADR 03): allocated once per case, so a retry gets the same number, with
//! serials counted per bureau and year, so no two permits share one.
//!
//! An allocation need not reach the disk before it answers: the permit's event, which commits
//! after it and waits for the disk, takes it there (the write-ahead log is synced in order);
//! if that event never commits, nobody holds the number. So allocations go through
//! [`Db::without_waiting_for_disk`].

use domain::values::{BureauCode, CaseId, ItemCode, PermitNumber};
use projections::Db;
use sqlx::{PgPool, SqlitePool};

use crate::ledger::writer::WriteGate;

/// The largest serial a bureau's year can number.
const LAST_SERIAL: i64 = 10_i64.pow(PermitNumber::SERIAL_DIGITS as u32) - 1;

/// Why no number could be allocated.
#[derive(Debug, thiserror::Error)]
pub enum AllocationError {
    #[error(
        "bureau {bureau} has numbered {LAST_SERIAL} permits in {year}, the most a permit \
         number's {digits}-digit serial can count",
        digits = PermitNumber::SERIAL_DIGITS
    )]
    SerialsExhausted { bureau: String, year: i32 },
    #[error("allocations for case {case_id} kept racing each other; try again")]
    Unsettled { case_id: String },
    #[error("allocating a permit number failed: {0}")]
    Store(#[from] sqlx::Error),
}

/// The permit-number register on the ledger's store.
pub struct PermitNumbers {
    /// The store, through connections that do not wait for the disk.
    register: Db,
    /// Taken on SQLite, so an allocation queues behind the event writer's transaction.
    write_gate: WriteGate,
}

/// What one allocation statement found: the case's number, if it had one, or the one it was
/// given now, and the serial counted (none when the case had a number already).
type Allocated = (Option<String>, Option<String>, Option<i64>);

/// On PostgreSQL the whole allocation is one statement (one round trip, atomic): look for the
/// case's number; if it has none, count the bureau's serial and bind the number to the case.
/// Its parts share one snapshot, so two allocations for the same case at once both count a
/// serial; the second finds the case taken (`ON CONFLICT DO NOTHING`, after waiting for the
/// first to commit) and looks again. Its serial stays unused, as in ADR 03's race.
const ALLOCATE_IN_ONE_STATEMENT: &str = "\
    WITH existing AS ( \
        SELECT permit_number FROM permit_allocations WHERE case_id = $1 \
    ), counted AS ( \
        INSERT INTO permit_serials (bureau, year, last_serial) \
        SELECT $2, $3, 1 WHERE NOT EXISTS (SELECT FROM existing) \
        ON CONFLICT (bureau, year) DO UPDATE SET last_serial = permit_serials.last_serial + 1 \
        RETURNING last_serial \
    ), allocated AS ( \
        INSERT INTO permit_allocations (case_id, permit_number) \
        SELECT $1, $4 || lpad(last_serial::text, $5, '0') FROM counted WHERE last_serial <= $6 \
        ON CONFLICT (case_id) DO NOTHING \
        RETURNING permit_number \
    ) \
    SELECT (SELECT permit_number FROM existing), (SELECT permit_number FROM allocated), \
           (SELECT last_serial FROM counted)";

impl PermitNumbers {
    /// The register on `store`'s connections that do not wait for the disk; `write_gate` is
    /// the event writer's.
    pub async fn open(store: &Db, write_gate: WriteGate) -> Result<Self, sqlx::Error> {
        Ok(Self {
            register: store.without_waiting_for_disk().await?,
            write_gate,
        })
    }

    /// The number of the permit of case `case_id`, for an `item` of `bureau`: the one
    /// allocated to the case before, or the bureau's next serial in `year`.
    pub async fn allocate(
        &self,
        case_id: &CaseId,
        item: &ItemCode,
        bureau: &BureauCode,
        year: i32,
    ) -> Result<PermitNumber, AllocationError> {
        let request = Request {
            case_id,
            item,
            bureau,
            year,
        };
        match &self.register {
            Db::Postgres(pool) => allocate_in_one_statement(pool, &request).await,
            Db::Sqlite(pool) => {
                let _turn = self.write_gate.turn().await;
                allocate_in_a_transaction(pool, &request).await
            }
        }
    }
}

/// What a number is allocated for: a case, its item and bureau, and the year.
struct Request<'a> {
    case_id: &'a CaseId,
    item: &'a ItemCode,
    bureau: &'a BureauCode,
    year: i32,
}

impl Request<'_> {
    fn exhausted(&self) -> AllocationError {
        AllocationError::SerialsExhausted {
            bureau: self.bureau.to_string(),
            year: self.year,
        }
    }
}

async fn allocate_in_one_statement(
    pool: &PgPool,
    request: &Request<'_>,
) -> Result<PermitNumber, AllocationError> {
    let prefix = PermitNumber::prefix(request.item, request.bureau, request.year);
    // A second look is needed only after losing a race for the same case.
    for _ in 0..2 {
        let (existing, allocated, serial): Allocated = sqlx::query_as(ALLOCATE_IN_ONE_STATEMENT)
            .bind(request.case_id.as_str())
            .bind(request.bureau.as_str())
            .bind(i64::from(request.year))
            .bind(&prefix)
            .bind(PermitNumber::SERIAL_DIGITS as i32)
            .bind(LAST_SERIAL)
            .fetch_one(pool)
            .await?;
        if let Some(number) = existing.or(allocated) {
            return Ok(stored(&number));
        }
        if serial.is_some_and(|serial| serial > LAST_SERIAL) {
            return Err(request.exhausted());
        }
    }
    Err(AllocationError::Unsettled {
        case_id: request.case_id.to_string(),
    })
}

/// SQLite has no data-modifying WITH: the same steps in a transaction of their own (the
/// caller holds the write gate).
async fn allocate_in_a_transaction(
    pool: &SqlitePool,
    request: &Request<'_>,
) -> Result<PermitNumber, AllocationError> {
    let mut tx = pool.begin().await?;
    // The counter moves first: it takes the write lock before anything is read.
    let serial: i64 = sqlx::query_scalar(
        "INSERT INTO permit_serials (bureau, year, last_serial) VALUES ($1, $2, 1) \
         ON CONFLICT (bureau, year) DO UPDATE SET last_serial = permit_serials.last_serial + 1 \
         RETURNING last_serial",
    )
    .bind(request.bureau.as_str())
    .bind(i64::from(request.year))
    .fetch_one(&mut *tx)
    .await?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT permit_number FROM permit_allocations WHERE case_id = $1")
            .bind(request.case_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(number) = existing {
        tx.rollback().await?;
        return Ok(stored(&number));
    }
    let Some(number) = u32::try_from(serial).ok().and_then(|serial| {
        PermitNumber::compose(request.item, request.bureau, request.year, serial).ok()
    }) else {
        tx.rollback().await?;
        return Err(request.exhausted());
    };
    sqlx::query("INSERT INTO permit_allocations (case_id, permit_number) VALUES ($1, $2)")
        .bind(request.case_id.as_str())
        .bind(number.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(number)
}

fn stored(number: &str) -> PermitNumber {
    PermitNumber::parse(number).expect("stored permit numbers were composed valid")
}

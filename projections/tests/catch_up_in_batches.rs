//! The projector prepares a batch while it writes the one before: a case whose events span
//! batches is folded onto the previous batch's view (not yet committed) or onto the stored one.
//! Either way every case must end equal to the replay of its own history, after a catch-up
//! and after a rebuild, and a rebuild keeps every recorded leaf. Two projectors catching up
//! at once (two servers) both end there, neither failing. A catch-up or rebuild its caller
//! gave up on, at any point, leaves no pooled session inside a transaction.

mod common;

use common::{day, lifecycle, log_event};

use std::sync::Arc;
use std::time::Duration;

use domain::catalogue::Catalogue;
use domain::CaseEvent;
use projections::notices::NoticesProjection;
use projections::{case_queries, listing_queries, log, transparency};
use projections::{CaseView, Db, Projector, ReadModels};

const CASES: usize = 6;

test_support::on_both_stores!(db:
    cases_spanning_batches_end_as_their_replay,
    two_projectors_at_once_both_reach_the_end,
    cut_short_catch_ups_leave_every_session_usable,
);

fn case_id(n: usize) -> String {
    format!("0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d{n:02}")
}

/// Logs the lifecycles of `cases` interleaved: each case's next event comes one round on.
async fn log_interleaved(db: &Db, cases: std::ops::Range<usize>) {
    let lifecycles: Vec<(usize, Vec<CaseEvent>)> =
        cases.map(|n| (n, lifecycle(n as u32 + 1))).collect();
    for step in 0..4 {
        for (n, events) in &lifecycles {
            log_event(db, &case_id(*n), step as i64 + 1, &events[step]).await;
        }
    }
}

async fn assert_every_case_is_its_replay(db: &Db, cases: usize) {
    for n in 0..cases {
        let history = log::read_aggregate(db, "PermitCase", &case_id(n))
            .await
            .unwrap();
        let replayed = CaseView::replay(&history).unwrap().unwrap();
        let stored = case_queries::case(db, &case_id(n)).await.unwrap().unwrap();
        assert_eq!(stored, replayed, "case {n}");
        assert_eq!(stored.version, 4);
    }
    let notices = listing_queries::unpublished_notices_until(db, day())
        .await
        .unwrap();
    assert_eq!(notices.len(), cases, "one notice per permit issued");
}

async fn cases_spanning_batches_end_as_their_replay(db: &Db) {
    log_interleaved(db, 0..CASES).await;
    let projector = ledger_projector(db);
    let events = 4 * CASES as i64;
    assert_eq!(projector.catch_up().await.unwrap(), events);
    assert_every_case_is_its_replay(db, CASES).await;
    let leaves = transparency::recorded_leaves(db).await.unwrap();
    assert_eq!(leaves.len() as i64, events);

    assert_eq!(projector.rebuild().await.unwrap(), events);
    assert_every_case_is_its_replay(db, CASES).await;
    assert_eq!(transparency::recorded_leaves(db).await.unwrap(), leaves);

    // Events logged after the rebuild get their leaves, like any new event.
    log_interleaved(db, CASES..CASES + 2).await;
    assert_eq!(projector.catch_up().await.unwrap(), events + 8);
    assert_every_case_is_its_replay(db, CASES + 2).await;
    let after = transparency::recorded_leaves(db).await.unwrap();
    assert_eq!(after.len() as i64, events + 8);
    assert_eq!(after[..leaves.len()], leaves[..]);
}

fn ledger_projector(db: &Db) -> Arc<Projector<ReadModels>> {
    Arc::new(
        Projector::new(
            db.clone(),
            ReadModels::new(
                NoticesProjection::new(Catalogue::bundled(), chrono_tz::Asia::Shanghai),
                domain::CaseServices::bundled(),
            ),
        )
        .with_batch_size(5),
    )
}

/// Each projector folds some batches onto views the other has just moved on: it must start
/// again from the other's checkpoint, not fail.
async fn two_projectors_at_once_both_reach_the_end(db: &Db) {
    const MANY: usize = 60;
    log_interleaved(db, 0..MANY).await;
    let (first, second) = (ledger_projector(db), ledger_projector(db));
    let (a, b) = tokio::join!(
        tokio::spawn(async move { first.catch_up().await }),
        tokio::spawn(async move { second.catch_up().await })
    );
    assert_eq!(a.unwrap().unwrap(), 4 * MANY as i64);
    assert_eq!(b.unwrap().unwrap(), 4 * MANY as i64);
    assert_every_case_is_its_replay(db, MANY).await;
}

/// Callers give up on catch-ups (a command answers from the log after a while; a request's
/// client goes away): a catch-up given up on still runs to the end, and however it is cut, a
/// catch-up or rebuild leaves no pooled session inside a transaction (why that could happen:
/// `Projector::catch_up`, ADR 02).
async fn cut_short_catch_ups_leave_every_session_usable(db: &Db) {
    const MANY: usize = 30;
    log_interleaved(db, 0..MANY).await;
    let projector = ledger_projector(db);
    // Given up on at once, the catch-up still runs to the end: nothing of it is cut.
    let _ = tokio::time::timeout(Duration::ZERO, projector.catch_up()).await;
    let reached = tokio::time::timeout(Duration::from_secs(10), async {
        while projector.checkpoint().await.unwrap() < 4 * MANY as i64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(reached.is_ok(), "a catch-up given up on stopped half-way");
    for step in 0..40u64 {
        let cut = Duration::from_micros(step * 37 % 1_500);
        if step % 2 == 0 {
            let _ = tokio::time::timeout(cut, projector.rebuild()).await;
        } else {
            let _ = tokio::time::timeout(cut, projector.catch_up()).await;
        }
    }
    let settled = tokio::time::timeout(Duration::from_secs(30), async {
        assert_eq!(projector.rebuild().await.unwrap(), 4 * MANY as i64);
        assert_every_case_is_its_replay(db, MANY).await;
    })
    .await;
    assert!(
        settled.is_ok(),
        "the rebuild after the cut-short ones did not finish in 30 s: a session left in a \
         transaction holds its tables"
    );
    if let Db::Postgres(pool) = db {
        let stuck: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(stuck, 0, "sessions left inside a transaction");
    }
}

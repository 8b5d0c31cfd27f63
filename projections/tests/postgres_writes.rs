//! One statement for a batch's writes on PostgreSQL: guarded by the checkpoint's
//! compare-and-set, it writes everything or, when another projector moved the checkpoint
//! first, nothing. PostgreSQL must answer (see scripts/test.sh): this fails, never skips.

use projections::postgres_writes::PostgresWrites;
use projections::Db;

fn leaves<'a>(writes: &mut PostgresWrites<'a>, positions: &'a Vec<i64>, hashes: &'a Vec<String>) {
    writes.add(|query, condition| {
        query
            .push("INSERT INTO ledger_leaves (position, leaf) SELECT * FROM UNNEST(")
            .push_bind(positions)
            .push("::bigint[], ")
            .push_bind(hashes)
            .push("::text[]) AS leaf")
            .push(condition);
    });
}

#[tokio::test]
async fn guarded_writes_happen_only_when_the_checkpoint_moves() {
    test_support::scratch::on_scratch_db(test_support::Store::Postgres, |db| async move {
        guarded_writes(&db).await
    })
    .await;
}

async fn guarded_writes(db: &Db) {
    let Db::Postgres(pool) = db else {
        unreachable!("a PostgreSQL URL")
    };
    sqlx::query("UPDATE projector_checkpoints SET position = 5 WHERE name = 'ledger'")
        .execute(pool)
        .await
        .unwrap();
    let positions: Vec<i64> = vec![6, 7];
    let hashes: Vec<String> = vec!["aa".into(), "bb".into()];
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ledger_leaves")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let checkpoint = || async {
        sqlx::query_scalar::<_, i64>("SELECT position FROM projector_checkpoints")
            .fetch_one(pool)
            .await
            .unwrap()
    };

    let mut stale = PostgresWrites::guarded("ledger", 3, 7);
    leaves(&mut stale, &positions, &hashes);
    let mut conn = pool.acquire().await.unwrap();
    assert!(!stale.execute(&mut conn).await.unwrap());
    assert_eq!(
        count().await,
        0,
        "nothing written when the checkpoint had moved"
    );
    assert_eq!(checkpoint().await, 5);

    let mut current = PostgresWrites::guarded("ledger", 5, 7);
    leaves(&mut current, &positions, &hashes);
    assert!(current.execute(&mut conn).await.unwrap());
    assert_eq!(count().await, 2);
    assert_eq!(checkpoint().await, 7);
}

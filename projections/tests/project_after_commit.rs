//! The event writer on PostgreSQL projects a batch it has just committed in one statement of
//! its own (`ReadModels::project_after_commit`); when events before the batch are not
//! projected yet, it projects them with it.

mod common;

use common::{lifecycle, log_event};
use domain::catalogue::Catalogue;
use projections::notices::NoticesProjection;
use projections::{case_queries, log, Db, Projector, ReadModels};

const CASE: &str = "0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_after_unprojected_events_of_its_case_is_projected_with_them() {
    test_support::scratch::on_scratch_db(test_support::Store::Postgres, |db| async move {
        let events = lifecycle(1);
        // The filing is logged but not projected (another server's, say); the batch is the
        // acceptance that follows it.
        log_event(&db, CASE, 1, &events[0]).await;
        log_event(&db, CASE, 2, &events[1]).await;
        let batch = log::read_after(&db, 1, 10).await.unwrap();
        let projector = Projector::new(
            db.clone(),
            ReadModels::new(
                NoticesProjection::new(Catalogue::bundled(), chrono_tz::Asia::Shanghai),
                domain::CaseServices::bundled(),
            ),
        );
        let Db::Postgres(pool) = &db else {
            unreachable!("a PostgreSQL scratch database")
        };
        let mut session = pool.acquire().await.unwrap();
        let views = projector
            .projection()
            .project_after_commit(&mut session, &batch, 2_000)
            .await
            .unwrap()
            .expect("projected from the checkpoint");
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].version, 2);
        assert_eq!(projector.checkpoint().await.unwrap(), 2);
        let stored = case_queries::case(&db, CASE).await.unwrap().unwrap();
        assert_eq!(stored, views[0]);
    })
    .await;
}

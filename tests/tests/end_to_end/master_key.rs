//! The master key wraps every personal-data key: a ledger opened without it, or with
//! another, refuses to start instead of sealing under a new key; rotation wraps the keys
//! under a new master key, after which only the new one opens the ledger.

use std::sync::Arc;

use permit_ledger::ledger::SettableClock;
use permit_ledger::startup::open_ledger;

use crate::helpers::{jinan_enterprise, on_both_stores, spawn_app, Store, TestApp};

on_both_stores!(
    a_ledger_opened_without_its_master_key_or_with_another_refuses_to_start,
    a_rotated_master_key_opens_the_ledger_and_the_old_one_no_longer_does,
);

fn clock() -> Arc<SettableClock> {
    Arc::new(SettableClock::new(chrono::Utc::now()))
}

/// A second server on `app`'s store with its checkpoint key and token secret, not its
/// master key.
fn another_server(app: &TestApp, store: Store, name: &str) -> permit_ledger::settings::Settings {
    app.second_server(store, name, &["checkpoint-key", "token-secret"])
}

async fn a_ledger_opened_without_its_master_key_or_with_another_refuses_to_start(store: Store) {
    let app = spawn_app(store).await;
    app.file_case(&jinan_enterprise(), "XK-003").await;

    let mut with_another = another_server(&app, store, "another-key");
    with_another.master_key = Some(projections::personal::SecretKey::generate().to_base64());
    let error = format!(
        "{:#}",
        open_ledger(&with_another, clock()).await.err().unwrap()
    );
    assert!(error.contains("wrapped under the master key"), "{error}");

    // No key file and none given: a new key is not made for a ledger that has one.
    let without = another_server(&app, store, "no-key");
    let error = format!("{:#}", open_ledger(&without, clock()).await.err().unwrap());
    assert!(error.contains("restore the master key"), "{error}");
    assert!(!without.data_dir.join("master-key").exists());

    // With the ledger's key, given in the environment's way, it opens.
    let mut shared = another_server(&app, store, "shared-key");
    shared.master_key = Some(
        std::fs::read_to_string(app.settings.data_dir.join("master-key"))
            .unwrap()
            .trim()
            .to_owned(),
    );
    assert!(open_ledger(&shared, clock()).await.is_ok());
}

async fn a_rotated_master_key_opens_the_ledger_and_the_old_one_no_longer_does(store: Store) {
    let app = spawn_app(store).await;
    let case_id = app.file_case(&jinan_enterprise(), "XK-003").await;
    let old = std::fs::read_to_string(app.settings.data_dir.join("master-key")).unwrap();
    let new_file = app.settings.data_dir.join("new-master-key");
    let rotated = permit_ledger::cli::rotate::rotate(&app.ledger, &app.settings, &new_file)
        .await
        .unwrap();
    assert_eq!(
        rotated, 1,
        "the enterprise's key: its contact's and its applicant's"
    );
    let new = std::fs::read_to_string(&new_file).unwrap();
    assert_ne!(old, new);
    assert_eq!(
        std::fs::read_to_string(app.settings.data_dir.join("master-key")).unwrap(),
        new,
        "the data directory's key is replaced"
    );

    let mut with_old = another_server(&app, store, "old-key");
    with_old.master_key = Some(old.trim().to_owned());
    let error = format!("{:#}", open_ledger(&with_old, clock()).await.err().unwrap());
    assert!(error.contains("wrapped under the master key"), "{error}");

    let mut with_new = another_server(&app, store, "new-key");
    with_new.master_key = Some(new.trim().to_owned());
    let reopened = open_ledger(&with_new, clock()).await.unwrap();
    let id = domain::values::CaseId::parse(&case_id).unwrap();
    let case = reopened.case(&id).await.unwrap().unwrap();
    assert_eq!(
        case.contact.person, "王经理",
        "what was sealed before opens under the new key"
    );
}

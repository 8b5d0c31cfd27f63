//! The key table: a key per data subject, created on first use, wrapped under the master key,
//! destroyed on erasure. Servers sharing a store share its keys (and so must share the master
//! key, whose fingerprint the ledger records when it is created).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use domain::personal_data::DataSubject;
use sqlx::QueryBuilder;

use super::cipher::{new_key_id, NotAuthentic, SecretKey};
use crate::db::Db;
use crate::on_db;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("database error on the personal-data keys: {0}")]
    Db(#[from] sqlx::Error),
    #[error(
        "this ledger's personal-data keys are wrapped under the master key {recorded}; the \
         master key given is {given}: give the ledger's master key (a lost master key cannot \
         be replaced: the personal data under it is unreadable)"
    )]
    WrongMasterKey { recorded: String, given: String },
    #[error(transparent)]
    NotAuthentic(#[from] NotAuthentic),
}

/// A subject's live key, for sealing.
#[derive(Clone)]
pub struct SubjectKey {
    pub key_id: String,
    pub key: Arc<SecretKey>,
}

pub struct PersonalKeys {
    db: Db,
    master: SecretKey,
    /// Live keys this process has used, for sealing and opening; emptied whenever a key
    /// has been destroyed (by this process at once, by another within a pass of
    /// [`Self::forget_destroyed_keys`]).
    cache: Mutex<KeyCache>,
    /// How many keys were destroyed when the sealing cache was last checked.
    destroyed_seen: AtomicI64,
    /// Whether new personal fields are sealed (always, but when measuring what sealing
    /// costs).
    sealing: AtomicBool,
}

/// The fingerprint of the master key this ledger's keys are wrapped under, if it has one.
pub async fn recorded_master_key(db: &Db) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, String>(
            "SELECT value FROM ledger_settings WHERE name = 'master_key'",
        )
        .fetch_optional(pool)
        .await
    })
}

impl PersonalKeys {
    /// The keys of `db` under `master`, which becomes the ledger's master key if it has none
    /// yet; refused if the ledger's keys are wrapped under another.
    pub async fn open(db: Db, master: SecretKey) -> Result<Self, KeyError> {
        let given = master.fingerprint();
        let recorded = crate::ledger_settings::fixed(&db, "master_key", &given).await?;
        if recorded != given {
            return Err(KeyError::WrongMasterKey { recorded, given });
        }
        let keys = Self {
            db,
            master,
            cache: Mutex::default(),
            destroyed_seen: AtomicI64::new(0),
            sealing: AtomicBool::new(true),
        };
        keys.destroyed_seen
            .store(keys.destroyed_count().await?, Ordering::Release);
        Ok(keys)
    }

    /// Turns the sealing of new personal fields on or off. Off is for measurement only (the
    /// benchmark's commands beside the same without sealing): what is then logged in clear
    /// can never be erased.
    pub fn set_sealing(&self, on: bool) {
        self.sealing.store(on, Ordering::Release);
    }

    pub fn seals(&self) -> bool {
        self.sealing.load(Ordering::Acquire)
    }

    /// The live key of `subject`, created if it has none.
    pub async fn key_for(&self, subject: &DataSubject) -> Result<SubjectKey, KeyError> {
        if let Some(key) = self.cache().by_subject.get(subject) {
            return Ok(key.clone());
        }
        let name = subject.to_string();
        let found = match self.live_row(&name).await? {
            Some(row) => row,
            None => {
                let (key_id, key) = (new_key_id(), SecretKey::generate());
                let wrapped = self.master.wrap(&key_id, &key);
                on_db!(&self.db, |pool| {
                    sqlx::query(
                        "INSERT INTO personal_keys (key_id, subject, wrapped_key, master_key, \
                         created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject) DO NOTHING",
                    )
                    .bind(&key_id)
                    .bind(&name)
                    .bind(&wrapped)
                    .bind(self.master.fingerprint())
                    .bind(chrono::Utc::now().to_rfc3339())
                    .execute(pool)
                    .await?;
                });
                // Another server may have created it first: its key is the subject's.
                self.live_row(&name)
                    .await?
                    .ok_or(KeyError::Db(sqlx::Error::RowNotFound))?
            }
        };
        let (key_id, wrapped) = found;
        let key = SubjectKey {
            key: Arc::new(self.master.unwrap(&key_id, &wrapped)?),
            key_id,
        };
        let mut cache = self.cache();
        cache.by_id.insert(key.key_id.clone(), key.key.clone());
        cache.by_subject.insert(subject.clone(), key.clone());
        Ok(key)
    }

    /// The id of the live key of `subject`, if it has one.
    pub async fn live_key_id(&self, subject: &DataSubject) -> Result<Option<String>, KeyError> {
        Ok(self.live_row(&subject.to_string()).await?.map(|(id, _)| id))
    }

    async fn live_row(&self, subject: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        on_db!(&self.db, |pool| {
            sqlx::query_as::<_, (String, String)>(
                "SELECT key_id, wrapped_key FROM personal_keys \
                 WHERE subject = $1 AND wrapped_key IS NOT NULL",
            )
            .bind(subject)
            .fetch_optional(pool)
            .await
        })
    }

    /// The keys `key_ids` for opening: each live one unwrapped, a destroyed or unknown one
    /// absent (what it sealed reads as erased).
    pub async fn live_keys(
        &self,
        key_ids: &[&str],
    ) -> Result<HashMap<String, Arc<SecretKey>>, KeyError> {
        let mut keys = HashMap::new();
        let mut unknown = Vec::new();
        {
            let cache = self.cache();
            for id in key_ids {
                match cache.by_id.get(*id) {
                    Some(key) => {
                        keys.insert((*id).to_owned(), key.clone());
                    }
                    None => unknown.push(*id),
                }
            }
        }
        for chunk in unknown.chunks(500) {
            let rows: Vec<(String, String)> = on_db!(&self.db, |pool| {
                let mut select = QueryBuilder::new(
                    "SELECT key_id, wrapped_key FROM personal_keys \
                     WHERE wrapped_key IS NOT NULL AND key_id IN (",
                );
                let mut list = select.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                select.push(")");
                select.build_query_as().fetch_all(pool).await?
            });
            for (key_id, wrapped) in rows {
                let key = Arc::new(self.master.unwrap(&key_id, &wrapped)?);
                self.cache().by_id.insert(key_id.clone(), key.clone());
                keys.insert(key_id, key);
            }
        }
        Ok(keys)
    }

    /// Destroys the key `key_id`: its bytes and its subject are gone from the row, which stays
    /// to show when. True if this call destroyed it; false if it was destroyed already.
    pub async fn destroy(&self, key_id: &str, at: &str) -> Result<bool, KeyError> {
        let destroyed = match &self.db {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                // Freed bytes are overwritten, not left in the file's free pages.
                sqlx::query("PRAGMA secure_delete = ON")
                    .execute(&mut *conn)
                    .await?;
                let done = sqlx::query(DESTROY)
                    .bind(at)
                    .bind(key_id)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                // Best effort: the write-ahead log still holds the page the key was on until
                // it is checkpointed; a reader in the middle of a transaction may delay it.
                let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut *conn)
                    .await;
                done
            }
            Db::Postgres(pool) => {
                let done = sqlx::query(DESTROY)
                    .bind(at)
                    .bind(key_id)
                    .execute(pool)
                    .await?
                    .rows_affected();
                // The old row version, with the key, is gone from the table's pages once
                // vacuumed (WAL segments and backups keep it under the master key).
                sqlx::query("VACUUM personal_keys").execute(pool).await?;
                done
            }
        };
        self.cache().clear();
        Ok(destroyed > 0)
    }

    /// Forgets the keys it holds if any key was destroyed since the last look (by another
    /// server or tool on the same store): once this has run, no new field is sealed under a
    /// destroyed key and nothing sealed under one is opened.
    pub async fn forget_destroyed_keys(&self) -> Result<(), KeyError> {
        let count = self.destroyed_count().await?;
        if self.destroyed_seen.swap(count, Ordering::AcqRel) != count {
            self.cache().clear();
        }
        Ok(())
    }

    async fn destroyed_count(&self) -> Result<i64, sqlx::Error> {
        on_db!(&self.db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM personal_keys WHERE wrapped_key IS NULL",
            )
            .fetch_one(pool)
            .await
        })
    }

    /// Wraps every live key under `new` instead of the master key, and records `new` as the
    /// ledger's master key, in one transaction. Returns how many keys were wrapped again.
    /// Servers still running with the old master key fail to unwrap the keys they did not
    /// hold yet, and refuse to start again with it: rotate with the servers stopped.
    pub async fn rotate(&self, new: &SecretKey) -> Result<usize, KeyError> {
        let (old_print, new_print) = (self.master.fingerprint(), new.fingerprint());
        let mut tx = self.db.begin().await?;
        let rows: Vec<(String, String, String)> = crate::on_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "SELECT key_id, wrapped_key, master_key FROM personal_keys                  WHERE wrapped_key IS NOT NULL ORDER BY key_id",
            )
            .fetch_all(&mut *conn)
            .await?
        });
        for (key_id, wrapped, master) in &rows {
            if *master != old_print {
                return Err(KeyError::WrongMasterKey {
                    recorded: master.clone(),
                    given: old_print,
                });
            }
            let key = self.master.unwrap(key_id, wrapped)?;
            let rewrapped = new.wrap(key_id, &key);
            crate::on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "UPDATE personal_keys SET wrapped_key = $1, master_key = $2 WHERE key_id = $3",
                )
                .bind(&rewrapped)
                .bind(&new_print)
                .bind(key_id)
                .execute(&mut *conn)
                .await?;
            });
        }
        let moved = crate::on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE ledger_settings SET value = $1 WHERE name = 'master_key' AND value = $2",
            )
            .bind(&new_print)
            .bind(&old_print)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if moved != 1 {
            return Err(KeyError::WrongMasterKey {
                recorded: "another".into(),
                given: old_print,
            });
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, KeyCache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Default)]
struct KeyCache {
    by_subject: HashMap<DataSubject, SubjectKey>,
    by_id: HashMap<String, Arc<SecretKey>>,
}

impl KeyCache {
    fn clear(&mut self) {
        self.by_subject.clear();
        self.by_id.clear();
    }
}

const DESTROY: &str = "UPDATE personal_keys SET wrapped_key = NULL, subject = NULL, \
    destroyed_at = $1 WHERE key_id = $2 AND wrapped_key IS NOT NULL";

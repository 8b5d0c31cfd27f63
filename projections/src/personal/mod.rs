//! Personal fields sealed before they are logged, opened when they are read, erased by
//! destroying their subject's key (crypto-shredding). The log and everything folded from it
//! (case views) hold the sealed text; the leaf hashes it; only the readers that show personal
//! data to those entitled to it (case views, histories, a decrypted export) open it. Which
//! fields are personal is the domain's decision (`domain::personal_data::fields`).

mod cipher;
mod events;
mod keys;
pub mod retention;
mod views;

pub use cipher::{NotAuthentic, Sealed, SecretKey};
pub use events::{OpenError, OpenedEvent};
pub use keys::{recorded_master_key, KeyError, PersonalKeys, SubjectKey};

use std::collections::{HashMap, HashSet};

use domain::personal_data::{DataSubject, PersonalField, ACTOR_SUBJECT};
use serde_json::Value;

/// What an erased personal field reads as.
pub const ERASED: &str = "erased";

/// A personal field as read: in clear, or erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Clear(String),
    Erased,
}

impl Opened {
    pub fn into_text(self) -> String {
        match self {
            Opened::Clear(text) => text,
            Opened::Erased => ERASED.to_owned(),
        }
    }
}

impl PersonalKeys {
    /// Seals `fields` of `payload`, an event of `aggregate_id`, under `subject`'s key. A field
    /// that is absent or not text (a commitment not made) is left as it is.
    pub async fn seal_payload(
        &self,
        subject: &DataSubject,
        fields: &[PersonalField],
        aggregate_id: &str,
        payload: &mut Value,
    ) -> Result<(), KeyError> {
        if !self.seals() {
            return Ok(());
        }
        let mut key = None;
        for field in fields {
            let Some(Value::String(text)) = payload.pointer_mut(field.pointer) else {
                continue;
            };
            let key = match &key {
                Some(key) => key,
                None => key.insert(self.key_for(subject).await?),
            };
            *text = Sealed::seal(&key.key, &key.key_id, field.label, aggregate_id, text);
        }
        Ok(())
    }

    /// Seals who sent a command, in its metadata, under the sender's own key.
    pub async fn seal_sender(
        &self,
        sender: &DataSubject,
        aggregate_id: &str,
        metadata: &mut HashMap<String, String>,
    ) -> Result<(), KeyError> {
        if !self.seals() {
            return Ok(());
        }
        if let Some(text) = metadata.get_mut(ACTOR_SUBJECT.label) {
            let key = self.key_for(sender).await?;
            *text = Sealed::seal(
                &key.key,
                &key.key_id,
                ACTOR_SUBJECT.label,
                aggregate_id,
                text,
            );
        }
        Ok(())
    }

    /// An opener for the sealed ones among `texts`: their live keys, fetched at once.
    pub async fn opener<'t>(
        &self,
        texts: impl IntoIterator<Item = &'t str>,
    ) -> Result<Opener, KeyError> {
        let key_ids: HashSet<&str> = texts
            .into_iter()
            .filter_map(|text| Sealed::parse(text).map(|sealed| sealed.key_id))
            .collect();
        let key_ids: Vec<&str> = key_ids.into_iter().collect();
        Ok(Opener {
            keys: self.live_keys(&key_ids).await?,
        })
    }
}

/// Live keys, fetched for what is about to be read.
pub struct Opener {
    keys: HashMap<String, std::sync::Arc<SecretKey>>,
}

impl Opener {
    /// `text`, the field `label` of `aggregate_id`, as it reads: in clear if it was stored so
    /// or its key is live, erased if its key is destroyed; an error if it does not
    /// authenticate.
    pub fn open(
        &self,
        text: &str,
        label: &str,
        aggregate_id: &str,
    ) -> Result<Opened, NotAuthentic> {
        let Some(sealed) = Sealed::parse(text) else {
            return Ok(Opened::Clear(text.to_owned()));
        };
        match self.keys.get(sealed.key_id) {
            Some(key) => sealed.open(key, label, aggregate_id).map(Opened::Clear),
            None => Ok(Opened::Erased),
        }
    }
}

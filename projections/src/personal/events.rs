//! Logged events with their personal fields opened, for auditors and decrypted exports.

use std::collections::BTreeMap;

use domain::personal_data::{fields::of_event_type, ACTOR_SUBJECT};
use serde_json::Value;

use super::{NotAuthentic, Opened, Opener};
use crate::log::{LogError, LoggedEvent};

/// An event as an entitled reader sees it: payload and metadata with personal fields opened.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedEvent {
    pub payload: Value,
    pub metadata: BTreeMap<String, String>,
    /// The personal fields that read as erased, by label.
    pub erased_fields: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("event at position {position}: {source}")]
    NotAuthentic {
        position: i64,
        #[source]
        source: NotAuthentic,
    },
}

impl LoggedEvent {
    /// The text of this event's personal fields as stored, sealed or not.
    pub fn personal_texts(&self) -> Result<Vec<String>, LogError> {
        let payload: Value = self.decode()?;
        let mut texts: Vec<String> = of_event_type(&self.aggregate_type, &self.event_type)
            .iter()
            .filter_map(|f| payload.pointer(f.pointer)?.as_str().map(str::to_owned))
            .collect();
        texts.extend(self.metadata_map()?.remove(ACTOR_SUBJECT.label));
        Ok(texts)
    }

    /// The event with its personal fields opened by `opener`.
    pub fn open_personal(&self, opener: &Opener) -> Result<OpenedEvent, OpenError> {
        let not_authentic = |source| OpenError::NotAuthentic {
            position: self.position,
            source,
        };
        let mut payload: Value = self.decode()?;
        let mut metadata = self.metadata_map()?;
        let mut erased_fields = Vec::new();
        let mut open = |text: &mut String, label: &str| -> Result<(), OpenError> {
            let opened = opener
                .open(text, label, &self.aggregate_id)
                .map_err(not_authentic)?;
            if opened == Opened::Erased {
                erased_fields.push(label.to_owned());
            }
            *text = opened.into_text();
            Ok(())
        };
        for field in of_event_type(&self.aggregate_type, &self.event_type) {
            if let Some(Value::String(text)) = payload.pointer_mut(field.pointer) {
                open(text, field.label)?;
            }
        }
        if let Some(text) = metadata.get_mut(ACTOR_SUBJECT.label) {
            open(text, ACTOR_SUBJECT.label)?;
        }
        Ok(OpenedEvent {
            payload,
            metadata,
            erased_fields,
        })
    }
}

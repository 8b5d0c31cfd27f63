//! The histories of the aggregates this process read or wrote last, kept so that the next
//! command on one of them needs no read of the log.
//!
//! A kept history may be stale (another server may have appended since), but it is always a
//! true prefix of the log: events never change, and one is kept only as read from the log or
//! as extended by an append that committed right after it. A command decided on a stale
//! prefix cannot succeed unnoticed: its events take sequence numbers the log already holds,
//! and the append is refused. So a command run on a kept history is trusted only when it
//! appended events; any other outcome (a refusal, a conflict, nothing to append) is decided
//! again on the log (see [`crate::ledger::command_bus::CommandBus::execute`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cqrs_es::persist::SerializedEvent;

/// Histories kept at most; beyond, the memory starts afresh. A history costs a few
/// kilobytes per event as parsed JSON: some tens of megabytes at most.
const KEPT_HISTORIES: usize = 1_000;

/// An aggregate: its type and id.
type Key = (String, String);

#[derive(Clone, Default)]
pub struct RecentHistories {
    kept: Arc<Mutex<HashMap<Key, Vec<SerializedEvent>>>>,
}

impl RecentHistories {
    /// The kept history of the aggregate, if any.
    pub fn get(&self, aggregate_type: &str, aggregate_id: &str) -> Option<Vec<SerializedEvent>> {
        let kept = self.kept.lock().expect("recent histories lock");
        kept.get(&(aggregate_type.to_owned(), aggregate_id.to_owned()))
            .cloned()
    }

    /// Keeps `history`, as just read from the log.
    pub fn read(&self, aggregate_type: &str, aggregate_id: &str, history: &[SerializedEvent]) {
        let mut kept = self.kept.lock().expect("recent histories lock");
        if kept.len() >= KEPT_HISTORIES {
            kept.clear();
        }
        kept.insert(
            (aggregate_type.to_owned(), aggregate_id.to_owned()),
            history.to_vec(),
        );
    }

    /// Extends the kept history with `appended`, just committed; forgets it when it does not
    /// end right before them (it was replaced in between).
    pub fn appended(&self, aggregate_type: &str, aggregate_id: &str, appended: &[SerializedEvent]) {
        let Some(first) = appended.first() else {
            return;
        };
        let key = (aggregate_type.to_owned(), aggregate_id.to_owned());
        let mut kept = self.kept.lock().expect("recent histories lock");
        match kept.get_mut(&key) {
            Some(history) if history.len() + 1 == first.sequence => {
                history.extend_from_slice(appended)
            }
            Some(_) => {
                kept.remove(&key);
            }
            None => {}
        }
    }

    /// Forgets the aggregate's history: the next command on it reads the log.
    pub fn forget(&self, aggregate_type: &str, aggregate_id: &str) {
        let mut kept = self.kept.lock().expect("recent histories lock");
        kept.remove(&(aggregate_type.to_owned(), aggregate_id.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(sequence: usize) -> SerializedEvent {
        SerializedEvent {
            aggregate_id: "case".into(),
            sequence,
            aggregate_type: "PermitCase".into(),
            event_type: "E".into(),
            event_version: "1.0".into(),
            payload: serde_json::json!({}),
            metadata: serde_json::json!({}),
        }
    }

    #[test]
    fn an_append_extends_only_the_history_it_follows() {
        let histories = RecentHistories::default();
        histories.read("PermitCase", "case", &[event(1), event(2)]);
        histories.appended("PermitCase", "case", &[event(3)]);
        assert_eq!(histories.get("PermitCase", "case").unwrap().len(), 3);
        // An append that does not follow what is kept (another command's, read elsewhere)
        // makes the kept history unknown, not wrong.
        histories.appended("PermitCase", "case", &[event(7)]);
        assert_eq!(histories.get("PermitCase", "case"), None);
        histories.appended("PermitCase", "case", &[event(8)]);
        assert_eq!(histories.get("PermitCase", "case"), None);
    }
}

//! A case's view is folded from its events in order, one after the other; an event that does
//! not follow the view (a view older or newer than the event expects) is refused, never
//! folded into a wrong view.

mod common;

use common::lifecycle;
use projections::case_view::FoldError;
use projections::{CaseView, LoggedEvent};

const CASE: &str = "0196a0b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b";

/// The `sequence`th event of the case, at `position` in the log.
fn logged(position: i64, sequence: i64) -> LoggedEvent {
    let event = &lifecycle(1)[sequence as usize - 1];
    LoggedEvent {
        position,
        recorded_at: "2026-11-02T01:00:00.000000Z".into(),
        aggregate_type: "PermitCase".into(),
        aggregate_id: CASE.into(),
        sequence,
        event_type: cqrs_es::DomainEvent::event_type(event),
        event_version: "1.0".into(),
        payload: serde_json::to_string(event).unwrap(),
        metadata: "{}".into(),
    }
}

#[test]
fn events_in_sequence_fold_into_the_case() {
    let events: Vec<LoggedEvent> = (1..=4).map(|n| logged(10 + n, n)).collect();
    let view = CaseView::replay(&events).unwrap().unwrap();
    assert_eq!(view.version, 4);
    assert_eq!(view.status.as_str(), "issued");
}

#[test]
fn an_event_past_a_stale_view_is_refused() {
    let filed = CaseView::fold(None, &logged(1, 1)).unwrap();
    // The view stands at version 1; the event is the case's third: the second is missing.
    let error = CaseView::fold(Some(filed), &logged(3, 3)).unwrap_err();
    assert!(
        matches!(
            error,
            FoldError::OutOfSequence {
                position: 3,
                sequence: 3,
                version: 1,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn an_event_the_view_already_holds_is_refused() {
    let accepted = CaseView::replay(&[logged(1, 1), logged(2, 2)])
        .unwrap()
        .unwrap();
    let error = CaseView::fold(Some(accepted), &logged(2, 2)).unwrap_err();
    assert!(
        matches!(error, FoldError::OutOfSequence { version: 2, .. }),
        "{error}"
    );
}

#[test]
fn a_history_that_does_not_start_with_the_filing_is_refused() {
    let error = CaseView::fold(None, &logged(5, 2)).unwrap_err();
    assert!(
        matches!(error, FoldError::OutOfSequence { version: 0, .. }),
        "{error}"
    );
}

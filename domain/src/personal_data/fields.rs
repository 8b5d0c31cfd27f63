//! Which fields of the stored events are personal, and whose. Everything not listed here is
//! kept in clear: the enterprise name and credit code (public register data), products,
//! scopes, dates, deadlines, material digests, and the grounds of decisions (why a case was
//! refused, denied, withdrawn or revoked: a revocation's ground is published; why its clock
//! was suspended, with the written notice's reference, and why its limit was extended), the
//! questions and comments of online guidance, and declarations of a changed name or address
//! (statements about the enterprise's register data).
//!
//! | Event | Field | Whose |
//! |---|---|---|
//! | ApplicationFiled | `contact.person`, `contact.phone`, `commitment.signed_by` | the enterprise |
//! | GuidanceRequested | `contact.person`, `contact.phone` | the enterprise |
//! | ReviewRecorded | `findings` (free text about the enterprise's people and premises) | the enterprise |
//! | PostIssuanceCheckRecorded | `findings` (the same, found after issuance) | the enterprise |
//! | InspectionResultRecorded | `findings` (the same, found by a random inspection) | the enterprise |
//! | every event | metadata `actor_subject` (who sent the command) | the sender |
//!
//! `ReviewRecorded`'s `reviewer` is not sealed: it is the reviewing officer's pseudonym on
//! that one case, derived from the officer's key (`CaseCommand::officer_ref`), which names
//! nobody and, once the key is destroyed, cannot be linked to anyone.

use crate::permit_case::{CaseEvent, PermitCase};
use crate::personal_data::DataSubject;
use crate::publication::DailyPublication;

use super::SubjectErasure;

/// A personal field of a stored event: where it is in the event's JSON payload, and the name
/// it goes by in case views, errors and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalField {
    /// RFC 6901 pointer into the serialised payload.
    pub pointer: &'static str,
    pub label: &'static str,
}

/// The metadata entry naming who sent a command (its key is the label): personal to its
/// sender.
pub const ACTOR_SUBJECT: PersonalField = PersonalField {
    pointer: "/actor_subject",
    label: "actor_subject",
};

const FILED: &[PersonalField] = &[
    PersonalField {
        pointer: "/ApplicationFiled/contact/person",
        label: "contact.person",
    },
    PersonalField {
        pointer: "/ApplicationFiled/contact/phone",
        label: "contact.phone",
    },
    PersonalField {
        pointer: "/ApplicationFiled/commitment/signed_by",
        label: "commitment.signed_by",
    },
];

const GUIDED: &[PersonalField] = &[
    PersonalField {
        pointer: "/GuidanceRequested/contact/person",
        label: "contact.person",
    },
    PersonalField {
        pointer: "/GuidanceRequested/contact/phone",
        label: "contact.phone",
    },
];

const CHECKED: &[PersonalField] = &[PersonalField {
    pointer: "/PostIssuanceCheckRecorded/findings",
    label: "check.findings",
}];

const INSPECTED: &[PersonalField] = &[PersonalField {
    pointer: "/InspectionResultRecorded/findings",
    label: "inspection.findings",
}];

const REVIEWED: &[PersonalField] = &[PersonalField {
    pointer: "/ReviewRecorded/findings",
    label: "review.findings",
}];

/// Every personal field an event type may have, by aggregate and event type (what the log
/// records of each event), so that stored events can be read without decoding them.
pub fn of_event_type(aggregate_type: &str, event_type: &str) -> &'static [PersonalField] {
    match (aggregate_type, event_type) {
        ("PermitCase", "ApplicationFiled") => FILED,
        ("PermitCase", "GuidanceRequested") => GUIDED,
        ("PermitCase", "ReviewRecorded") => REVIEWED,
        ("PermitCase", "PostIssuanceCheckRecorded") => CHECKED,
        ("InspectionPlan", "InspectionResultRecorded") => INSPECTED,
        _ => &[],
    }
}

/// An aggregate whose events may hold personal fields: which, and whose they are.
pub trait PersonalFields: cqrs_es::Aggregate {
    /// The personal fields of `event`, about to be applied to `self`, and their subject; none
    /// for an event without any.
    /// The default: an aggregate without personal data.
    fn personal_fields(
        &self,
        _event: &Self::Event,
    ) -> Option<(DataSubject, &'static [PersonalField])> {
        None
    }
}

impl PersonalFields for PermitCase {
    fn personal_fields(
        &self,
        event: &CaseEvent,
    ) -> Option<(DataSubject, &'static [PersonalField])> {
        let fields = of_event_type(
            <PermitCase as cqrs_es::Aggregate>::TYPE,
            &cqrs_es::DomainEvent::event_type(event),
        );
        if fields.is_empty() {
            return None;
        }
        let enterprise = match event {
            CaseEvent::ApplicationFiled { credit_code, .. }
            | CaseEvent::GuidanceRequested { credit_code, .. } => credit_code.clone(),
            _ => self.credit_code()?.clone(),
        };
        Some((DataSubject::Enterprise(enterprise), fields))
    }
}

impl PersonalFields for DailyPublication {}

impl PersonalFields for crate::inspection::InspectionPlan {
    fn personal_fields(
        &self,
        event: &crate::inspection::InspectionEvent,
    ) -> Option<(DataSubject, &'static [PersonalField])> {
        match event {
            crate::inspection::InspectionEvent::InspectionResultRecorded {
                credit_code, ..
            } => Some((DataSubject::Enterprise(credit_code.clone()), INSPECTED)),
            _ => None,
        }
    }
}

impl PersonalFields for crate::credit_record::CreditRecord {}

impl PersonalFields for SubjectErasure {}

//! Personal information in the log, and its erasure (PIPL art. 47: deleted when its purpose is
//! achieved or its retention period ends). What is personal is decided here, field by field
//! ([`fields`]); whose it is ([`DataSubject`]); and the erasure of a subject, once
//! ([`SubjectErasure`]). How personal fields are stored (encrypted under a key per subject,
//! destroyed on erasure) is the store's business, not the domain's.

mod erasure;
pub mod fields;
mod subject;

pub use erasure::{EraseSubject, ErasureBasis, ErasureError, ErasureEvent, SubjectErasure};
pub use fields::{PersonalField, PersonalFields, ACTOR_SUBJECT};
pub use subject::{DataSubject, DataSubjectError, SubjectKind};

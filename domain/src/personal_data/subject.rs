//! Whose personal information a field is: an enterprise's people (its contacts, its signer, its
//! applicants' accounts) by its credit code; an officer or an auditor by the subject of their
//! token. One key per subject; erasing a subject erases all of it at once.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::values::CreditCode;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataSubject {
    /// The people of an enterprise: contact persons, phone numbers, commitment signers, its
    /// applicants' accounts, and what the bureau wrote about it in review findings.
    Enterprise(CreditCode),
    /// An officer, by token subject: who did each step of a case.
    Officer(String),
    /// An auditor, by token subject.
    Auditor(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataSubjectError {
    #[error(
        "a data subject is enterprise:CREDIT-CODE, officer:SUBJECT or auditor:SUBJECT, not {0:?}"
    )]
    Malformed(String),
    #[error("enterprise:{0}: {1}")]
    CreditCode(String, String),
}

impl DataSubject {
    /// Whose the personal information of a command's sender is: an applicant's is its
    /// enterprise's; the ledger itself is nobody.
    pub fn of_actor(actor: &Actor) -> Option<DataSubject> {
        match actor {
            Actor::Applicant { credit_code, .. } => {
                Some(DataSubject::Enterprise(credit_code.clone()))
            }
            Actor::Officer { subject, .. } => Some(DataSubject::Officer(subject.clone())),
            Actor::Auditor { subject } => Some(DataSubject::Auditor(subject.clone())),
            Actor::System => None,
        }
    }

    /// The kind of subject, which an erasure event records in clear.
    pub fn kind(&self) -> SubjectKind {
        match self {
            DataSubject::Enterprise(_) => SubjectKind::Enterprise,
            DataSubject::Officer(_) => SubjectKind::Officer,
            DataSubject::Auditor(_) => SubjectKind::Auditor,
        }
    }

    /// The enterprise's credit code: public register data, unlike the other subjects' names.
    pub fn credit_code(&self) -> Option<&CreditCode> {
        match self {
            DataSubject::Enterprise(code) => Some(code),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Enterprise,
    Officer,
    Auditor,
}

impl fmt::Display for DataSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataSubject::Enterprise(code) => write!(f, "enterprise:{code}"),
            DataSubject::Officer(subject) => write!(f, "officer:{subject}"),
            DataSubject::Auditor(subject) => write!(f, "auditor:{subject}"),
        }
    }
}

impl FromStr for DataSubject {
    type Err = DataSubjectError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || DataSubjectError::Malformed(text.to_owned());
        let (kind, name) = text.split_once(':').ok_or_else(malformed)?;
        if name.is_empty() {
            return Err(malformed());
        }
        match kind {
            "enterprise" => CreditCode::parse(name)
                .map(DataSubject::Enterprise)
                .map_err(|e| DataSubjectError::CreditCode(name.to_owned(), e.to_string())),
            "officer" => Ok(DataSubject::Officer(name.to_owned())),
            "auditor" => Ok(DataSubject::Auditor(name.to_owned())),
            _ => Err(malformed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_reads_back_as_written() {
        for text in [
            "enterprise:91350100M000100Y43",
            "officer:li.na",
            "auditor:a:b",
        ] {
            assert_eq!(text.parse::<DataSubject>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn a_malformed_subject_is_refused() {
        for text in ["", "officer:", "citizen:x", "enterprise:123", "li.na"] {
            assert!(text.parse::<DataSubject>().is_err(), "{text}");
        }
    }
}

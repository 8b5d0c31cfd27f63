//! Who sends a command: decided by the api from a verified token, checked by the aggregate.

use serde::{Deserialize, Serialize};

use crate::values::{BureauCode, CreditCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// Looks at an enterprise's draft and its electronic materials before it files, and
    /// comments on them online.
    Guide,
    /// Receives applications, asks for corrections, accepts or refuses to accept.
    Acceptor,
    /// Examines accepted applications and records findings.
    Reviewer,
    /// Decides: approves or denies, issues and revokes permits.
    Approver,
    /// Sends certificates by express and confirms their delivery.
    Dispatcher,
    /// Checks permits after issuance (those issued on a commitment) and inspects.
    Inspector,
}

impl Post {
    pub fn as_str(self) -> &'static str {
        match self {
            Post::Guide => "guide",
            Post::Acceptor => "acceptor",
            Post::Reviewer => "reviewer",
            Post::Approver => "approver",
            Post::Dispatcher => "dispatcher",
            Post::Inspector => "inspector",
        }
    }
}

/// The verified identity behind a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Actor {
    Applicant {
        subject: String,
        credit_code: CreditCode,
    },
    Officer {
        subject: String,
        bureau: BureauCode,
        post: Post,
    },
    Auditor {
        subject: String,
    },
    /// The ledger itself, acting from its clock (a permit's expiry): no token names it.
    System,
}

impl Actor {
    pub fn subject(&self) -> &str {
        match self {
            Actor::Applicant { subject, .. }
            | Actor::Officer { subject, .. }
            | Actor::Auditor { subject } => subject,
            Actor::System => "ledger",
        }
    }

    /// Who sends, as one text, role and subject (`officer:SUBJECT`): what a sender's
    /// allowances and idempotency keys are kept under.
    pub fn sender(&self) -> String {
        format!("{}:{}", self.role(), self.subject())
    }

    /// Whether this actor may read a case of `bureau` filed by `credit_code`: applicants their
    /// own cases; officers the cases of their area (a province sees its cities', a county its
    /// city's: every level sees the same permit information); auditors everything.
    pub fn may_read_case(&self, bureau: &BureauCode, credit_code: &CreditCode) -> bool {
        match self {
            Actor::Applicant {
                credit_code: own, ..
            } => own == credit_code,
            Actor::Officer { bureau: own, .. } => own.contains(bureau) || bureau.contains(own),
            Actor::Auditor { .. } | Actor::System => true,
        }
    }

    pub fn role(&self) -> &'static str {
        match self {
            Actor::Applicant { .. } => "applicant",
            Actor::Officer { .. } => "officer",
            Actor::Auditor { .. } => "auditor",
            Actor::System => "system",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jinan() -> BureauCode {
        BureauCode::parse("370100").unwrap()
    }

    fn enterprise() -> CreditCode {
        CreditCode::with_check_character("91370102MA3C4F5G6").unwrap()
    }

    fn officer(bureau: &str) -> Actor {
        Actor::Officer {
            subject: "o".into(),
            bureau: BureauCode::parse(bureau).unwrap(),
            post: Post::Reviewer,
        }
    }

    #[test]
    fn officers_read_the_cases_of_their_area_only() {
        assert!(officer("370100").may_read_case(&jinan(), &enterprise()));
        assert!(
            officer("370000").may_read_case(&jinan(), &enterprise()),
            "province"
        );
        assert!(
            officer("370102").may_read_case(&jinan(), &enterprise()),
            "county of the city"
        );
        assert!(
            !officer("370200").may_read_case(&jinan(), &enterprise()),
            "another city"
        );
    }

    #[test]
    fn applicants_read_their_own_cases_only() {
        let own = Actor::Applicant {
            subject: "a".into(),
            credit_code: enterprise(),
        };
        let other = Actor::Applicant {
            subject: "b".into(),
            credit_code: CreditCode::with_check_character("91370102MA3C4F5H7").unwrap(),
        };
        assert!(own.may_read_case(&jinan(), &enterprise()));
        assert!(!other.may_read_case(&jinan(), &enterprise()));
        assert!(Actor::Auditor {
            subject: "x".into()
        }
        .may_read_case(&jinan(), &enterprise()));
    }
}

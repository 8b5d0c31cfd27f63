//! Who sends a command: decided by the api from a verified token, checked by the aggregate.

use serde::{Deserialize, Serialize};

use crate::values::{BureauCode, CreditCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// Receives applications, asks for corrections, accepts or refuses to accept.
    Acceptor,
    /// Examines accepted applications and records findings.
    Reviewer,
    /// Decides: approves or denies, issues and revokes permits.
    Approver,
    /// Sends certificates by express and confirms their delivery.
    Dispatcher,
}

impl Post {
    pub fn as_str(self) -> &'static str {
        match self {
            Post::Acceptor => "acceptor",
            Post::Reviewer => "reviewer",
            Post::Approver => "approver",
            Post::Dispatcher => "dispatcher",
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
}

impl Actor {
    pub fn subject(&self) -> &str {
        match self {
            Actor::Applicant { subject, .. }
            | Actor::Officer { subject, .. }
            | Actor::Auditor { subject } => subject,
        }
    }

    pub fn role(&self) -> &'static str {
        match self {
            Actor::Applicant { .. } => "applicant",
            Actor::Officer { .. } => "officer",
            Actor::Auditor { .. } => "auditor",
        }
    }
}

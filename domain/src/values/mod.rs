//! Typed values parsed at the boundary: once one exists, it is valid.

mod bureau_code;
mod case_id;
mod credit_code;
mod item_code;
mod material_digest;
mod permit_number;

pub use bureau_code::{BureauCode, BureauLevel};
pub use case_id::CaseId;
pub use credit_code::CreditCode;
pub use item_code::ItemCode;
pub use material_digest::MaterialDigest;
pub use permit_number::PermitNumber;

/// Why a value failed to parse: the value's name and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {value}: {rule}")]
pub struct InvalidValue {
    pub value: &'static str,
    pub rule: String,
}

impl InvalidValue {
    pub(crate) fn new(value: &'static str, rule: impl Into<String>) -> Self {
        Self {
            value,
            rule: rule.into(),
        }
    }
}

/// Implements `Display`, `AsRef<str>`, `FromStr`, `TryFrom<String>` and `From<T> for String`
/// for a string newtype whose `parse` validates, so serde can use `try_from`/`into`.
macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::values::InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $name {
            type Error = $crate::values::InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}
pub(crate) use string_value;

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

/// Implements `Display`, `AsRef<str>`, `FromStr`, `TryFrom<String>`, `From<T> for String`
/// and serde for a string newtype whose `parse` validates. Serde writes the value as a plain
/// string and reads one through `parse`, borrowing the input where it can: no intermediate
/// `String` either way (serde's `try_from`/`into` made one per value each way, and case
/// views and events hold many values).
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
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::values::ParsingVisitor($name::parse))
            }
        }
    };
}
pub(crate) use string_value;

/// Reads a value from a string, borrowed or not, through its `parse`; a refusal is serde's
/// custom error with the value's rule, as `try_from` gave.
pub(crate) struct ParsingVisitor<T>(pub(crate) fn(&str) -> Result<T, InvalidValue>);

impl<T> serde::de::Visitor<'_> for ParsingVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
        (self.0)(s).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_plain_strings_and_read_back_through_parse() {
        let digest = MaterialDigest::parse(&"AB".repeat(32)).unwrap();
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        // Read from text (borrowed), from text with an escape (copied) and from a JSON value.
        assert_eq!(
            serde_json::from_str::<MaterialDigest>(&json).unwrap(),
            digest
        );
        let escaped = format!("\"\\u0061\\u0062{}\"", "ab".repeat(31));
        assert_eq!(
            serde_json::from_str::<MaterialDigest>(&escaped).unwrap(),
            digest
        );
        let value = serde_json::Value::String(format!("sha256:{}", "AB".repeat(32)));
        assert_eq!(
            serde_json::from_value::<MaterialDigest>(value).unwrap(),
            digest
        );
    }

    #[test]
    fn a_string_that_does_not_parse_is_refused_with_the_rule_it_broke() {
        let error = serde_json::from_str::<CaseId>("\"not-a-uuid\"").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("invalid case id: must be a UUID"),
            "{error}"
        );
        let error = serde_json::from_str::<ItemCode>("17").unwrap_err();
        assert!(error.to_string().contains("expected a string"), "{error}");
    }
}

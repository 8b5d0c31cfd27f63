use super::{string_value, InvalidValue};

/// The SHA-256 digest of an electronic material, as 64 lower-case hex digits. Materials are
/// identified by content: the ledger never holds the documents themselves.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MaterialDigest(String);

impl MaterialDigest {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let hex = input.trim();
        let hex = hex
            .strip_prefix("sha256:")
            .unwrap_or(hex)
            .to_ascii_lowercase();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(InvalidValue::new(
                "material digest",
                "must be a SHA-256 digest: 64 hex digits",
            ));
        }
        Ok(Self(hex))
    }
}

string_value!(MaterialDigest);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_normalised_to_lower_case_hex() {
        let d = MaterialDigest::parse(&format!("sha256:{}", "AB".repeat(32))).unwrap();
        assert_eq!(d.as_str(), "ab".repeat(32));
        assert!(MaterialDigest::parse("abc").is_err());
        assert!(MaterialDigest::parse(&"zz".repeat(32)).is_err());
    }
}

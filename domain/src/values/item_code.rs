use super::{string_value, InvalidValue};

/// A catalogue item's code: two capital letters, a hyphen, three digits (`TS-001`).
/// Whether the item exists is the catalogue's question, not the code's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemCode(String);

impl ItemCode {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim().to_ascii_uppercase();
        let b = code.as_bytes();
        let shape_ok = b.len() == 6
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2] == b'-'
            && b[3..].iter().all(u8::is_ascii_digit);
        if !shape_ok {
            return Err(InvalidValue::new("item code", "must look like TS-001"));
        }
        Ok(Self(code))
    }
}

string_value!(ItemCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_are_upper_cased() {
        assert_eq!(ItemCode::parse("ts-001").unwrap().as_str(), "TS-001");
        assert!(ItemCode::parse("TS001").is_err());
        assert!(ItemCode::parse("T1-001").is_err());
    }
}

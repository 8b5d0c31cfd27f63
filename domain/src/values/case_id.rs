use super::{string_value, InvalidValue};

/// A case's identifier: a UUID in its hyphenated lower-case form. The api mints version 7
/// UUIDs, so ids sort by filing time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId(String);

impl CaseId {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let id = input.trim().to_ascii_lowercase();
        let groups: Vec<&str> = id.split('-').collect();
        let shape_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups
                .iter()
                .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
        if !shape_ok {
            return Err(InvalidValue::new(
                "case id",
                "must be a UUID like 0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8e",
            ));
        }
        Ok(Self(id))
    }
}

string_value!(CaseId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_parse_and_are_lower_cased() {
        let id = CaseId::parse("0192F0C1-7E6A-7B3C-9D2E-3F4A5B6C7D8E").unwrap();
        assert_eq!(id.as_str(), "0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8e");
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "",
            "abc",
            "0192f0c1-7e6a-7b3c-9d2e-3f4a5b6c7d8",
            "0192f0c1x7e6a-7b3c-9d2e-3f4a5b6c7d8e",
        ] {
            assert!(CaseId::parse(bad).is_err(), "{bad} accepted");
        }
    }
}

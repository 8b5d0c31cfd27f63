use serde::{Deserialize, Serialize};

use super::{string_value, InvalidValue};

/// A bureau, named by the six-digit administrative division it serves (GB/T 2260):
/// `PP0000` a province, `PPCC00` a city, anything else a county or district.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BureauCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BureauLevel {
    Province,
    City,
    County,
}

impl BureauCode {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new("bureau code", "must be six digits"));
        }
        if code.starts_with("00") || &code[2..4] == "00" && &code[4..] != "00" {
            return Err(InvalidValue::new(
                "bureau code",
                "not an administrative division (province 00 or county under no city)",
            ));
        }
        Ok(Self(code.to_owned()))
    }

    pub fn level(&self) -> BureauLevel {
        match (&self.0[2..4], &self.0[4..]) {
            ("00", _) => BureauLevel::Province,
            (_, "00") => BureauLevel::City,
            _ => BureauLevel::County,
        }
    }

    pub fn province(&self) -> BureauCode {
        Self(format!("{}0000", &self.0[..2]))
    }

    /// The city a county belongs to; a city is its own city; a province has none.
    pub fn city(&self) -> Option<BureauCode> {
        match self.level() {
            BureauLevel::Province => None,
            _ => Some(Self(format!("{}00", &self.0[..4]))),
        }
    }

    /// Whether `other` lies within this bureau's area (a bureau contains itself).
    pub fn contains(&self, other: &BureauCode) -> bool {
        match self.level() {
            BureauLevel::Province => self.0[..2] == other.0[..2],
            BureauLevel::City => self.0[..4] == other.0[..4],
            BureauLevel::County => self == other,
        }
    }
}

string_value!(BureauCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_division_code() {
        assert_eq!(
            BureauCode::parse("370000").unwrap().level(),
            BureauLevel::Province
        );
        assert_eq!(
            BureauCode::parse("370100").unwrap().level(),
            BureauLevel::City
        );
        assert_eq!(
            BureauCode::parse("370102").unwrap().level(),
            BureauLevel::County
        );
    }

    #[test]
    fn a_county_lies_in_its_city_and_province() {
        let county = BureauCode::parse("370102").unwrap();
        assert_eq!(county.city().unwrap().as_str(), "370100");
        assert!(BureauCode::parse("370000").unwrap().contains(&county));
        assert!(BureauCode::parse("370100").unwrap().contains(&county));
        assert!(!BureauCode::parse("370200").unwrap().contains(&county));
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["37010", "3701000", "37A100", "000100", "370001", ""] {
            assert!(BureauCode::parse(bad).is_err(), "{bad} accepted");
        }
    }
}

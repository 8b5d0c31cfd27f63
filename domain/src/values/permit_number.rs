use super::{string_value, BureauCode, InvalidValue};

/// A permit's number: `{item code}-{issuing bureau}-{year}-{serial}`, e.g.
/// `XK-001-370100-2026-00017`. Serials count per bureau and year, so numbers are unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermitNumber(String);

impl PermitNumber {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let number = input.trim().to_ascii_uppercase();
        let parts: Vec<&str> = number.split('-').collect();
        let invalid = || {
            InvalidValue::new(
                "permit number",
                "must look like XK-001-370100-2026-00017 (item, bureau, year, serial)",
            )
        };
        let [prefix, item, bureau, year, serial] = parts[..] else {
            return Err(invalid());
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        if !digits(item, 3) || !digits(year, 4) || !digits(serial, Self::SERIAL_DIGITS) {
            return Err(invalid());
        }
        BureauCode::parse(bureau).map_err(|_| invalid())?;
        Ok(Self(number))
    }

    /// Builds the number for the `serial`-th permit a bureau issues in `year`.
    pub fn compose(
        item: &super::ItemCode,
        bureau: &BureauCode,
        year: i32,
        serial: u32,
    ) -> Result<Self, InvalidValue> {
        Self::parse(&format!(
            "{}{serial:0width$}",
            Self::prefix(item, bureau, year),
            width = Self::SERIAL_DIGITS
        ))
    }

    /// How many digits a serial has: a bureau numbers at most 99,999 permits a year.
    pub const SERIAL_DIGITS: usize = 5;

    /// What every number of a bureau's `year` starts with: all of it but the serial.
    pub fn prefix(item: &super::ItemCode, bureau: &BureauCode, year: i32) -> String {
        format!("{item}-{bureau}-{year:04}-")
    }
}

string_value!(PermitNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::ItemCode;

    #[test]
    fn composed_numbers_parse_back() {
        let n = PermitNumber::compose(
            &ItemCode::parse("XK-001").unwrap(),
            &BureauCode::parse("370100").unwrap(),
            2026,
            17,
        )
        .unwrap();
        assert_eq!(n.as_str(), "XK-001-370100-2026-00017");
        assert_eq!(PermitNumber::parse(n.as_str()).unwrap(), n);
    }

    #[test]
    fn a_sixth_serial_digit_is_refused() {
        let (item, bureau) = (
            ItemCode::parse("XK-001").unwrap(),
            BureauCode::parse("370100").unwrap(),
        );
        assert!(PermitNumber::compose(&item, &bureau, 2026, 99_999).is_ok());
        assert!(PermitNumber::compose(&item, &bureau, 2026, 100_000).is_err());
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "XK-001-370100-2026",
            "XK-001-370100-26-00017",
            "X1-001-370100-2026-00017",
        ] {
            assert!(PermitNumber::parse(bad).is_err(), "{bad} accepted");
        }
    }
}

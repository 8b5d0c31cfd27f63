use super::{string_value, BureauCode, InvalidValue};

/// The 31 characters a unified social credit code may use (GB 32100-2015): digits and capital
/// letters without I, O, S, V and Z. A character's index is its numeric value.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1-17: 3^(i) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An enterprise's 18-character unified social credit code, check character verified.
///
/// Characters 3-8 are the administrative division where the enterprise is registered, which is
/// what routes its cases to a city bureau: a code whose characters 3-8 name no division is
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String, BureauCode);

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim().to_ascii_uppercase();
        let invalid = |rule: &str| InvalidValue::new("unified social credit code", rule);
        if code.chars().count() != 18 {
            return Err(invalid("must be 18 characters"));
        }
        let values: Vec<u32> = code
            .bytes()
            .map(|b| ALPHABET.iter().position(|&a| a == b).map(|p| p as u32))
            .collect::<Option<_>>()
            .ok_or_else(|| invalid("only digits and capital letters except I, O, S, V, Z"))?;
        let division = BureauCode::parse(&code[2..8]).map_err(|_| {
            invalid("characters 3-8 must be an administrative division code (GB/T 2260)")
        })?;
        if values[17] != check_value(&values[..17]) {
            return Err(invalid("check character does not match (GB 32100-2015)"));
        }
        Ok(Self(code, division))
    }

    /// The six-digit administrative division of registration (characters 3-8).
    pub fn registration_division(&self) -> BureauCode {
        self.1.clone()
    }

    /// Appends the check character to a 17-character body; for tests and sample data.
    pub fn with_check_character(body: &str) -> Result<Self, InvalidValue> {
        let values: Vec<u32> = body
            .bytes()
            .map(|b| ALPHABET.iter().position(|&a| a == b).map(|p| p as u32))
            .collect::<Option<_>>()
            .filter(|v: &Vec<u32>| v.len() == 17)
            .ok_or_else(|| {
                InvalidValue::new(
                    "unified social credit code",
                    "body must be 17 valid characters",
                )
            })?;
        let check = ALPHABET[check_value(&values) as usize] as char;
        Self::parse(&format!("{body}{check}"))
    }
}

fn check_value(body: &[u32]) -> u32 {
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

string_value!(CreditCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_standards_worked_example() {
        // The example printed in GB 32100-2015 and in most descriptions of it.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn lower_case_is_normalised() {
        let code = CreditCode::parse("91350100m000100y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert!(err.rule.contains("check character"));
    }

    #[test]
    fn forbidden_letters_and_lengths_are_refused() {
        assert!(CreditCode::parse("91350100M000100I43").is_err());
        assert!(CreditCode::parse("91350100M000100Y4").is_err());
        assert!(CreditCode::parse("9135010AM000100Y43").is_err());
    }

    #[test]
    fn characters_three_to_eight_must_name_an_administrative_division() {
        // Six digits, but no division: none under no province, a county under no city.
        for body in ["91000000PR0BE0000", "91370001PR0BE0000"] {
            let err = CreditCode::with_check_character(body).unwrap_err();
            assert!(
                err.rule.contains("administrative division"),
                "{body}: {err}"
            );
        }
        let err = CreditCode::parse("9137A102MA3C4F5G6X").unwrap_err();
        assert!(err.rule.contains("administrative division"), "{err}");
    }

    #[test]
    fn the_registration_division_is_characters_three_to_eight() {
        let code = CreditCode::with_check_character("91370102MA3C4F5G6").unwrap();
        assert_eq!(code.registration_division().as_str(), "370102");
    }

    #[test]
    fn every_single_character_change_is_detected() {
        let good = "91350100M000100Y43";
        for position in 0..18 {
            for &replacement in ALPHABET {
                let mut bytes = good.as_bytes().to_vec();
                if bytes[position] == replacement {
                    continue;
                }
                bytes[position] = replacement;
                let changed = String::from_utf8(bytes).unwrap();
                assert!(CreditCode::parse(&changed).is_err(), "{changed} accepted");
            }
        }
    }
}

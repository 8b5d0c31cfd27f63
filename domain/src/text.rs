//! Free text in commands: every name, scope, reason, finding, courier and tracking number a
//! sender writes is kept as it is published, in feeds, archives and proofs that never change,
//! so it is admitted only if any reader can render it. One [`TextKind`] per kind of field,
//! each with a length limit and a character rule:
//!
//! - NFC-normalised and trimmed; empty text is no text;
//! - no C0 or C1 control character (XML 1.0 forbids them outright: escaping does not help),
//!   except line feed, carriage return and tab in the kinds that allow several lines;
//! - no noncharacter (U+FFFE, U+FFFF and the other 64), no byte order mark inside text;
//! - no bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which
//!   let a name display as another;
//! - at most [`TextKind::max_chars`] characters.

use unicode_normalization::UnicodeNormalization;

/// The kinds of free text, each with its limit and whether it may run over several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// An enterprise's, product's, process's, material's or person's name.
    Name,
    /// A contact's phone number.
    Phone,
    /// The scope a permit is issued for.
    Scope,
    /// Why an officer or applicant did something, or what must be corrected.
    Reason,
    /// A review's findings.
    Findings,
    /// The applicant's signed commitment.
    Statement,
    /// The express courier that carries a certificate.
    Courier,
    /// The courier's tracking number.
    TrackingNumber,
}

/// Why a text was not admitted; `rule()` names the rule for clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextRefusal {
    #[error("must not be empty")]
    Empty,
    #[error("is {found} characters long; at most {max} are allowed")]
    TooLong { max: usize, found: usize },
    #[error("holds the control character U+{code:04X} at character {at}")]
    ControlCharacter { code: u32, at: usize },
    #[error("holds the noncharacter U+{code:04X} at character {at}")]
    Noncharacter { code: u32, at: usize },
    #[error("holds the bidirectional control U+{code:04X} at character {at}")]
    BidiControl { code: u32, at: usize },
}

impl TextRefusal {
    /// A stable, kebab-case name of the rule.
    pub fn rule(&self) -> &'static str {
        match self {
            TextRefusal::Empty => "text-empty",
            TextRefusal::TooLong { .. } => "text-too-long",
            TextRefusal::ControlCharacter { .. } => "text-control-character",
            TextRefusal::Noncharacter { .. } => "text-noncharacter",
            TextRefusal::BidiControl { .. } => "text-bidi-control",
        }
    }
}

impl TextKind {
    /// The most characters a text of this kind may have.
    pub const fn max_chars(self) -> usize {
        match self {
            TextKind::Name => 200,
            TextKind::Phone => 32,
            TextKind::Scope => 500,
            TextKind::Reason => 2_000,
            TextKind::Findings => 10_000,
            TextKind::Statement => 4_000,
            TextKind::Courier => 100,
            TextKind::TrackingNumber => 64,
        }
    }

    /// Whether line breaks and tabs are allowed.
    pub const fn multiline(self) -> bool {
        matches!(
            self,
            TextKind::Reason | TextKind::Findings | TextKind::Statement
        )
    }

    /// `text` as the ledger keeps it (NFC, trimmed), or the rule it breaks.
    pub fn admit(self, text: &str) -> Result<String, TextRefusal> {
        let normalised: String = text.nfc().collect();
        let kept = normalised.trim();
        if kept.is_empty() {
            return Err(TextRefusal::Empty);
        }
        let mut count = 0;
        for (index, c) in kept.chars().enumerate() {
            let (code, at) = (u32::from(c), index + 1);
            if c.is_control() && !(self.multiline() && matches!(c, '\n' | '\r' | '\t')) {
                return Err(TextRefusal::ControlCharacter { code, at });
            }
            if is_noncharacter(code) || c == '\u{FEFF}' {
                return Err(TextRefusal::Noncharacter { code, at });
            }
            if matches!(code, 0x202A..=0x202E | 0x2066..=0x2069) {
                return Err(TextRefusal::BidiControl { code, at });
            }
            count = at;
        }
        if count > self.max_chars() {
            return Err(TextRefusal::TooLong {
                max: self.max_chars(),
                found: count,
            });
        }
        Ok(kept.to_owned())
    }
}

/// The 66 noncharacters: U+FDD0-U+FDEF and the last two code points of every plane.
fn is_noncharacter(code: u32) -> bool {
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_normalised_and_trimmed() {
        // "é" as e and a combining acute accent becomes the one precomposed character.
        assert_eq!(
            TextKind::Name.admit("  Caf\u{65}\u{301} "),
            Ok("Café".into())
        );
        assert_eq!(
            TextKind::Name.admit("济南恒力化工有限公司"),
            Ok("济南恒力化工有限公司".into())
        );
        assert_eq!(TextKind::Name.admit(" \t "), Err(TextRefusal::Empty));
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_where_a_kind_allows_them() {
        let refused = TextKind::Name.admit("恶意\u{8}企业").unwrap_err();
        assert_eq!(refused, TextRefusal::ControlCharacter { code: 8, at: 3 });
        assert_eq!(refused.rule(), "text-control-character");
        assert!(TextKind::Name.admit("a\u{0}b").is_err());
        assert!(TextKind::Name.admit("a\u{85}b").is_err(), "C1 too");
        assert!(TextKind::Name.admit("a\nb").is_err());
        assert_eq!(TextKind::Reason.admit("a\r\n\tb"), Ok("a\r\n\tb".into()));
        assert!(TextKind::Reason.admit("a\u{7f}b").is_err());
    }

    #[test]
    fn noncharacters_byte_order_marks_and_bidi_controls_are_refused() {
        for (text, rule) in [
            ("企业\u{FFFE}", "text-noncharacter"),
            ("企业\u{FFFF}", "text-noncharacter"),
            ("企业\u{FDD0}", "text-noncharacter"),
            ("企业\u{10FFFF}", "text-noncharacter"),
            ("企\u{FEFF}业", "text-noncharacter"),
            ("企业\u{202E}司公", "text-bidi-control"),
            ("企业\u{2066}x", "text-bidi-control"),
        ] {
            assert_eq!(
                TextKind::Name.admit(text).unwrap_err().rule(),
                rule,
                "{text:?}"
            );
        }
    }

    #[test]
    fn each_kind_has_its_length_limit_in_characters_not_bytes() {
        let longest = "企".repeat(TextKind::Name.max_chars());
        assert_eq!(TextKind::Name.admit(&longest), Ok(longest.clone()));
        let refused = TextKind::Name.admit(&format!("{longest}业")).unwrap_err();
        assert_eq!(
            refused,
            TextRefusal::TooLong {
                max: 200,
                found: 201
            }
        );
        assert!(TextKind::TrackingNumber.admit(&"1".repeat(65)).is_err());
        assert!(TextKind::Findings.admit(&"符".repeat(10_000)).is_ok());
    }
}

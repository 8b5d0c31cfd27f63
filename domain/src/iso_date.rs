//! Calendar dates as ISO 8601 text (`2026-11-02`) in serde, for `#[serde(with = ...)]`.
//!
//! The text is chrono's, both ways: a date of the years 0 to 9999 is written as
//! `YYYY-MM-DD` by hand, anything else by chrono; `YYYY-MM-DD` text is read by hand, anything
//! else (and an impossible date, with chrono's message) by chrono. chrono's general formatter
//! and parser went through a format-item interpreter per date and took about 7% of this
//! process's CPU in a rebuild of the projections (a view has a dozen dates), so the types that
//! a rebuild writes and reads by the million (case events, deadlines, case views, notices)
//! use this.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{de, Deserializer, Serializer};

/// What a date that is not a string is refused with (chrono's words).
const EXPECTING: &str = "a formatted date string";

/// `date` as chrono writes it, `YYYY-MM-DD` for the years 0 to 9999, into `buffer`; None for
/// other years.
fn written(date: NaiveDate, buffer: &mut [u8; 10]) -> Option<&str> {
    let year = u32::try_from(date.year())
        .ok()
        .filter(|year| *year <= 9999)?;
    let digits = |buffer: &mut [u8], mut value: u32| {
        for place in buffer.iter_mut().rev() {
            *place = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    digits(&mut buffer[0..4], year);
    buffer[4] = b'-';
    digits(&mut buffer[5..7], date.month());
    buffer[7] = b'-';
    digits(&mut buffer[8..10], date.day());
    std::str::from_utf8(buffer).ok()
}

/// The date `text` holds, as chrono's `NaiveDate::from_str` reads it.
pub fn parse(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0u32, |value, byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        if let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) {
            if let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day) {
                return Ok(date);
            }
        }
    }
    text.parse()
}

pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    match written(*date, &mut [0; 10]) {
        Some(text) => serializer.serialize_str(text),
        None => serializer.collect_str(date),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    deserializer.deserialize_str(DateVisitor)
}

struct DateVisitor;

impl de::Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        parse(text).map_err(E::custom)
    }
}

/// The same for an optional date (`null` for none); give the field `#[serde(default)]` too,
/// so that a missing field is none, as it is for an `Option` without `with`.
pub mod option {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Date(#[serde(with = "super")] NaiveDate);

    pub fn serialize<S: Serializer>(
        date: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        date.map(Date).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        Ok(Option::<Date>::deserialize(deserializer)?.map(|Date(date)| date))
    }
}

/// `date` as text, `YYYY-MM-DD` (what `date.to_string()` gives, without chrono's formatter).
pub fn text(date: NaiveDate) -> String {
    match written(date, &mut [0; 10]) {
        Some(text) => text.to_owned(),
        None => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(with = "super")]
        on: NaiveDate,
        #[serde(default, with = "super::option")]
        until: Option<NaiveDate>,
    }

    /// The same fields with chrono's own serde.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct ChronoDated {
        on: NaiveDate,
        until: Option<NaiveDate>,
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
    }

    proptest! {
        #[test]
        fn dates_are_written_and_read_as_chrono_writes_and_reads_them(
            on in any_date(),
            until in proptest::option::of(any_date()),
        ) {
            let ours = serde_json::to_string(&Dated { on, until }).unwrap();
            let chronos = serde_json::to_string(&ChronoDated { on, until }).unwrap();
            prop_assert_eq!(&ours, &chronos);
            prop_assert_eq!(text(on), on.to_string());
            let read: Dated = serde_json::from_str(&chronos).unwrap();
            prop_assert_eq!(read, Dated { on, until });
        }

        #[test]
        fn any_text_is_read_as_chrono_reads_it(text in "[0-9 +-]{0,12}|[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            prop_assert_eq!(parse(&text), text.parse::<NaiveDate>());
        }
    }

    #[test]
    fn odd_impossible_and_malformed_dates_are_read_or_refused_as_chrono_does() {
        let texts = [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "2026/01/01",
            "",
            "+2026-01-01",
            " 2026-01-01",
            "２０２６-01-01",
            "99999-01-01",
        ];
        for json in texts
            .iter()
            .map(|text| format!(r#"{{"on":"{text}","until":null}}"#))
            .chain([r#"{"on":20260101,"until":null}"#.to_owned()])
        {
            let ours = serde_json::from_str::<Dated>(&json)
                .map(|d| d.on)
                .map_err(|e| e.to_string());
            let chronos = serde_json::from_str::<ChronoDated>(&json)
                .map(|d| d.on)
                .map_err(|e| e.to_string());
            assert_eq!(ours, chronos, "{json}");
        }
        assert!(serde_json::from_str::<Dated>(r#"{"on":"2026-02-30"}"#).is_err());
    }

    #[test]
    fn a_missing_optional_date_is_none() {
        let read: Dated = serde_json::from_str(r#"{"on":"2026-11-02"}"#).unwrap();
        assert_eq!(read.until, None);
    }

    #[test]
    fn dates_read_from_escaped_text_and_json_values() {
        let escaped: Dated = serde_json::from_str(r#"{"on":"2026-11-0\u0032"}"#).unwrap();
        assert_eq!(escaped.on, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        let value = serde_json::json!({"on": "2026-11-02", "until": "2031-11-01"});
        let read: Dated = serde_json::from_value(value).unwrap();
        assert_eq!(read.until, NaiveDate::from_ymd_opt(2031, 11, 1));
    }
}

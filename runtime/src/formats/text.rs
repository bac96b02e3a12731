//! Graph's string formats (`date-time`, `date`, `time`, `duration`, `uuid`, `base64url`) as
//! types that keep the text Graph sent and convert it on request.
//!
//! Why text with typed accessors rather than `time::OffsetDateTime` fields: a value that does
//! not parse (a timestamp without an offset; a duration in months or years, which Graph's own
//! descriptions use: `P1M` for a synchronization interval, `P2Y` for a partner relationship)
//! must not make a whole response undecodable, and a model read from Graph must write back exactly what it read. So
//! deserializing accepts any string and keeps it; `to_offset_date_time()`, `to_date()`,
//! `to_time()`, `to_duration()`, `to_uuid()` and `decode()` parse when asked and return a
//! [`FormatError`] for the one value at fault. The conversions the other way (`From<time::
//! OffsetDateTime>`, `From<uuid::Uuid>`, `Base64Url::encode`, ...) write what Graph expects.
//! Each type derefs to `str`, so `as_deref()` on a `Nullable<DateTime>` gives the text.

use std::fmt;
use std::ops::Deref;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

/// A value of one of Graph's string formats that did not parse as that format. It carries the
/// format and the start of the text (these formats never hold secrets: a property named like a
/// secret is a [`Secret`](crate::Secret) whatever its format).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a valid `{format}` value: {reason}")]
pub struct FormatError {
    format: &'static str,
    text: String,
    reason: String,
}

impl FormatError {
    fn new(format: &'static str, text: &str, reason: impl fmt::Display) -> Self {
        // Bounded and on one line: the error may end up in a log line.
        FormatError { format, text: crate::error::one_line_within(text, 64), reason: reason.to_string() }
    }

    /// The OpenAPI format the text was read as (`date-time`, `duration`, ...).
    pub fn format(&self) -> &'static str {
        self.format
    }
}

macro_rules! text_format {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The text, exactly as Graph sent it or as it was set.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, exactly as Graph sent it or as it was set.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        /// Text taken as it is, unchecked: what Graph sent is kept even when it does not parse.
        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        /// Text taken as it is, unchecked: what Graph sent is kept even when it does not parse.
        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

text_format! {
    /// `format: date-time` (OData `Edm.DateTimeOffset`): an RFC 3339 timestamp such as
    /// `2024-01-31T08:00:00Z`; Graph writes UTC, often with seven fractional digits.
    DateTime
}

text_format! {
    /// `format: date` (OData `Edm.Date`): a calendar date such as `2024-01-31`.
    Date
}

text_format! {
    /// `format: time` (OData `Edm.TimeOfDay`): a time of day such as `08:00:00.0000000`.
    TimeOfDay
}

text_format! {
    /// `format: duration` (OData `Edm.Duration`): an ISO 8601 duration such as `PT1H30M` or
    /// `P2DT12H`.
    Duration
}

text_format! {
    /// `format: uuid` (OData `Edm.Guid`): such as `00af5dfb-85da-4b41-a677-0c6b86dd34f8`.
    Uuid
}

text_format! {
    /// `format: base64url` (OData `Edm.Binary`): bytes as base64 text. Graph's documents say
    /// base64url, its values use either alphabet (a key credential is a certificate's standard
    /// base64), so [`decode`](Base64Url::decode) reads both, padded or not, and
    /// [`encode`](Base64Url::encode) writes the standard alphabet with padding, as Microsoft's
    /// OData serializer writes `Edm.Binary`.
    Base64Url
}

impl DateTime {
    /// The timestamp, parsed as RFC 3339 (any number of fractional digits; nanosecond precision).
    pub fn to_offset_date_time(&self) -> Result<time::OffsetDateTime, FormatError> {
        time::OffsetDateTime::parse(&self.0, &Rfc3339).map_err(|e| FormatError::new("date-time", &self.0, e))
    }
}

/// Written in UTC as RFC 3339 (`2024-01-31T08:00:00Z`, fractional seconds only when set). A
/// value at the edge of `time`'s range that has no UTC form (the first day with a positive
/// offset) keeps its own offset instead of panicking.
impl From<time::OffsetDateTime> for DateTime {
    fn from(value: time::OffsetDateTime) -> Self {
        let (local, zone) = match value.checked_to_offset(time::UtcOffset::UTC) {
            Some(utc) => (utc, "Z".to_owned()),
            None => {
                let (hours, minutes, _) = value.offset().as_hms();
                let sign = if value.offset().is_negative() { '-' } else { '+' };
                (value, format!("{sign}{:02}:{:02}", hours.unsigned_abs(), minutes.unsigned_abs()))
            }
        };
        let (year, month, day) = local.to_calendar_date();
        let (hour, minute, second, nanos) = local.to_hms_nano();
        DateTime(format!("{}T{}{zone}", date_text(year, month as u8, day), time_text(hour, minute, second, nanos)))
    }
}

impl Date {
    /// The date, parsed as `YYYY-MM-DD`.
    pub fn to_date(&self) -> Result<time::Date, FormatError> {
        parse_date(&self.0).map_err(|reason| FormatError::new("date", &self.0, reason))
    }
}

/// Written as `YYYY-MM-DD`.
impl From<time::Date> for Date {
    fn from(value: time::Date) -> Self {
        Date(date_text(value.year(), value.month() as u8, value.day()))
    }
}

impl TimeOfDay {
    /// The time, parsed as `HH:MM[:SS[.fraction]]` (up to nine fractional digits are kept).
    pub fn to_time(&self) -> Result<time::Time, FormatError> {
        parse_time(&self.0).map_err(|reason| FormatError::new("time", &self.0, reason))
    }
}

/// Written as `HH:MM:SS`, with fractional seconds only when set.
impl From<time::Time> for TimeOfDay {
    fn from(value: time::Time) -> Self {
        let (hour, minute, second, nanos) = value.as_hms_nano();
        TimeOfDay(time_text(hour, minute, second, nanos))
    }
}

impl Duration {
    /// The duration, parsed as ISO 8601 `[-]P[nW][nD][T[nH][nM][n[.n]S]]`. Years and months have
    /// no fixed length, so a duration that uses them is an error (its text stays available).
    pub fn to_duration(&self) -> Result<time::Duration, FormatError> {
        parse_duration(&self.0).map_err(|reason| FormatError::new("duration", &self.0, reason))
    }
}

/// Written as ISO 8601 in days, hours, minutes and seconds (`P1DT2H30M`, `PT0.5S`, `-PT5M`).
impl From<time::Duration> for Duration {
    fn from(value: time::Duration) -> Self {
        Duration(duration_text(value))
    }
}

/// Written as ISO 8601 (see `From<time::Duration>`); saturates beyond `i64::MAX` seconds.
impl From<std::time::Duration> for Duration {
    fn from(value: std::time::Duration) -> Self {
        let value = time::Duration::try_from(value).unwrap_or(time::Duration::MAX);
        Duration(duration_text(value))
    }
}

impl Uuid {
    /// The UUID, parsed in any of its usual spellings (hyphenated, braced, plain, `urn:uuid:`).
    pub fn to_uuid(&self) -> Result<uuid::Uuid, FormatError> {
        uuid::Uuid::parse_str(&self.0).map_err(|e| FormatError::new("uuid", &self.0, e))
    }
}

/// Written hyphenated, in lower case, as Graph writes ids.
impl From<uuid::Uuid> for Uuid {
    fn from(value: uuid::Uuid) -> Self {
        Uuid(value.hyphenated().to_string())
    }
}

impl Base64Url {
    /// `bytes` in the standard base64 alphabet with padding.
    pub fn encode(bytes: impl AsRef<[u8]>) -> Self {
        Base64Url(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// The bytes, read from the standard or the URL-safe alphabet, with or without padding
    /// (whitespace, as in PEM-style line breaks, is ignored).
    pub fn decode(&self) -> Result<Vec<u8>, FormatError> {
        let normal: String = self
            .0
            .chars()
            .filter(|c| !c.is_ascii_whitespace() && *c != '=')
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect();
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(normal)
            .map_err(|e| FormatError::new("base64url", &self.0, e))
    }
}

/// See [`Base64Url::encode`].
impl From<&[u8]> for Base64Url {
    fn from(bytes: &[u8]) -> Self {
        Base64Url::encode(bytes)
    }
}

/// See [`Base64Url::encode`].
impl From<Vec<u8>> for Base64Url {
    fn from(bytes: Vec<u8>) -> Self {
        Base64Url::encode(bytes)
    }
}

fn date_text(year: i32, month: u8, day: u8) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

fn time_text(hour: u8, minute: u8, second: u8, nanos: u32) -> String {
    let mut text = format!("{hour:02}:{minute:02}:{second:02}");
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text
}

/// Digits only, as a number; `what` names the part for the error.
fn number<T: std::str::FromStr>(digits: &str, what: &str) -> Result<T, String> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the {what} is not a number"));
    }
    digits.parse().map_err(|_| format!("the {what} is out of range"))
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected YYYY-MM-DD".to_owned());
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err("expected YYYY-MM-DD".to_owned());
    }
    let month = time::Month::try_from(number::<u8>(month, "month")?).map_err(|e| e.to_string())?;
    time::Date::from_calendar_date(number(year, "year")?, month, number(day, "day")?).map_err(|e| e.to_string())
}

fn parse_time(text: &str) -> Result<time::Time, String> {
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let mut parts = clock.split(':');
    let (Some(hour), Some(minute), second, None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err("expected HH:MM:SS".to_owned());
    };
    if hour.len() != 2 || minute.len() != 2 || second.is_some_and(|s| s.len() != 2) {
        return Err("expected HH:MM:SS".to_owned());
    }
    let nanos = match fraction {
        Some(_) if second.is_none() => return Err("a fraction needs seconds".to_owned()),
        Some(fraction) => nanos_of(fraction)?,
        None => 0,
    };
    let second = second.map(|s| number(s, "second")).transpose()?.unwrap_or(0);
    time::Time::from_hms_nano(number(hour, "hour")?, number(minute, "minute")?, second, nanos)
        .map_err(|e| e.to_string())
}

/// Fractional-second digits as nanoseconds (digits past the ninth are dropped).
fn nanos_of(fraction: &str) -> Result<u32, String> {
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the fraction is not a number".to_owned());
    }
    let nine: String = fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
    number(&nine, "fraction")
}

fn parse_duration(text: &str) -> Result<time::Duration, String> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix('P').ok_or("expected P at the start")?;
    let (days_part, time_part) = match rest.split_once('T') {
        Some((days, time)) => (days, Some(time)),
        None => (rest, None),
    };
    if days_part.is_empty() && time_part.is_none_or(str::is_empty) {
        return Err("no components".to_owned());
    }
    let mut total = time::Duration::ZERO;
    let mut add = |amount: time::Duration| -> Result<(), String> {
        total = total.checked_add(amount).ok_or("too long")?;
        Ok(())
    };
    for (value, unit) in components(days_part)? {
        let whole: i64 = number(&value, "count")?;
        match unit {
            'Y' | 'M' => return Err("years and months have no fixed length".to_owned()),
            'W' => add(seconds_of(whole, 7 * 86_400)?)?,
            'D' => add(seconds_of(whole, 86_400)?)?,
            other => return Err(format!("`{other}` is not a date unit")),
        }
    }
    if let Some(time_part) = time_part {
        if time_part.is_empty() {
            return Err("nothing after T".to_owned());
        }
        let parts = components(time_part)?;
        let last = parts.len() - 1;
        for (i, (value, unit)) in parts.into_iter().enumerate() {
            let (whole, fraction) = match value.split_once('.') {
                Some((_, _)) if unit != 'S' || i != last => return Err("only seconds take a fraction".to_owned()),
                Some((whole, fraction)) => (whole.to_owned(), Some(nanos_of(fraction)?)),
                None => (value, None),
            };
            let whole: i64 = number(&whole, "count")?;
            match unit {
                'H' => add(seconds_of(whole, 3_600)?)?,
                'M' => add(seconds_of(whole, 60)?)?,
                'S' => {
                    add(seconds_of(whole, 1)?)?;
                    add(time::Duration::nanoseconds(i64::from(fraction.unwrap_or(0))))?;
                }
                other => return Err(format!("`{other}` is not a time unit")),
            }
        }
    }
    Ok(if negative { -total } else { total })
}

/// `1D2H` → `[("1", 'D'), ("2", 'H')]`.
fn components(text: &str) -> Result<Vec<(String, char)>, String> {
    let mut out = Vec::new();
    let mut value = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            value.push(if c == ',' { '.' } else { c });
        } else if value.is_empty() {
            return Err(format!("`{c}` has no number before it"));
        } else {
            out.push((std::mem::take(&mut value), c));
        }
    }
    if !value.is_empty() {
        return Err("a number without a unit at the end".to_owned());
    }
    Ok(out)
}

/// `count` units of `unit` seconds, or an error when that overflows.
fn seconds_of(count: i64, unit: i64) -> Result<time::Duration, String> {
    count.checked_mul(unit).map(time::Duration::seconds).ok_or_else(|| "too long".to_owned())
}

fn duration_text(value: time::Duration) -> String {
    let mut text = String::new();
    if value.is_negative() {
        text.push('-');
    }
    let value = value.abs();
    let seconds = value.whole_seconds();
    let nanos = value.subsec_nanoseconds().unsigned_abs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, minutes, secs) = (rest / 3_600, rest % 3_600 / 60, rest % 60);
    text.push('P');
    if days != 0 {
        text.push_str(&format!("{days}D"));
    }
    if hours != 0 || minutes != 0 || secs != 0 || nanos != 0 || days == 0 {
        text.push('T');
        if hours != 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes != 0 {
            text.push_str(&format!("{minutes}M"));
        }
        if secs != 0 || nanos != 0 || (hours == 0 && minutes == 0) {
            text.push_str(&secs.to_string());
            if nanos != 0 {
                text.push('.');
                text.push_str(format!("{nanos:09}").trim_end_matches('0'));
            }
            text.push('S');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_is_kept_and_written_back_unchanged() {
        for text in ["2024-01-31T08:00:00.1234567Z", "0001-01-01T00:00:00", "not a date", ""] {
            let value: DateTime = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert_eq!(value, text);
            assert_eq!(serde_json::to_value(&value).unwrap(), serde_json::json!(text));
        }
        assert!(serde_json::from_str::<DateTime>("42").is_err(), "a number is not text");
    }

    #[test]
    fn date_times_parse_with_graph_precision_and_are_written_in_utc() {
        let value = DateTime::from("2021-01-20T23:30:51.6157397Z");
        let parsed = value.to_offset_date_time().unwrap();
        assert_eq!(parsed.nanosecond(), 615_739_700);
        assert_eq!(DateTime::from(parsed), "2021-01-20T23:30:51.6157397Z");
        let offset = DateTime::from("2024-01-31T09:00:00+01:00").to_offset_date_time().unwrap();
        assert_eq!(DateTime::from(offset), "2024-01-31T08:00:00Z");
        let earliest = time::PrimitiveDateTime::MIN.assume_offset(time::UtcOffset::from_hms(1, 30, 0).unwrap());
        assert_eq!(DateTime::from(earliest), "-9999-01-01T00:00:00+01:30", "no UTC form: its own offset");
        let latest = time::PrimitiveDateTime::MAX.assume_utc();
        assert_eq!(DateTime::from(latest), "9999-12-31T23:59:59.999999999Z");
        let error = DateTime::from("0001-01-01T00:00:00").to_offset_date_time().unwrap_err();
        assert_eq!(error.format(), "date-time");
        assert!(error.to_string().contains("\"0001-01-01T00:00:00\""), "{error}");
    }

    #[test]
    fn dates_and_times_of_day_round_trip() {
        let date = Date::from("2024-02-29").to_date().unwrap();
        assert_eq!(Date::from(date), "2024-02-29");
        for bad in ["2023-02-29", "2024-2-1", "24-02-01", "2024-02-01T00:00:00Z", ""] {
            assert!(Date::from(bad).to_date().is_err(), "{bad}");
        }
        let time = TimeOfDay::from("08:30:00.0000000").to_time().unwrap();
        assert_eq!(TimeOfDay::from(time), "08:30:00");
        let time = TimeOfDay::from("23:59:59.5").to_time().unwrap();
        assert_eq!(time.nanosecond(), 500_000_000);
        assert_eq!(TimeOfDay::from(time), "23:59:59.5");
        assert_eq!(TimeOfDay::from("07:15").to_time().unwrap(), time::Time::from_hms(7, 15, 0).unwrap());
        for bad in ["24:00:00", "8:00:00", "08:00:00.", "08:00.5", "08:00:00:00", "08:00:00.x"] {
            assert!(TimeOfDay::from(bad).to_time().is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_parse_iso_8601_and_refuse_calendar_units() {
        let cases = [
            ("PT1H30M", time::Duration::minutes(90)),
            ("P2DT12H", time::Duration::hours(60)),
            ("P1W", time::Duration::days(7)),
            ("PT0.5S", time::Duration::milliseconds(500)),
            ("-PT5M", time::Duration::minutes(-5)),
            ("PT0S", time::Duration::ZERO),
            ("P0D", time::Duration::ZERO),
            ("PT36H", time::Duration::hours(36)),
        ];
        for (text, expected) in cases {
            assert_eq!(Duration::from(text).to_duration().unwrap(), expected, "{text}");
        }
        assert_eq!(Duration::from(time::Duration::hours(36)), "P1DT12H");
        assert_eq!(Duration::from(time::Duration::minutes(-90)), "-PT1H30M");
        assert_eq!(Duration::from(time::Duration::ZERO), "PT0S");
        assert_eq!(Duration::from(std::time::Duration::from_millis(1500)), "PT1.5S");
        assert_eq!(Duration::from(time::Duration::days(2)), "P2D");
        for bad in ["P1Y", "P1M", "PT", "P", "1H", "PT1.5M", "PTH", "PT1", "P9999999999999999999D", "PT1X"] {
            assert!(Duration::from(bad).to_duration().is_err(), "{bad}");
        }
        for value in [time::Duration::new(93_784, 5), time::Duration::seconds(-59), time::Duration::days(400)] {
            assert_eq!(Duration::from(value).to_duration().unwrap(), value);
        }
    }

    #[test]
    fn uuids_and_binary_read_what_graph_sends() {
        let id = Uuid::from("00AF5DFB-85DA-4B41-A677-0C6B86DD34F8").to_uuid().unwrap();
        assert_eq!(Uuid::from(id), "00af5dfb-85da-4b41-a677-0c6b86dd34f8");
        assert!(Uuid::from("00af5dfb").to_uuid().is_err());
        let bytes = [0xfb_u8, 0xff, 0xfe, 0x01];
        assert_eq!(Base64Url::encode(bytes), "+//+AQ==");
        for text in ["+//+AQ==", "+//+AQ", "-__-AQ", "+//+\r\nAQ=="] {
            assert_eq!(Base64Url::from(text).decode().unwrap(), bytes, "{text}");
        }
        assert!(Base64Url::from("not base64!").decode().is_err());
    }

    #[test]
    fn errors_bound_the_text_they_show() {
        let long = "9".repeat(10_000);
        let error = DateTime::from(long.as_str()).to_offset_date_time().unwrap_err();
        assert!(error.to_string().len() < 300, "{error}");
        let error = DateTime::from("2024-01-31\r\nforged log line").to_offset_date_time().unwrap_err();
        assert!(!error.to_string().contains(['\r', '\n']), "one line: {error}");
    }
}

//! [`Timestamp`]: an RFC 3339 date-time with sub-second precision and a UTC offset [AGS §3.4.9, §4.2].

use std::cmp::Ordering;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest timestamp text read (RFC 3339 with nine fraction digits and an offset is 35 characters).
const MAX_LEN: usize = 64;

/// An instant with the UTC offset it was written with: the AGS `timestamp`, `startDateTime`, `endDateTime`,
/// `submission.startedAt` / `submittedAt` [AGS §3.2.12, §3.4.9, §3.4.10].
///
/// Parsing ([`parse`](Self::parse), `FromStr`, `Deserialize`) is strict RFC 3339: `YYYY-MM-DDTHH:MM:SS`, an
/// optional fraction of any length (kept to the nanosecond), and `Z` or an offset `±HH:MM` (also `±HHMM` and
/// `±HH`, which the AGS examples use). Writing (`Display`, `Serialize`) always gives at least millisecond
/// precision and the offset it was read with (`Z` for UTC).
///
/// Equality and order are by instant first, so `2024-01-01T00:00:00.000Z` and `2024-01-01T01:00:00.000+01:00`
/// order as the same instant (ties are broken by offset only to stay consistent with `Eq`); use
/// [`instant_cmp`](Self::instant_cmp) to compare instants alone.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch, UTC.
    secs: i64,
    /// Nanoseconds, 0..1_000_000_000.
    nanos: u32,
    /// Minutes east of UTC, -1439..=1439.
    offset_minutes: i16,
}

impl Timestamp {
    /// The instant `time`, written in UTC.
    pub fn from_system_time(time: SystemTime) -> Self {
        let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            Err(before) => {
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    (secs.saturating_neg(), 0)
                } else {
                    (
                        secs.saturating_neg().saturating_sub(1),
                        1_000_000_000 - d.subsec_nanos(),
                    )
                }
            }
        };
        Self {
            secs,
            nanos,
            offset_minutes: 0,
        }
    }

    /// The instant as a [`SystemTime`] (saturating far outside the representable range).
    pub fn to_system_time(&self) -> SystemTime {
        if self.secs >= 0 {
            UNIX_EPOCH
                .checked_add(Duration::new(self.secs.unsigned_abs(), self.nanos))
                .unwrap_or(UNIX_EPOCH)
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(self.secs.unsigned_abs()))
                .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(self.nanos))))
                .unwrap_or(UNIX_EPOCH)
        }
    }

    /// Seconds since the Unix epoch (UTC) and the nanoseconds within the second.
    pub fn unix(&self) -> (i64, u32) {
        (self.secs, self.nanos)
    }

    /// The UTC offset it was written with, in minutes east of UTC.
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// The same instant one microsecond later (used to keep a tool's timestamps strictly increasing).
    #[must_use]
    pub fn plus_micro(&self) -> Self {
        let nanos = self.nanos.saturating_add(1_000);
        if nanos >= 1_000_000_000 {
            Self {
                secs: self.secs.saturating_add(1),
                nanos: nanos - 1_000_000_000,
                offset_minutes: self.offset_minutes,
            }
        } else {
            Self { nanos, ..*self }
        }
    }

    /// Compares the instants only, ignoring the offsets they were written with.
    pub fn instant_cmp(&self, other: &Self) -> Ordering {
        (self.secs, self.nanos).cmp(&(other.secs, other.nanos))
    }

    /// Parses RFC 3339 text.
    ///
    /// # Errors
    /// [`TimestampError`] naming what was expected and where.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        if text.len() > MAX_LEN {
            return Err(TimestampError::new(text, "at most 64 characters"));
        }
        let mut p = Parser {
            bytes: text.as_bytes(),
            at: 0,
            text,
        };
        let year = p.digits(4, "a four-digit year")?;
        p.expect(b'-', "`-` after the year")?;
        let month = p.digits(2, "a two-digit month")?;
        p.expect(b'-', "`-` after the month")?;
        let day = p.digits(2, "a two-digit day")?;
        match p.next() {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err(p.error("`T` between date and time")),
        }
        let hour = p.digits(2, "a two-digit hour")?;
        p.expect(b':', "`:` after the hour")?;
        let minute = p.digits(2, "two-digit minutes")?;
        p.expect(b':', "`:` after the minutes")?;
        let second = p.digits(2, "two-digit seconds")?;
        let mut nanos = 0_u32;
        if p.peek() == Some(b'.') {
            p.at += 1;
            let mut count = 0_u32;
            while let Some(d) = p.peek().filter(u8::is_ascii_digit) {
                if count < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
                count += 1;
                p.at += 1;
            }
            if count == 0 {
                return Err(p.error("fraction digits after `.`"));
            }
            for _ in count..9 {
                nanos *= 10;
            }
        }
        let offset_minutes: i32 = match p.next() {
            Some(b'Z' | b'z') => 0,
            Some(sign @ (b'+' | b'-')) => {
                let hours = p.digits(2, "a two-digit offset hour")?;
                let minutes = match p.peek() {
                    None => 0,
                    Some(b':') => {
                        p.at += 1;
                        p.digits(2, "two-digit offset minutes")?
                    }
                    Some(_) => p.digits(2, "two-digit offset minutes")?,
                };
                if hours > 23 || minutes > 59 {
                    return Err(TimestampError::new(text, "an offset of at most 23:59"));
                }
                let total = i32::try_from(hours * 60 + minutes).unwrap_or(0);
                if sign == b'-' { -total } else { total }
            }
            _ => return Err(p.error("a time zone designator (`Z` or `±HH:MM`)")),
        };
        if p.at != p.bytes.len() {
            return Err(p.error("the end of the timestamp"));
        }
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(TimestampError::new(text, "a valid calendar date"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(TimestampError::new(text, "a valid time of day"));
        }
        let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
        let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Ok(Self {
            secs: local - i64::from(offset_minutes) * 60,
            nanos,
            offset_minutes: i16::try_from(offset_minutes).unwrap_or(0),
        })
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant_cmp(other)
            .then(self.offset_minutes.cmp(&other.offset_minutes))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self
            .secs
            .saturating_add(i64::from(self.offset_minutes) * 60);
        let days = local.div_euclid(86_400);
        let in_day = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            in_day / 3600,
            in_day % 3600 / 60,
            in_day % 60
        )?;
        if self.nanos.is_multiple_of(1_000_000) {
            write!(f, ".{:03}", self.nanos / 1_000_000)?;
        } else if self.nanos.is_multiple_of(1_000) {
            write!(f, ".{:06}", self.nanos / 1_000)?;
        } else {
            write!(f, ".{:09}", self.nanos)?;
        }
        if self.offset_minutes == 0 {
            f.write_str("Z")
        } else {
            let sign = if self.offset_minutes < 0 { '-' } else { '+' };
            let abs = self.offset_minutes.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an RFC 3339 timestamp with {expected} (found `{found}`)")]
pub struct TimestampError {
    /// What the parser wanted.
    pub expected: &'static str,
    /// The text (clipped to 40 characters).
    pub found: String,
}

impl TimestampError {
    fn new(text: &str, expected: &'static str) -> Self {
        Self {
            expected,
            found: text.chars().take(40).collect(),
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.at += 1;
        b
    }

    fn error(&self, expected: &'static str) -> TimestampError {
        TimestampError::new(self.text, expected)
    }

    fn expect(&mut self, want: u8, expected: &'static str) -> Result<(), TimestampError> {
        if self.next() == Some(want) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn digits(&mut self, n: usize, expected: &'static str) -> Result<u32, TimestampError> {
        let mut value = 0_u32;
        for _ in 0..n {
            match self.next() {
                Some(d) if d.is_ascii_digit() => value = value * 10 + u32::from(d - b'0'),
                _ => return Err(self.error(expected)),
            }
        }
        Ok(value)
    }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c98_spec_examples_parse_and_round_trip() {
        let t = Timestamp::parse("2017-04-16T18:54:36.736+00:00").unwrap();
        assert_eq!(t.unix(), (1_492_368_876, 736_000_000));
        assert_eq!(t.to_string(), "2017-04-16T18:54:36.736Z");
        for (text, shown) in [
            ("2017-04-16T18:54:36.736Z", "2017-04-16T18:54:36.736Z"),
            ("2017-04-16T18:54:36.736+00", "2017-04-16T18:54:36.736Z"),
            (
                "2017-04-16T20:54:36.736+0200",
                "2017-04-16T20:54:36.736+02:00",
            ),
            (
                "2017-04-16t18:54:36.7364567z",
                "2017-04-16T18:54:36.736456700Z",
            ),
            (
                "2017-04-16T18:54:36.123456-05:30",
                "2017-04-16T18:54:36.123456-05:30",
            ),
            ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500Z"),
            ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"),
            ("2000-03-01T00:00:00.000Z", "2000-03-01T00:00:00.000Z"),
        ] {
            let t = Timestamp::parse(text).unwrap();
            assert_eq!(t.to_string(), shown, "{text}");
            assert_eq!(Timestamp::parse(shown).unwrap(), t, "{text}");
        }
        let a = Timestamp::parse("2017-04-16T20:54:36.736+02:00").unwrap();
        let b = Timestamp::parse("2017-04-16T18:54:36.736Z").unwrap();
        assert_eq!(a.instant_cmp(&b), Ordering::Equal);
        assert!(Timestamp::parse("2017-04-16T18:54:36.737Z").unwrap() > a);
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for bad in [
            "",
            "2017-04-16",
            "2017-04-16T18:54:36",
            "2017-04-16T18:54:36.736",
            "2017-4-16T18:54:36.736Z",
            "2017-04-16T18:54:36.Z",
            "2017-04-16T18:54:36.736Z ",
            "2017-13-16T18:54:36.736Z",
            "2017-02-29T18:54:36.736Z",
            "2017-04-31T18:54:36.736Z",
            "2017-04-16T24:00:00.000Z",
            "2017-04-16T18:54:36.736+24:00",
            "2017-04-16T18:54:36.736+02:60",
            "2017-04-16T18:54:36.736+2",
            "１２３４-04-16T18:54:36.736Z",
            "2017-04-16T18:54:36.736ZZ",
            "1492368876",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        let long = format!("2017-04-16T18:54:36.{}Z", "1".repeat(80));
        assert!(Timestamp::parse(&long).is_err());
        let e = Timestamp::parse("2017-04-16").unwrap_err();
        assert!(e.to_string().contains("`T` between date and time"), "{e}");
    }

    #[test]
    fn system_time_round_trip_and_micro_steps() {
        let time = UNIX_EPOCH + Duration::new(1_800_000_000, 999_999_500);
        let t = Timestamp::from_system_time(time);
        assert_eq!(t.to_system_time(), time);
        let next = t.plus_micro();
        assert_eq!(next.unix(), (1_800_000_001, 500));
        assert!(next > t);
        assert_eq!(
            Timestamp::from_system_time(UNIX_EPOCH).to_string(),
            "1970-01-01T00:00:00.000Z"
        );
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(
            Timestamp::from_system_time(before).to_string(),
            "1969-12-31T23:59:58.500Z"
        );
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        for days in (-146_097 * 2..146_097 * 2).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}

//! Time as integer milliseconds. Machines never read a clock: `now` is always an argument.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// An instant in milliseconds since the Unix epoch (UTC). The world's virtual clock and the
/// wall clock share this type, so a trace reads the same under both.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Timestamp(pub u64);

/// A span of time in milliseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Duration(pub u64);

/// A duration text that is not `"<n>ms"`, `"<n>s"`, `"<n>m"` or `"<n>h"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a duration (expected e.g. `800ms`, `2s`, `1.5s`, `5m`): `{0}`")]
pub struct DurationError(pub String);

impl Duration {
    /// Zero.
    pub const ZERO: Duration = Duration(0);

    /// From milliseconds.
    pub const fn from_millis(ms: u64) -> Duration {
        Duration(ms)
    }

    /// From seconds.
    pub const fn from_secs(s: u64) -> Duration {
        Duration(s * 1000)
    }

    /// Milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Parses `"800ms"`, `"2s"`, `"1.5s"`, `"5m"`, `"1h"` (whole milliseconds only).
    pub fn parse(text: &str) -> Result<Duration, DurationError> {
        let t = text.trim();
        let err = || DurationError(text.to_owned());
        let (num, factor) = if let Some(n) = t.strip_suffix("ms") {
            (n, 1u64)
        } else if let Some(n) = t.strip_suffix('s') {
            (n, 1_000)
        } else if let Some(n) = t.strip_suffix("min").or_else(|| t.strip_suffix('m')) {
            (n, 60_000)
        } else if let Some(n) = t.strip_suffix('h') {
            (n, 3_600_000)
        } else {
            return Err(err());
        };
        let d = crate::Decimal::parse(num.trim()).map_err(|_| err())?;
        let scaled = d.to_scaled(3).ok_or_else(err)?;
        // Scaled is in thousandths of the unit; refuse sub-millisecond leftovers ("1.0005s").
        let total = scaled.checked_mul(i128::from(factor)).ok_or_else(err)?;
        if total < 0 || total % 1000 != 0 {
            return Err(err());
        }
        let ms = total / 1000;
        u64::try_from(ms).map(Duration).map_err(|_| err())
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 1000 == 0 {
            write!(f, "{}s", self.0 / 1000)
        } else {
            write!(f, "{}ms", self.0)
        }
    }
}

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Saturating `self - earlier`.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }

    /// As a `time` date-time in UTC.
    pub fn to_datetime(self) -> time::OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }

    /// RFC 3339 UTC with milliseconds: `2026-01-15T09:00:02.310Z` (control API, journal).
    pub fn to_rfc3339_ms(self) -> String {
        let dt = self.to_datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.millisecond()
        )
    }

    /// Parses RFC 3339 (`2026-01-15T09:00:00Z`, offsets allowed), truncated to milliseconds.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let dt = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .ok()?;
        let ms = dt.unix_timestamp_nanos() / 1_000_000;
        u64::try_from(ms).ok().map(Timestamp)
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.0))
    }
}

impl Add<Duration> for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}

impl Sub<Timestamp> for Timestamp {
    type Output = Duration;
    fn sub(self, earlier: Timestamp) -> Duration {
        self.since(earlier)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(Duration::parse("800ms").unwrap(), Duration(800));
        assert_eq!(Duration::parse("2s").unwrap(), Duration(2000));
        assert_eq!(Duration::parse("1.5s").unwrap(), Duration(1500));
        assert_eq!(Duration::parse("5m").unwrap(), Duration(300_000));
        assert!(Duration::parse("1.0005s").is_err());
        assert!(Duration::parse("-1s").is_err());
        assert!(Duration::parse("soon").is_err());
    }

    #[test]
    fn formats_rfc3339() {
        let t = Timestamp::parse_rfc3339("2026-01-15T09:00:02.310Z").unwrap();
        assert_eq!(t.to_rfc3339_ms(), "2026-01-15T09:00:02.310Z");
        assert_eq!(
            (t + Duration(690)).to_rfc3339_ms(),
            "2026-01-15T09:00:03.000Z"
        );
    }
}

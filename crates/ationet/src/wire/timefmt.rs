//! ATIONet times: UTC `yyyy-MM-ddTHH:mm:ss.fffffff` with no zone (D16).

use payrig_core::Timestamp;

/// Formats `t` as `yyyy-MM-ddTHH:mm:ss.fffffff` in UTC, no zone (D16). payrig keeps
/// milliseconds, so the last four of the seven fraction digits are always `0`.
pub fn format_ationet_time(t: Timestamp) -> String {
    let dt = t.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}0000",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// Parses `yyyy-MM-ddTHH:mm:ss` with an optional fraction of 1-7 digits and no zone, as UTC,
/// truncated to milliseconds. `None` for anything else (a zone, a bad date, before 1970).
pub fn parse_ationet_time(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter().try_fold(0u32, |acc, d| {
            acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let day = u8::try_from(num(8..10)?).ok()?;
    let hour = u8::try_from(num(11..13)?).ok()?;
    let minute = u8::try_from(num(14..16)?).ok()?;
    let second = u8::try_from(num(17..19)?).ok()?;
    let mut millis = 0u16;
    if b.len() > 19 {
        let frac = &b[20..];
        if b[19] != b'.'
            || frac.is_empty()
            || frac.len() > 7
            || !frac.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        for i in 0..3 {
            millis = millis * 10 + frac.get(i).map_or(0, |d| u16::from(d - b'0'));
        }
    }
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let clock = time::Time::from_hms_milli(hour, minute, second, millis).ok()?;
    let ms = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp_nanos()
        / 1_000_000;
    u64::try_from(ms).ok().map(Timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_seven_digits_utc() {
        // 2021-09-03T13:44:02Z
        assert_eq!(
            format_ationet_time(Timestamp(1_630_676_642_000)),
            "2021-09-03T13:44:02.0000000"
        );
        assert_eq!(
            format_ationet_time(Timestamp(1_630_676_596_615)),
            "2021-09-03T13:43:16.6150000"
        );
        assert_eq!(
            format_ationet_time(Timestamp::EPOCH),
            "1970-01-01T00:00:00.0000000"
        );
    }

    #[test]
    fn parses_and_truncates_to_millis() {
        assert_eq!(
            parse_ationet_time("2021-09-03T13:43:16.6157799"),
            Some(Timestamp(1_630_676_596_615))
        );
        assert_eq!(
            parse_ationet_time("2021-09-03T13:44:02"),
            Some(Timestamp(1_630_676_642_000))
        );
        assert_eq!(
            parse_ationet_time("2021-09-03T13:44:02.5"),
            Some(Timestamp(1_630_676_642_500))
        );
        for bad in [
            "",
            "2021-09-03T13:44:02Z",
            "2021-09-03T13:44:02.",
            "2021-09-03T13:44:02.12345678",
            "2021-02-30T13:44:02",
            "2021-09-03 13:44:02",
            "2021-09-03T24:00:00",
            "1969-12-31T23:59:59",
        ] {
            assert_eq!(parse_ationet_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_millis() {
        for ms in [0u64, 1, 999, 1_630_676_596_615, 4_102_444_799_999] {
            let t = Timestamp(ms);
            assert_eq!(parse_ationet_time(&format_ationet_time(t)), Some(t));
        }
    }
}

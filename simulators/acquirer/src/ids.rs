//! STAN, RRN, approval codes and the card checks (simulators spec 4.1 and 4.3).

use payrig_core::rng::uniform_inclusive;
use payrig_core::Timestamp;
use rand_core::RngCore;

use crate::code::ResponseCode;
use crate::ops::Card;

/// Largest 6-digit counter value; STAN, RRN sequence and batch numbers wrap to 1 after it.
pub(crate) const SIX_DIGITS_MAX: u32 = 999_999;

/// The next value of a 6-digit counter that starts at 1 and wraps to 1 (spec 4.3).
pub(crate) fn next_six(counter: &mut u32) -> u32 {
    *counter = if *counter >= SIX_DIGITS_MAX {
        1
    } else {
        *counter + 1
    };
    *counter
}

/// RRN = `YDDDHH` of `now` (last digit of the year, day of year, hour; UTC) + 6-digit `seq`.
#[cfg(test)]
pub(crate) fn rrn(now: Timestamp, seq: u32) -> String {
    rrn_text(rrn_key(rrn_prefix(now), seq))
}

/// Milliseconds per hour: the RRN prefix changes only on these boundaries (UTC hours are whole
/// multiples of it since the epoch), so it is computed once per hour, not per RRN.
pub(crate) const MS_PER_HOUR: u64 = 3_600_000;

/// The RRN's `YDDDHH` prefix of `now` as a number (at most 999_999).
#[cfg(test)]
pub(crate) fn rrn_prefix(now: Timestamp) -> u64 {
    HourFacts::of(now).rrn_prefix
}

/// What the acquirer needs of the calendar, the same for every instant of one UTC hour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HourFacts {
    /// `now / MS_PER_HOUR`.
    hour: u64,
    /// The RRN's `YDDDHH` prefix (see `rrn_prefix`).
    pub(crate) rrn_prefix: u64,
    /// Year and month, for card expiry.
    pub(crate) year_month: (i32, u8),
}

impl HourFacts {
    fn of(now: Timestamp) -> HourFacts {
        let dt = now.to_datetime();
        let y = u64::try_from(dt.year().rem_euclid(10)).unwrap_or(0);
        HourFacts {
            hour: now.0 / MS_PER_HOUR,
            rrn_prefix: y * 100_000 + u64::from(dt.ordinal()) * 100 + u64::from(dt.hour()),
            year_month: (dt.year(), u8::from(dt.month())),
        }
    }

    /// The facts of `now`, from `cache` when it holds `now`'s hour (the date conversion was a
    /// measurable share of an authorisation); `cache` then holds them.
    pub(crate) fn cached(cache: &mut Option<HourFacts>, now: Timestamp) -> HourFacts {
        match *cache {
            Some(f) if f.hour == now.0 / MS_PER_HOUR => f,
            _ => {
                let f = HourFacts::of(now);
                *cache = Some(f);
                f
            }
        }
    }
}

/// An RRN as the integer its 12 digits spell: `prefix` then the 6-digit `seq`. Every RRN is
/// exactly 12 digits, so this is a bijection with the strings and the index can be keyed on it.
pub(crate) fn rrn_key(prefix: u64, seq: u32) -> u64 {
    prefix * 1_000_000 + u64::from(seq)
}

/// The key of an RRN text, `None` when it is not 12 ASCII digits (so no RRN of ours).
pub(crate) fn parse_rrn(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u64, |k, d| k * 10 + u64::from(d - b'0')))
}

/// The 12-digit text of an RRN key (zero-padded), written digit by digit: `format!` was a
/// measurable share of an authorisation.
pub(crate) fn rrn_text(key: u64) -> String {
    let mut buf = [b'0'; 12];
    let mut k = key;
    for d in buf.iter_mut().rev() {
        // `k % 10` is below 10, so the cast cannot truncate.
        *d = b'0' + (k % 10) as u8;
        k /= 10;
    }
    let mut s = String::with_capacity(buf.len());
    for &b in &buf {
        s.push(char::from(b));
    }
    s
}

const CODE_CHARS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// 6 characters `[0-9A-Z]` from the acquirer's RNG.
pub(crate) fn random_auth_code(rng: &mut impl RngCore) -> String {
    let mut s = String::with_capacity(6);
    for _ in 0..6 {
        let i = uniform_inclusive(rng, 0, 35);
        s.push(char::from(
            CODE_CHARS[usize::try_from(i).unwrap_or(0) % CODE_CHARS.len()],
        ));
    }
    s
}

/// `prefix` + `n` zero-padded to `digits`.
pub(crate) fn sequential_code(prefix: &str, digits: u32, n: u64) -> String {
    // Written by hand rather than with `format!` (one per ATIONet decision); same text.
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut k = n;
    loop {
        pos -= 1;
        // Below 10: the cast cannot truncate.
        buf[pos] = b'0' + (k % 10) as u8;
        k /= 10;
        if k == 0 {
            break;
        }
    }
    let len = buf.len() - pos;
    let pad = usize::try_from(digits)
        .unwrap_or(usize::MAX)
        .saturating_sub(len);
    let mut s = String::with_capacity(prefix.len() + pad + len);
    s.push_str(prefix);
    for _ in 0..pad {
        s.push('0');
    }
    for &b in &buf[pos..] {
        s.push(char::from(b));
    }
    s
}

/// The largest counter value that fits `digits` digits.
pub(crate) fn sequential_max(digits: u32) -> u64 {
    10u64.checked_pow(digits).map_or(u64::MAX, |p| p - 1)
}

/// Luhn (ISO/IEC 7812-1) over a 12-19 digit PAN.
pub(crate) fn luhn_ok(pan: &str) -> bool {
    if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Spec 4.1: Luhn and expiry (virtual time) are checked for PAN and track 2 cards; fleet tracks
/// are the host's business. `14` bad number or malformed expiry, `54` expired (a card is valid
/// through the last day of its `YYMM` month).
#[cfg(test)]
pub(crate) fn card_check(card: &Card, now: Timestamp) -> Option<ResponseCode> {
    card_check_in(card, HourFacts::of(now).year_month)
}

/// [`card_check`] with the current `(year, month)` given.
pub(crate) fn card_check_in(card: &Card, (year, month): (i32, u8)) -> Option<ResponseCode> {
    if matches!(card, Card::Fleet(_)) {
        return None;
    }
    if !luhn_ok(card.match_text()) {
        return Some(ResponseCode::INVALID_CARD);
    }
    let expiry = card.expiry()?;
    let b = expiry.as_bytes();
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return Some(ResponseCode::INVALID_CARD);
    }
    let yy = i32::from(b[0] - b'0') * 10 + i32::from(b[1] - b'0');
    let mm = (b[2] - b'0') * 10 + (b[3] - b'0');
    if !(1..=12).contains(&mm) {
        return Some(ResponseCode::INVALID_CARD);
    }
    if (2000 + yy, mm) < (year, month) {
        return Some(ResponseCode::EXPIRED_CARD);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use payrig_core::rng::stream_rng;

    #[test]
    fn six_digit_counters_wrap_to_one() {
        let mut c = 0;
        assert_eq!(next_six(&mut c), 1);
        c = SIX_DIGITS_MAX - 1;
        assert_eq!(next_six(&mut c), SIX_DIGITS_MAX);
        assert_eq!(next_six(&mut c), 1);
    }

    #[test]
    fn rrn_is_ydddhh_plus_sequence() {
        // 2026-01-15T09:00:00Z
        let t = Timestamp::parse_rfc3339("2026-01-15T09:00:00Z").unwrap();
        assert_eq!(rrn(t, 1), "601509000001");
        let t = Timestamp::parse_rfc3339("2024-12-31T23:59:59Z").unwrap();
        assert_eq!(rrn(t, 999_999), "436623999999");
        assert_eq!(parse_rrn("436623999999"), Some(436_623_999_999));
        assert_eq!(rrn_text(436_623_999_999), "436623999999");
        assert_eq!(rrn_text(1), "000000000001");
        assert_eq!(parse_rrn("000000000001"), Some(1));
        assert_eq!(parse_rrn("43662399999"), None);
        assert_eq!(parse_rrn("43662399999x"), None);
        assert_eq!(parse_rrn("+43662399999"), None);
    }

    #[test]
    fn auth_codes() {
        let mut r = stream_rng(7, "acquirer/main");
        let c = random_auth_code(&mut r);
        assert_eq!(c.len(), 6);
        assert!(c
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert_eq!(sequential_code("A", 5, 1), "A00001");
        for (p, d, n) in [
            ("A", 5, 99_999),
            ("", 0, 0),
            ("XY", 3, 12_345),
            ("", 20, u64::MAX),
        ] {
            assert_eq!(
                sequential_code(p, d, n),
                format!("{p}{n:0width$}", width = d as usize)
            );
        }
        assert_eq!(sequential_max(5), 99_999);
    }

    #[test]
    fn luhn_and_expiry() {
        assert!(luhn_ok("4761730000000011"));
        assert!(!luhn_ok("4761730000000012"));
        assert!(!luhn_ok("47617300"));
        let now = Timestamp::parse_rfc3339("2026-01-15T09:00:00Z").unwrap();
        let pan = |e: &str| Card::Pan {
            pan: "4761730000000011".into(),
            expiry: Some(e.into()),
        };
        assert_eq!(card_check(&pan("3112"), now), None);
        assert_eq!(card_check(&pan("2601"), now), None);
        assert_eq!(
            card_check(&pan("2512"), now),
            Some(ResponseCode::EXPIRED_CARD)
        );
        assert_eq!(
            card_check(&pan("2613"), now),
            Some(ResponseCode::INVALID_CARD)
        );
        assert_eq!(card_check(&Card::Fleet("1".into()), now), None);
    }
}

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
pub(crate) fn rrn(now: Timestamp, seq: u32) -> String {
    let dt = now.to_datetime();
    let y = dt.year().rem_euclid(10);
    format!("{y}{:03}{:02}{seq:06}", dt.ordinal(), dt.hour())
}

const CODE_CHARS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// 6 characters `[0-9A-Z]` from the acquirer's RNG.
pub(crate) fn random_auth_code(rng: &mut impl RngCore) -> String {
    (0..6)
        .map(|_| {
            let i = uniform_inclusive(rng, 0, 35);
            char::from(CODE_CHARS[usize::try_from(i).unwrap_or(0) % CODE_CHARS.len()])
        })
        .collect()
}

/// `prefix` + `n` zero-padded to `digits`.
pub(crate) fn sequential_code(prefix: &str, digits: u32, n: u64) -> String {
    format!("{prefix}{n:0width$}", width = digits as usize)
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
pub(crate) fn card_check(card: &Card, now: Timestamp) -> Option<ResponseCode> {
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
    let dt = now.to_datetime();
    if (2000 + yy, mm) < (dt.year(), u8::from(dt.month())) {
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

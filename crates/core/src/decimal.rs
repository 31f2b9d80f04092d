//! Exact decimals for wire numbers.
//!
//! JSON numbers arrive as text; payrig converts them once, exactly, into an integer mantissa and
//! a scale, so `9`, `9.0` and `9.000` compare equal and `9.0001` is known to carry four decimals.

use std::cmp::Ordering;
use std::fmt;

/// An exact decimal: `mantissa / 10^scale`, normalised so that the mantissa has no trailing
/// zeros after the point (`9.50` is stored as `95, 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Why a text is not an exact decimal payrig accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecimalError {
    /// Not a decimal number (letters, empty, `NaN`, `Infinity`, a lone sign...).
    #[error("not a decimal number")]
    Syntax,
    /// Too many digits or an exponent too large to hold exactly.
    #[error("number too large or too precise")]
    Overflow,
}

/// Largest scale payrig keeps; JSON numbers with more significant decimals are rejected.
const MAX_SCALE: u32 = 18;

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// Builds `mantissa / 10^scale`, normalised.
    pub fn new(mantissa: i128, scale: u32) -> Decimal {
        let mut d = Decimal { mantissa, scale };
        d.normalise();
        d
    }

    /// An integer.
    pub fn from_int(v: i64) -> Decimal {
        Decimal::new(i128::from(v), 0)
    }

    fn normalise(&mut self) {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        if self.mantissa == 0 {
            self.scale = 0;
        }
    }

    /// Parses JSON number syntax (`-12.5`, `1e3`, `0.25E-1`); also accepts a leading `+` so
    /// that numeric strings can be read with the same function.
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let b = text.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            neg = b[i] == b'-';
            i += 1;
        }
        let mut mantissa: i128 = 0;
        let mut scale: i64 = 0;
        let mut digits = 0usize;
        let mut seen_point = false;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_digit() {
                digits += 1;
                mantissa = mantissa
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(i128::from(c - b'0')))
                    .ok_or(DecimalError::Overflow)?;
                if seen_point {
                    scale += 1;
                }
            } else if c == b'.' && !seen_point && digits > 0 {
                seen_point = true;
            } else {
                break;
            }
            i += 1;
        }
        if digits == 0 || (seen_point && b.get(i.wrapping_sub(1)) == Some(&b'.')) {
            return Err(DecimalError::Syntax);
        }
        if i < b.len() {
            if b[i] != b'e' && b[i] != b'E' {
                return Err(DecimalError::Syntax);
            }
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            let mut exp: i64 = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                exp = exp
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i64::from(b[i] - b'0')))
                    .filter(|e| *e < 10_000)
                    .ok_or(DecimalError::Overflow)?;
                i += 1;
            }
            if i == start || i != b.len() {
                return Err(DecimalError::Syntax);
            }
            scale -= if eneg { -exp } else { exp };
        }
        if neg {
            mantissa = -mantissa;
        }
        while scale < 0 {
            mantissa = mantissa.checked_mul(10).ok_or(DecimalError::Overflow)?;
            scale += 1;
        }
        let mut d = Decimal {
            mantissa,
            scale: u32::try_from(scale).map_err(|_| DecimalError::Overflow)?,
        };
        d.normalise();
        if d.scale > MAX_SCALE {
            return Err(DecimalError::Overflow);
        }
        Ok(d)
    }

    /// Number of decimals after normalisation (`9.50` has 1).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The normalised mantissa.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// True when strictly above zero.
    pub fn is_positive(&self) -> bool {
        self.mantissa > 0
    }

    /// The value in units of `10^-exp` when that is exact (`13.13` at exp 2 is `1313`); `None`
    /// when the value has more decimals than `exp` or does not fit an `i128`.
    pub fn to_scaled(&self, exp: u32) -> Option<i128> {
        if self.scale > exp {
            return None;
        }
        let factor = 10i128.checked_pow(exp - self.scale)?;
        self.mantissa.checked_mul(factor)
    }

    /// The shortest exact decimal text (`9`, `13.13`, `-0.5`).
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(f, self.mantissa, self.scale)
    }
}

/// Writes `value / 10^scale` with exactly `scale` decimals (no trimming).
pub fn format_scaled(f: &mut impl fmt::Write, value: i128, scale: u32) -> fmt::Result {
    if value < 0 {
        f.write_char('-')?;
    }
    let abs = value.unsigned_abs();
    if scale == 0 {
        return write!(f, "{abs}");
    }
    let p = 10u128.pow(scale);
    write!(f, "{}.{:0width$}", abs / p, abs % p, width = scale as usize)
}

/// `value / 10^scale` as the shortest exact decimal text (trailing zeros trimmed).
pub fn shortest_text(value: i128, scale: u32) -> String {
    Decimal::new(value, scale).to_string()
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let s = self.scale.max(other.scale);
        match (self.to_scaled(s), other.to_scaled(s)) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Values too large to align: compare by sign, then by magnitude proxy.
            _ => self.mantissa.signum().cmp(&other.mantissa.signum()),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_json_numbers_exactly() {
        assert_eq!(Decimal::parse("9").unwrap(), Decimal::parse("9.0").unwrap());
        assert_eq!(Decimal::parse("13.13").unwrap().to_scaled(2), Some(1313));
        assert_eq!(Decimal::parse("9.0001").unwrap().scale(), 4);
        assert_eq!(Decimal::parse("1e3").unwrap().to_scaled(0), Some(1000));
        assert_eq!(Decimal::parse("25E-1").unwrap().to_string(), "2.5");
        assert_eq!(Decimal::parse("-0.50").unwrap().to_string(), "-0.5");
    }

    #[test]
    fn rejects_non_numbers() {
        for t in [
            "", "-", "NaN", "Infinity", "1.", ".5", "1e", "1x", "--1", "1e+",
        ] {
            assert!(Decimal::parse(t).is_err(), "{t}");
        }
        assert_eq!(Decimal::parse("1e999999"), Err(DecimalError::Overflow));
        assert_eq!(
            Decimal::parse("99999999999999999999999999999999999999999999"),
            Err(DecimalError::Overflow)
        );
    }

    #[test]
    fn formats_shortest() {
        assert_eq!(shortest_text(1313, 2), "13.13");
        assert_eq!(shortest_text(9000, 3), "9");
        assert_eq!(shortest_text(1459, 3), "1.459");
        assert_eq!(shortest_text(0, 3), "0");
    }

    #[test]
    fn orders_across_scales() {
        assert!(Decimal::parse("9.5").unwrap() > Decimal::parse("9.49").unwrap());
        assert!(Decimal::parse("-1").unwrap() < Decimal::ZERO);
    }

    proptest::proptest! {
        #[test]
        fn round_trips_through_text(m in -1_000_000_000_000i128..1_000_000_000_000i128, s in 0u32..8) {
            let d = Decimal::new(m, s);
            proptest::prop_assert_eq!(Decimal::parse(&d.to_string()).unwrap(), d);
        }
    }
}

//! Amounts the acquirer authorises: money, or a fleet card's generic "units".
//!
//! DECISION: an [`Amount`] is an integer `value` plus a [`Unit`]. Card payments use
//! `Unit::Money(currency)` (value = minor units, simulators spec section 1). Fleet hosts such as
//! the ATIONet PFEP also authorise presets in volume ("9 L"; ationet spec D4), so
//! `Unit::Units { scale }` carries an exact decimal count of product units with `scale` decimals
//! (litres with ml precision: scale 3, `9 L` = value 9000). Both are integers, so every rule,
//! total and invariant works the same way for either; totals are kept per unit, as they are kept
//! per currency (SIM-A-01).

use std::fmt;

use payrig_core::decimal::format_scaled;
use payrig_core::{Currency, Decimal, Money};
use serde::{Deserialize, Serialize};

/// Largest scale a units amount may use (18 keeps `10^scale` inside `i64`).
pub const MAX_UNITS_SCALE: u32 = 18;

/// What an amount counts: minor units of a currency, or product units at a decimal scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unit {
    /// Money: the value is in minor units of this ISO 4217 currency.
    Money(Currency),
    /// Generic product units (fleet volume presets): the value is `units * 10^scale`.
    Units {
        /// Decimals carried by the value (3 for litres counted in ml).
        scale: u32,
    },
}

impl Unit {
    /// Decimals between the integer value and one major unit.
    pub fn scale(&self) -> u32 {
        match self {
            Unit::Money(c) => u32::from(c.exponent()),
            Unit::Units { scale } => *scale,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Money(c) => write!(f, "{c}"),
            Unit::Units { scale } => write!(f, "units/{scale}"),
        }
    }
}

/// An exact amount: integer `value` in the smallest step of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Amount {
    /// Minor units (money) or `units * 10^scale` (units).
    pub value: i64,
    /// What the value counts.
    pub unit: Unit,
}

impl Amount {
    /// A money amount.
    pub const fn money(m: Money) -> Amount {
        Amount {
            value: m.minor,
            unit: Unit::Money(m.currency),
        }
    }

    /// `value / 10^scale` product units (`Amount::units(9000, 3)` is 9 L counted in ml).
    pub const fn units(value: i64, scale: u32) -> Amount {
        Amount {
            value,
            unit: Unit::Units { scale },
        }
    }

    /// Zero of `unit`.
    pub const fn zero(unit: Unit) -> Amount {
        Amount { value: 0, unit }
    }

    /// The same unit with another value.
    pub const fn with_value(self, value: i64) -> Amount {
        Amount {
            value,
            unit: self.unit,
        }
    }

    /// As money, when the unit is a currency.
    pub fn as_money(&self) -> Option<Money> {
        match self.unit {
            Unit::Money(c) => Some(Money::from_minor(self.value, c)),
            Unit::Units { .. } => None,
        }
    }

    /// The amount as an exact decimal in major units (`13.13`, `9`).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(i128::from(self.value), self.unit.scale())
    }

    /// `d` major units in `unit`, truncated toward zero when `d` is finer than the unit's step
    /// (a grant of `20.005` units at scale 2 is `20.00`: the acquirer never grants more than
    /// asked). `None` when it does not fit.
    pub fn from_decimal_floor(d: Decimal, unit: Unit) -> Option<Amount> {
        let target = unit.scale();
        let v = if d.scale() <= target {
            d.to_scaled(target)?
        } else {
            let div = 10i128.checked_pow(d.scale() - target)?;
            d.mantissa() / div
        };
        i64::try_from(v).ok().map(|value| Amount { value, unit })
    }

    /// The last `n` decimal digits of the value, zero-padded (`10.04` USD, n = 3 -> `"004"`).
    /// Magic-amount rules match on this (simulators spec 4.2).
    pub fn last_digits(&self, n: usize) -> String {
        let s = format!("{:0width$}", self.value.unsigned_abs(), width = n);
        s[s.len() - n..].to_owned()
    }

    /// `self.last_digits(digits.len()) == digits`, without building the string: rules test
    /// this on every authorisation.
    pub(crate) fn last_digits_are(&self, digits: &str) -> bool {
        let mut v = self.value.unsigned_abs();
        digits.bytes().rev().all(|b| {
            // Past the value's own digits the padding is `0`, as in `last_digits`.
            let d = v % 10;
            v /= 10;
            u64::from(b) == u64::from(b'0') + d
        })
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.unit {
            Unit::Money(c) => {
                write!(f, "{c} ")?;
                format_scaled(f, i128::from(self.value), u32::from(c.exponent()))
            }
            Unit::Units { scale } => {
                format_scaled(f, i128::from(self.value), scale)?;
                f.write_str(" units")
            }
        }
    }
}

impl From<Money> for Amount {
    fn from(m: Money) -> Amount {
        Amount::money(m)
    }
}

/// An exact probability `num / den` (no floats in state; simulators spec 4.2 fault rates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Ratio {
    /// Numerator.
    pub num: u64,
    /// Denominator (0 means "never").
    pub den: u64,
}

impl Ratio {
    /// Never.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    /// `num / den`.
    pub const fn new(num: u64, den: u64) -> Ratio {
        Ratio { num, den }
    }

    /// An exact decimal in `0..=1` (`0.05` -> 5/100); `None` outside that range.
    pub fn from_decimal(d: Decimal) -> Option<Ratio> {
        if d.mantissa() < 0 || d > Decimal::from_int(1) {
            return None;
        }
        let den = 10u64.checked_pow(d.scale())?;
        let num = u64::try_from(d.mantissa()).ok()?;
        Some(Ratio { num, den })
    }

    /// True when the ratio can never fire.
    pub fn is_zero(&self) -> bool {
        self.num == 0 || self.den == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_digits_pad_and_cut() {
        let a = Amount::money(Money::from_minor(1004, Currency::USD));
        assert_eq!(a.last_digits(3), "004");
        assert_eq!(a.last_digits(2), "04");
        assert_eq!(Amount::units(5, 3).last_digits(3), "005");
        for v in [0i64, 5, 1004, -1004, 1051, i64::MAX, i64::MIN, 100_000] {
            let a = Amount::units(v, 2);
            for n in 0..23 {
                let s = a.last_digits(n);
                assert!(a.last_digits_are(&s), "{v} {n}");
                for other in ["", "0", "04", "004", "x4", "05", "51", "1004", "01004", "4"] {
                    assert_eq!(
                        a.last_digits_are(other),
                        a.last_digits(other.len()) == other
                    );
                }
            }
        }
    }

    #[test]
    fn decimal_conversion_truncates_never_rounds_up() {
        let usd = Unit::Money(Currency::USD);
        let d = Decimal::parse("20.005").unwrap();
        assert_eq!(Amount::from_decimal_floor(d, usd).unwrap().value, 2000);
        let d = Decimal::parse("20").unwrap();
        let u = Amount::from_decimal_floor(d, Unit::Units { scale: 3 }).unwrap();
        assert_eq!(u.value, 20_000);
        assert_eq!(u.to_string(), "20.000 units");
        assert_eq!(u.to_decimal(), d);
    }

    #[test]
    fn ratios_are_exact() {
        let r = Ratio::from_decimal(Decimal::parse("0.05").unwrap()).unwrap();
        assert_eq!((r.num, r.den), (5, 100));
        assert!(Ratio::from_decimal(Decimal::parse("1.5").unwrap()).is_none());
        assert!(Ratio::from_decimal(Decimal::parse("-0.1").unwrap()).is_none());
        assert!(Ratio::ZERO.is_zero());
    }
}

//! Unit prices and the exact money arithmetic of simulators.md 3.2.
//!
//! A price is stored as integer thousandths of a minor unit per litre (`1.789` EUR ->
//! `178 900`), so `amount(v)` and its inverse are integer formulas in `u128` with no rounding
//! other than the one half-up step the spec names.

use std::fmt;

use payrig_core::decimal::format_scaled;
use payrig_core::{Currency, Decimal, Money, Volume};
use serde::Serialize;

/// Extra decimals a price may carry beyond the currency exponent (simulators.md 3.2).
const PRICE_EXTRA_DECIMALS: u32 = 3;

/// `1 000 ml x 1 000 thousandths`: the denominator of `v x p`.
const ML_X_THOUSANDTHS: u128 = 1_000_000;

/// A unit price per litre: integer thousandths of a minor unit, with its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Price {
    thousandths: u64,
    currency: Currency,
}

/// Why a price text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// Not a decimal number.
    #[error("price is not a decimal number: `{0}`")]
    Syntax(String),
    /// More than exponent + 3 decimals.
    #[error("price `{text}` has more than {max} decimals for {currency}")]
    TooPrecise {
        /// The text given.
        text: String,
        /// The currency.
        currency: String,
        /// Decimals allowed (exponent + 3).
        max: u32,
    },
    /// Zero, negative or too large.
    #[error("price must be above zero and fit in u64 thousandths of a minor unit: `{0}`")]
    Range(String),
}

impl Price {
    /// A price from thousandths of a minor unit per litre; `None` for zero.
    pub fn from_thousandths(thousandths: u64, currency: Currency) -> Option<Price> {
        (thousandths > 0).then_some(Price {
            thousandths,
            currency,
        })
    }

    /// Parses a major-unit text (`"1.789"` EUR, `"1.459"` USD) exactly, with at most
    /// exponent + 3 decimals (simulators.md 3.2).
    pub fn parse_major(text: &str, currency: Currency) -> Result<Price, PriceError> {
        let d = Decimal::parse(text.trim()).map_err(|_| PriceError::Syntax(text.to_owned()))?;
        let max = u32::from(currency.exponent()) + PRICE_EXTRA_DECIMALS;
        if d.scale() > max {
            return Err(PriceError::TooPrecise {
                text: text.to_owned(),
                currency: currency.code().to_owned(),
                max,
            });
        }
        d.to_scaled(max)
            .and_then(|v| u64::try_from(v).ok())
            .and_then(|t| Price::from_thousandths(t, currency))
            .ok_or_else(|| PriceError::Range(text.to_owned()))
    }

    /// Thousandths of a minor unit per litre.
    pub fn thousandths(&self) -> u64 {
        self.thousandths
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Major-unit text with exponent + 3 decimals trimmed to the shortest exact form.
    pub fn to_major_string(&self) -> String {
        let scale = u32::from(self.currency.exponent()) + PRICE_EXTRA_DECIMALS;
        Decimal::new(i128::from(self.thousandths), scale).to_string()
    }

    /// Minor units for `volume`: ⌊(v·p + 500 000) / 1 000 000⌋, half-up (SIM-P-02).
    pub fn amount_minor(&self, volume: Volume) -> i64 {
        // Every real volume and price fits u64, where the division by a constant is a
        // multiply; u128 (same result) otherwise.
        if let Some(n) = volume
            .ml()
            .checked_mul(self.thousandths)
            .and_then(|x| x.checked_add(500_000))
        {
            return i64::try_from(n / 1_000_000).unwrap_or(i64::MAX);
        }
        let n = u128::from(volume.ml()) * u128::from(self.thousandths) + ML_X_THOUSANDTHS / 2;
        // v <= u64::MAX and p <= u64::MAX keep n below 2^128; the quotient can still exceed
        // i64 for absurd volumes, which saturates rather than wraps.
        i64::try_from(n / ML_X_THOUSANDTHS).unwrap_or(i64::MAX)
    }

    /// The money for `volume` at this price.
    pub fn amount(&self, volume: Volume) -> Money {
        Money::from_minor(self.amount_minor(volume), self.currency)
    }

    /// The largest volume whose amount does not exceed `preset_minor`:
    /// V_P = ⌊(P·1 000 000 + 499 999) / p⌋ (simulators.md 3.2, SIM-P-01). Negative presets
    /// buy nothing.
    pub fn volume_for_minor(&self, preset_minor: i64) -> Volume {
        let Ok(p) = u128::try_from(preset_minor) else {
            return Volume::ZERO;
        };
        let v = (p * ML_X_THOUSANDTHS + (ML_X_THOUSANDTHS / 2 - 1)) / u128::from(self.thousandths);
        Volume(u64::try_from(v).unwrap_or(u64::MAX))
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = u32::from(self.currency.exponent()) + PRICE_EXTRA_DECIMALS;
        format_scaled(f, i128::from(self.thousandths), scale)?;
        write!(f, " {}/L", self.currency)
    }
}

/// Traces show a price as its exact major-unit text and currency.
impl Serialize for Price {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Price", 2)?;
        st.serialize_field("per_litre", &self.to_major_string())?;
        st.serialize_field("currency", self.currency.code())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(t: &str) -> Price {
        Price::parse_major(t, Currency::EUR).unwrap()
    }

    #[test]
    fn parses_prices_exactly() {
        assert_eq!(eur("1.789").thousandths(), 178_900);
        assert_eq!(eur("1.78912").thousandths(), 178_912);
        assert_eq!(eur("2").thousandths(), 200_000);
        assert_eq!(eur("1.789").to_major_string(), "1.789");
        assert!(matches!(
            Price::parse_major("1.789123", Currency::EUR),
            Err(PriceError::TooPrecise { .. })
        ));
        assert!(matches!(
            Price::parse_major("0", Currency::EUR),
            Err(PriceError::Range(_))
        ));
        assert!(matches!(
            Price::parse_major("-1", Currency::EUR),
            Err(PriceError::Range(_))
        ));
        assert!(matches!(
            Price::parse_major("abc", Currency::EUR),
            Err(PriceError::Syntax(_))
        ));
        // JPY has exponent 0: three decimals of a yen at most.
        assert_eq!(
            Price::parse_major("170.5", Currency::JPY)
                .unwrap()
                .thousandths(),
            170_500
        );
        assert!(Price::parse_major("170.5001", Currency::JPY).is_err());
    }

    #[test]
    fn spec_example_money_preset() {
        // simulators.md 3.2: 50.00 EUR at 1.789 -> 27 951 ml, 50.00; 27 952 ml would cost 50.01.
        let p = eur("1.789");
        let v = p.volume_for_minor(5000);
        assert_eq!(v, Volume(27_951));
        assert_eq!(p.amount_minor(v), 5000);
        assert_eq!(p.amount_minor(Volume(27_952)), 5001);
    }

    #[test]
    fn ationet_example_amount() {
        // ationet.md: 9 L at 1.459 USD -> 13.13.
        let p = Price::parse_major("1.459", Currency::USD).unwrap();
        assert_eq!(p.amount(Volume(9_000)).to_major_string(), "13.13");
    }

    #[test]
    fn half_up_rounding() {
        // 1 ml at 0.50 per litre = 0.05 minor; 10 ml = 0.5 minor -> 1 (half-up).
        let p = eur("0.50");
        assert_eq!(p.amount_minor(Volume(9)), 0);
        assert_eq!(p.amount_minor(Volume(10)), 1);
        assert_eq!(p.volume_for_minor(0), Volume(9));
        assert_eq!(p.volume_for_minor(-5), Volume::ZERO);
    }

    proptest::proptest! {
        #[test]
        fn money_preset_volume_is_the_largest_affordable(
            p in 1u64..10_000_000, preset in 0i64..10_000_000
        ) {
            let price = Price::from_thousandths(p, Currency::EUR).unwrap();
            let v = price.volume_for_minor(preset);
            proptest::prop_assert!(price.amount_minor(v) <= preset);
            proptest::prop_assert!(price.amount_minor(Volume(v.ml() + 1)) > preset);
        }

        #[test]
        fn amount_never_panics(v in proptest::num::u64::ANY, p in 1u64..=u64::MAX) {
            let price = Price::from_thousandths(p, Currency::EUR).unwrap();
            let _ = price.amount_minor(Volume(v));
            let _ = price.volume_for_minor(i64::MAX);
        }
    }
}

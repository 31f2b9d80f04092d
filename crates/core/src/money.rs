//! Money as integer minor units with an ISO 4217 currency.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::decimal::{format_scaled, Decimal};

/// An ISO 4217 currency with its minor-unit exponent (USD 2, JPY 0, BHD 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// Why a money value or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Not an ISO 4217 alphabetic code payrig knows.
    #[error("unknown ISO 4217 currency `{0}`")]
    UnknownCurrency(String),
    /// The text is not a decimal amount.
    #[error("not a decimal amount: `{0}`")]
    Syntax(String),
    /// More decimals than the currency's exponent.
    #[error("{currency} takes at most {exponent} decimals")]
    TooPrecise {
        /// The currency code.
        currency: String,
        /// Its exponent.
        exponent: u8,
    },
    /// Does not fit in i64 minor units.
    #[error("amount out of range")]
    Overflow,
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {0} vs {1}")]
    CurrencyMismatch(String, String),
}

// ISO 4217 active codes and exponents (List One). Hand-kept because payrig-core stays free of
// dependencies beyond serde/thiserror/time and the table is short and stable.
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Euro.
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// Brazilian real.
    pub const BRL: Currency = Currency::known(*b"BRL", 2);
    /// Russian rouble.
    pub const RUB: Currency = Currency::known(*b"RUB", 2);
    /// Japanese yen (exponent 0).
    pub const JPY: Currency = Currency::known(*b"JPY", 0);

    const fn known(code: [u8; 3], exponent: u8) -> Currency {
        Currency { code, exponent }
    }

    /// Looks up an alphabetic ISO 4217 code (upper case, as the standard writes it).
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        ISO_4217
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, e)| {
                let b = c.as_bytes();
                Currency {
                    code: [b[0], b[1], b[2]],
                    exponent: *e,
                }
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The bytes always come from the ASCII table above.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Digits after the decimal point in the major unit.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::from_code(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: integer minor units plus currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents for USD).
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Builds an amount from minor units.
    pub const fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parses a major-unit decimal string (`"13.13"`) exactly; more decimals than the exponent
    /// are refused rather than rounded.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let d = Decimal::parse(text.trim()).map_err(|_| MoneyError::Syntax(text.to_owned()))?;
        Money::from_decimal(d, currency)
    }

    /// Converts an exact decimal in major units.
    pub fn from_decimal(d: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        if d.scale() > u32::from(currency.exponent) {
            return Err(MoneyError::TooPrecise {
                currency: currency.code().to_owned(),
                exponent: currency.exponent,
            });
        }
        let minor = d
            .to_scaled(u32::from(currency.exponent))
            .and_then(|v| i64::try_from(v).ok())
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    /// The amount as an exact decimal in major units.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(i128::from(self.minor), u32::from(self.currency.exponent))
    }

    /// Major-unit text with exactly `exponent` decimals (`"13.10"`).
    pub fn to_major_string(&self) -> String {
        let mut s = String::with_capacity(16);
        // Writing to a String cannot fail.
        let _ = format_scaled(
            &mut s,
            i128::from(self.minor),
            u32::from(self.currency.exponent),
        );
        s
    }

    /// Checked addition in the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or(MoneyError::Overflow)
    }

    /// Checked subtraction in the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or(MoneyError::Overflow)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code().to_owned(),
                other.currency.code().to_owned(),
            ))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.to_major_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::from_code("USD").unwrap().exponent(), 2);
        assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("BHD").unwrap().exponent(), 3);
        assert!(Currency::from_code("usd").is_err());
        assert!(Currency::from_code("XYZ").is_err());
    }

    #[test]
    fn parses_major_units_exactly() {
        let m = Money::parse_major("13.13", Currency::USD).unwrap();
        assert_eq!(m.minor, 1313);
        assert_eq!(m.to_major_string(), "13.13");
        assert!(matches!(
            Money::parse_major("13.131", Currency::USD),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert_eq!(Money::parse_major("500", Currency::JPY).unwrap().minor, 500);
        assert_eq!(
            Money::from_minor(-5, Currency::EUR).to_major_string(),
            "-0.05"
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let a = Money::from_minor(1, Currency::USD);
        let b = Money::from_minor(1, Currency::EUR);
        assert!(a.checked_add(b).is_err());
        assert_eq!(a.checked_add(a).unwrap().minor, 2);
    }
}

//! Test cards (simulators.md 2.1): entries, brands, behaviours, the card itself with its TOML
//! shape, Luhn and track 2. The table of cards is [`crate::CardTable`].

use std::fmt;

use payrig_core::{Currency, Decimal, MaskedPan, Money};
use serde::{Deserialize, Serialize, Serializer};

use crate::config::ConfigError;
use crate::cvm::Cvm;

/// How a card reaches the reader (simulators.md 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entry {
    /// Contactless (card or wallet).
    Tap,
    /// Contact chip.
    Insert,
    /// Magnetic stripe.
    Swipe,
    /// Keyed by the merchant (MOTO).
    Manual,
    /// Magnetic stripe after 3 chip read failures in the session.
    FallbackSwipe,
}

impl Entry {
    /// The snake_case spelling (`"fallback_swipe"`).
    pub fn name(self) -> &'static str {
        match self {
            Entry::Tap => "tap",
            Entry::Insert => "insert",
            Entry::Swipe => "swipe",
            Entry::Manual => "manual",
            Entry::FallbackSwipe => "fallback_swipe",
        }
    }

    /// Entries whose card stays in the reader until the customer takes it out.
    pub fn card_stays_in(self) -> bool {
        self == Entry::Insert
    }

    /// Entries that read a track 2 (all but manual entry).
    pub fn reads_track2(self) -> bool {
        self != Entry::Manual
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Card scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Brand {
    /// Visa.
    Visa,
    /// Mastercard.
    Mastercard,
    /// American Express.
    Amex,
    /// Discover.
    Discover,
    /// JCB.
    Jcb,
    /// Maestro.
    Maestro,
    /// UnionPay.
    Unionpay,
}

/// What the simulated issuer (or the chip) does with the card (simulators.md 2.1 `behaviour`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Behaviour {
    /// The issuer answers this ISO 8583 field-39 code (`"00"` approves, `"05"`, `"55"`, ...).
    Code(String),
    /// The acquirer never answers (`disc_timeout`).
    NoResponse,
    /// The chip refuses the card (reader `card_blocked`); read without the chip, `62` online.
    Blocked,
    /// The chip cannot be read; swipe fallback works after 3 failures (`mc_fallback`).
    ChipUnreadable,
}

impl Behaviour {
    /// Approve (`"00"`).
    pub fn approve() -> Behaviour {
        Behaviour::Code("00".to_owned())
    }

    /// Parses `"05"`, `"no_response"`, `"blocked"` or `"chip_unreadable"`.
    pub fn parse(text: &str) -> Option<Behaviour> {
        match text {
            "no_response" => Some(Behaviour::NoResponse),
            "blocked" => Some(Behaviour::Blocked),
            "chip_unreadable" => Some(Behaviour::ChipUnreadable),
            c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                Some(Behaviour::Code(c.to_owned()))
            }
            _ => None,
        }
    }

    /// The text form (inverse of [`Behaviour::parse`]).
    pub fn as_str(&self) -> &str {
        match self {
            Behaviour::Code(c) => c,
            Behaviour::NoResponse => "no_response",
            Behaviour::Blocked => "blocked",
            Behaviour::ChipUnreadable => "chip_unreadable",
        }
    }
}

impl Serialize for Behaviour {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A test card. Build one with [`Card::from_spec`] (validated) or take it from a
/// [`crate::CardTable`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    /// Table id (`"visa_ok"`).
    pub id: String,
    /// Scheme.
    pub brand: Brand,
    /// Primary account number, 12-19 digits, Luhn-valid.
    pub pan: String,
    /// Expiry, `YYMM`.
    pub expiry: String,
    /// Three-digit service code (`201`: chip card; `101`: magstripe only).
    pub service_code: String,
    /// Track 2 discretionary data after the service code (`00<nnn>00000` in the table).
    pub discretionary: String,
    /// The offline/online PIN, 4-12 digits.
    pub pin: String,
    /// Wrong offline PINs the chip allows before it blocks the PIN (1-15).
    pub pin_tries: u8,
    /// Physical entries the card supports (`fallback_swipe` follows `swipe`).
    pub entry: Vec<Entry>,
    /// A CVM that wins over the amount rules where the entry allows it.
    pub cvm_override: Option<Cvm>,
    /// Open-to-buy for the simulated issuer, if limited.
    pub balance: Option<Money>,
    /// Issuer / chip behaviour.
    pub behaviour: Behaviour,
    /// A phone or watch wallet (CDCVM above the contactless limit).
    pub wallet: bool,
}

/// The TOML shape of one card; every field but `id`, `brand`, `pan` and `expiry` has the
/// table's default (svc `201`, PIN `1234`, 3 tries, all entries, approve).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSpec {
    /// Table id.
    pub id: String,
    /// Scheme.
    pub brand: Brand,
    /// PAN digits.
    pub pan: String,
    /// `YYMM`.
    pub expiry: String,
    /// Service code, default `"201"`.
    #[serde(default)]
    pub service_code: Option<String>,
    /// Track 2 discretionary data, default `"0000000000"`.
    #[serde(default)]
    pub discretionary: Option<String>,
    /// PIN, default `"1234"`.
    #[serde(default)]
    pub pin: Option<String>,
    /// PIN tries, default 3.
    #[serde(default)]
    pub pin_tries: Option<u8>,
    /// Supported entries, default tap, insert, swipe, manual.
    #[serde(default)]
    pub entry: Option<Vec<Entry>>,
    /// CVM override.
    #[serde(default)]
    pub cvm_override: Option<Cvm>,
    /// `"20.00"` (table currency) or `"20.00 USD"`.
    #[serde(default)]
    pub balance: Option<String>,
    /// `"05"`, `"no_response"`, `"blocked"`, `"chip_unreadable"`; default `"00"`.
    #[serde(default)]
    pub behaviour: Option<String>,
    /// A wallet card.
    #[serde(default)]
    pub wallet: bool,
}

/// Luhn (mod 10) check over an all-digit string.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (false, _) => d,
                (true, x) if x > 9 => x - 9,
                (true, x) => x,
            }
        })
        .sum();
    sum % 10 == 0
}

fn all_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

impl Card {
    /// Builds and validates a card from its TOML shape; `currency` prices a bare `balance`.
    pub fn from_spec(spec: CardSpec, currency: Currency) -> Result<Card, ConfigError> {
        let bad = |field: &'static str, message: String| ConfigError::InvalidCard {
            id: spec.id.clone(),
            field,
            message,
        };
        let behaviour = match spec.behaviour.as_deref() {
            None => Behaviour::approve(),
            Some(t) => Behaviour::parse(t)
                .ok_or_else(|| bad("behaviour", format!("unknown behaviour `{t}`")))?,
        };
        let balance = match spec.balance.as_deref() {
            None => None,
            Some(t) => Some(parse_balance(t, currency).map_err(|m| bad("balance", m))?),
        };
        let card = Card {
            id: spec.id.clone(),
            brand: spec.brand,
            pan: spec.pan.clone(),
            expiry: spec.expiry.clone(),
            service_code: spec.service_code.clone().unwrap_or_else(|| "201".into()),
            discretionary: spec
                .discretionary
                .clone()
                .unwrap_or_else(|| "0000000000".into()),
            pin: spec.pin.clone().unwrap_or_else(|| "1234".into()),
            pin_tries: spec.pin_tries.unwrap_or(3),
            entry: spec
                .entry
                .clone()
                .unwrap_or_else(|| vec![Entry::Tap, Entry::Insert, Entry::Swipe, Entry::Manual]),
            cvm_override: spec.cvm_override,
            balance,
            behaviour,
            wallet: spec.wallet,
        };
        card.validate()?;
        Ok(card)
    }

    /// Checks every field (simulators.md 2.1 formats, Luhn-valid PAN).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field: &'static str, message: &str| {
            Err(ConfigError::InvalidCard {
                id: self.id.clone(),
                field,
                message: message.to_owned(),
            })
        };
        if self.id.trim().is_empty() {
            return bad("id", "empty id");
        }
        if !all_digits(&self.pan, 12, 19) {
            return bad("pan", "a PAN is 12-19 digits");
        }
        if !luhn_valid(&self.pan) {
            return bad("pan", "fails the Luhn check");
        }
        let month = self.expiry.get(2..).and_then(|m| m.parse::<u8>().ok());
        if !all_digits(&self.expiry, 4, 4) || !matches!(month, Some(1..=12)) {
            return bad("expiry", "expiry is YYMM");
        }
        if !all_digits(&self.service_code, 3, 3) {
            return bad("service_code", "a service code is 3 digits");
        }
        // Track 2 discretionary data is digits; its length keeps track 2 within 37 characters.
        if !all_digits(&self.discretionary, 0, 37) || self.track2().len() > 37 {
            return bad(
                "discretionary",
                "digits only, track 2 at most 37 characters",
            );
        }
        if !all_digits(&self.pin, 4, 12) {
            return bad("pin", "a PIN is 4-12 digits");
        }
        if !(1..=15).contains(&self.pin_tries) {
            return bad("pin_tries", "PIN tries are 1-15");
        }
        if self.entry.is_empty() {
            return bad("entry", "no entry mode");
        }
        if self.entry.contains(&Entry::FallbackSwipe) {
            return bad("entry", "fallback_swipe follows swipe; list swipe instead");
        }
        if self.balance.is_some_and(|b| b.minor < 0) {
            return bad("balance", "negative balance");
        }
        Ok(())
    }

    /// Track 2 equivalent data without sentinels: `PAN=YYMM<svc><discretionary>`.
    pub fn track2(&self) -> String {
        format!(
            "{}={}{}{}",
            self.pan, self.expiry, self.service_code, self.discretionary
        )
    }

    /// First 6 and last 4 digits.
    pub fn masked_pan(&self) -> MaskedPan {
        MaskedPan::new(&self.pan)
    }

    /// True when the service code says the card has a chip (`2xx`, `6xx`).
    pub fn has_chip(&self) -> bool {
        matches!(self.service_code.as_bytes().first(), Some(b'2' | b'6'))
    }

    /// True when the card can be read with `entry` (`fallback_swipe` iff `swipe`).
    pub fn supports(&self, entry: Entry) -> bool {
        match entry {
            Entry::FallbackSwipe => self.entry.contains(&Entry::Swipe),
            e => self.entry.contains(&e),
        }
    }
}

/// `"20.00"` in `currency`, or `"20.00 USD"`; exact, not negative.
fn parse_balance(text: &str, currency: Currency) -> Result<Money, String> {
    let mut parts = text.split_whitespace();
    let amount = parts.next().unwrap_or("");
    let currency = match parts.next() {
        Some(code) => Currency::from_code(code).map_err(|e| e.to_string())?,
        None => currency,
    };
    if parts.next().is_some() {
        return Err(format!("expected `20.00` or `20.00 EUR`: `{text}`"));
    }
    let d = Decimal::parse(amount).map_err(|e| format!("`{text}`: {e}"))?;
    Money::from_decimal(d, currency).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(pan: &str) -> CardSpec {
        CardSpec {
            id: "x".into(),
            brand: Brand::Visa,
            pan: pan.into(),
            expiry: "3112".into(),
            service_code: None,
            discretionary: None,
            pin: None,
            pin_tries: None,
            entry: None,
            cvm_override: None,
            balance: None,
            behaviour: None,
            wallet: false,
        }
    }

    #[test]
    fn luhn_track2_and_defaults() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("41111111a1111111"));
        assert!(!luhn_valid(""));
        let c = Card::from_spec(spec("4761730000000011"), Currency::EUR).unwrap();
        assert_eq!(c.track2(), "4761730000000011=31122010000000000");
        assert_eq!((c.pin.as_str(), c.pin_tries), ("1234", 3));
        assert!(c.has_chip() && c.supports(Entry::FallbackSwipe));
        assert_eq!(c.behaviour, Behaviour::approve());
        assert!(Card::from_spec(spec("4761730000000012"), Currency::EUR).is_err());
        let mut s = spec("4761730000000011");
        s.expiry = "3113".into();
        assert!(Card::from_spec(s, Currency::EUR).is_err());
        for b in ["05", "no_response", "blocked", "chip_unreadable"] {
            assert_eq!(Behaviour::parse(b).unwrap().as_str(), b);
        }
        assert_eq!(Behaviour::parse("5"), None);
    }
}

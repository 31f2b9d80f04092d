//! Reader configuration: typed, validated, deserialisable from a scenario's `[reader.<id>]`
//! table (simulators.md 5).
//!
//! Texts (`"60s"`, `"50.00"`, `"3s ± 1s"`) are parsed exactly by payrig-core parsers; nothing
//! is stored as a float. The card table is not part of `[reader.<id>]`: it defaults to the
//! published table and is replaced with [`ReaderConfig::with_cards`]. [`ReaderConfig::validate`]
//! is the single gate: [`crate::Reader::new`] runs it.
//!
//! `transport`, `port`, `bdk` and `ksn` are accepted (and checked for shape) so scenario files
//! written for the full spec load today, but nothing uses them yet: DUKPT (2.5) and the serial
//! link (2.6) are a later issue. The seam is [`crate::CardData::enc`], always `None` for now.

use payrig_core::{Decimal, Duration};
use serde::{Deserialize, Deserializer};

use crate::card::Entry;
use crate::customer::Customer;
use crate::cvm::{default_rules, parse_threshold, CvmRule};
use crate::table::CardTable;

/// Why a configuration, card or card table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A TOML text did not parse or did not have the expected shape.
    #[error("TOML: {0}")]
    Toml(String),
    /// A text field did not parse.
    #[error("`{field}`: {message}")]
    Parse {
        /// The field.
        field: &'static str,
        /// What was wrong.
        message: String,
    },
    /// A card field is invalid (bad PAN, Luhn, expiry, PIN, ...).
    #[error("card `{id}`: `{field}`: {message}")]
    InvalidCard {
        /// The card id.
        id: String,
        /// The field.
        field: &'static str,
        /// What was wrong.
        message: String,
    },
    /// Two cards share an id.
    #[error("card id `{0}` is used twice")]
    DuplicateCard(String),
    /// The customer names a card that is not in the table.
    #[error("customer card `{0}` is not in the card table")]
    UnknownCard(String),
    /// A value that must be above zero is zero.
    #[error("`{0}` must be above zero")]
    Zero(&'static str),
    /// A list that must not be empty is empty, or holds a value it must not.
    #[error("`{0}` is empty or holds a value it must not")]
    BadList(&'static str),
}

/// Configuration of one reader. Defaults: simulators.md 2.3 timers, 2.2 CVM rules, the
/// published card table, no scripted customer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReaderConfig {
    /// Reader id (the `R1` of `[reader.R1]`, stream and trace source `reader/R1`); set with
    /// [`Self::with_id`].
    #[serde(skip)]
    pub id: String,
    /// The cards the reader knows; set with [`Self::with_cards`].
    #[serde(skip)]
    pub cards: CardTable,
    /// Entries the hardware supports (default tap, insert, swipe, manual); a session uses
    /// those of its `begin` that are also here. `fallback_swipe` follows `swipe`.
    pub modes: Vec<Entry>,
    /// Scenario CVM rules, tried before the defaults (simulators.md 2.2).
    pub cvm_rules: Vec<CvmRule>,
    /// Contactless CVM limit in major units of any currency (default `"50.00"`).
    #[serde(deserialize_with = "de_decimal")]
    pub contactless_cvm_limit: Decimal,
    /// WaitingForCard -> Aborted after this long from `begin` (default 60 s; TECS `card_wait`).
    #[serde(deserialize_with = "de_duration")]
    pub present_timeout: Duration,
    /// Online -> Failed when the host has not answered after this long (default 45 s).
    #[serde(deserialize_with = "de_duration")]
    pub online_timeout: Duration,
    /// RemoveCard ends anyway after this long (default 30 s).
    #[serde(deserialize_with = "de_duration")]
    pub remove_timeout: Duration,
    /// Reading a presented card takes this long (default 500 ms).
    #[serde(deserialize_with = "de_duration")]
    pub read_time: Duration,
    /// The chip's second step after the host result takes this long (default 300 ms).
    #[serde(deserialize_with = "de_duration")]
    pub complete_time: Duration,
    /// A scripted customer acting after every `begin`.
    pub customer: Option<Customer>,
    /// Reserved for the serial link (2.6): `"in-process"` or `"serial"`. Not used yet.
    pub transport: Option<String>,
    /// Reserved for the serial link (2.6): `"pty"` or an OS port name. Not used yet.
    pub port: Option<String>,
    /// Reserved for DUKPT (2.5): base derivation key, 32 hex digits. Not used yet.
    pub bdk: Option<String>,
    /// Reserved for DUKPT (2.5): initial KSN, 20 hex digits. Not used yet.
    pub ksn: Option<String>,
}

impl Default for ReaderConfig {
    fn default() -> ReaderConfig {
        ReaderConfig {
            id: "R1".into(),
            cards: CardTable::published(),
            modes: vec![Entry::Tap, Entry::Insert, Entry::Swipe, Entry::Manual],
            cvm_rules: Vec::new(),
            contactless_cvm_limit: Decimal::new(5_000, 2),
            present_timeout: Duration::from_secs(60),
            online_timeout: Duration::from_secs(45),
            remove_timeout: Duration::from_secs(30),
            read_time: Duration::from_millis(500),
            complete_time: Duration::from_millis(300),
            customer: None,
            transport: None,
            port: None,
            bdk: None,
            ksn: None,
        }
    }
}

impl ReaderConfig {
    /// Sets the reader id.
    pub fn with_id(mut self, id: impl Into<String>) -> ReaderConfig {
        self.id = id.into();
        self
    }

    /// Replaces the card table.
    pub fn with_cards(mut self, cards: CardTable) -> ReaderConfig {
        self.cards = cards;
        self
    }

    /// Sets (or removes) the scripted customer.
    pub fn with_customer(mut self, customer: Option<Customer>) -> ReaderConfig {
        self.customer = customer;
        self
    }

    /// The trace source and RNG stream name, `reader/<id>`.
    pub fn src(&self) -> String {
        format!("reader/{}", self.id)
    }

    /// Scenario rules followed by the defaults for this contactless limit.
    pub fn effective_rules(&self) -> Vec<CvmRule> {
        let mut r = self.cvm_rules.clone();
        r.extend(default_rules(self.contactless_cvm_limit));
        r
    }

    /// Checks the configuration as a whole.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.id.is_empty() {
            return Err(ConfigError::Parse {
                field: "id",
                message: "empty reader id".into(),
            });
        }
        for (name, d) in [
            ("present_timeout", self.present_timeout),
            ("online_timeout", self.online_timeout),
            ("remove_timeout", self.remove_timeout),
        ] {
            if d == Duration::ZERO {
                return Err(ConfigError::Zero(name));
            }
        }
        if self.modes.is_empty() || self.modes.contains(&Entry::FallbackSwipe) {
            return Err(ConfigError::BadList("modes"));
        }
        for c in self.cards.iter() {
            c.validate()?;
        }
        if let Some(c) = &self.customer {
            if self.cards.get(&c.card).is_none() {
                return Err(ConfigError::UnknownCard(c.card.clone()));
            }
        }
        check_hex("bdk", self.bdk.as_deref(), 32)?;
        check_hex("ksn", self.ksn.as_deref(), 20)?;
        Ok(())
    }
}

fn check_hex(field: &'static str, v: Option<&str>, len: usize) -> Result<(), ConfigError> {
    match v {
        Some(s) if s.len() != len || !s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Err(ConfigError::Parse {
                field,
                message: format!("expected {len} hex digits"),
            })
        }
        _ => Ok(()),
    }
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    Duration::parse(&s).map_err(serde::de::Error::custom)
}

fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let s = String::deserialize(d)?;
    parse_threshold(&s).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cvm::Cvm;
    use payrig_core::rng::DurationSpec;

    const READER_TOML: &str = r#"
transport = "serial"
port = "pty"
bdk = "0123456789ABCDEFFEDCBA9876543210"
ksn = "FFFF9876543210E00000"
modes = ["tap", "insert", "swipe"]
cvm_rules = [ { entry = "insert", above = "200.00", cvm = "online_pin" },
              { entry = "insert", above = "100.00", cvm = "offline_pin" },
              { entry = "insert", cvm = "signature" } ]

[customer]
card = "visa_ok"
entry = "insert"
present_after = "3s ± 1s"
pin = ["9999", "1234"]
tip = "none"
abort_at = "none"
remove = "after_result"
"#;

    #[test]
    fn parses_the_spec_reader_table() {
        let cfg: ReaderConfig = toml::from_str(READER_TOML).unwrap();
        let cfg = cfg.with_id("R1");
        cfg.validate().unwrap();
        assert_eq!(cfg.src(), "reader/R1");
        assert_eq!(cfg.modes, vec![Entry::Tap, Entry::Insert, Entry::Swipe]);
        assert_eq!(cfg.cvm_rules.len(), 3);
        assert_eq!(cfg.effective_rules().len(), 3 + 9);
        assert_eq!(cfg.cvm_rules[1].cvm, Cvm::OfflinePin);
        assert_eq!(cfg.present_timeout, Duration::from_secs(60));
        let c = cfg.customer.as_ref().unwrap();
        assert_eq!(c.present_after, Some(DurationSpec::new(3_000, 1_000)));
        assert_eq!(cfg.cards.len(), 17);
    }

    #[test]
    fn rejects_bad_tables() {
        let parse = |t: &str| toml::from_str::<ReaderConfig>(t);
        assert!(parse("present_timeout = \"soon\"").is_err());
        assert!(parse("contactless_cvm_limit = \"-1\"").is_err());
        assert!(parse("colour = \"red\"").is_err());
        let cfg = parse("present_timeout = \"0s\"").unwrap();
        assert_eq!(cfg.validate(), Err(ConfigError::Zero("present_timeout")));
        let cfg = parse("modes = []").unwrap();
        assert_eq!(cfg.validate(), Err(ConfigError::BadList("modes")));
        let cfg = parse("bdk = \"0123\"").unwrap();
        assert!(matches!(
            cfg.validate(),
            Err(ConfigError::Parse { field: "bdk", .. })
        ));
        let cfg = parse("[customer]\ncard = \"nobody\"").unwrap();
        assert_eq!(
            cfg.validate(),
            Err(ConfigError::UnknownCard("nobody".into()))
        );
        let cfg = parse("online_timeout = \"2m\"\ncontactless_cvm_limit = \"25\"").unwrap();
        assert_eq!(cfg.online_timeout, Duration::from_secs(120));
        assert_eq!(cfg.contactless_cvm_limit, Decimal::new(25, 0));
    }
}

//! The card table: payrig's published test cards (simulators.md 2.1) and user replacements.
//!
//! The default table is `fixtures/cards/test-cards.toml`, embedded at build time, so a reader
//! works with no files; [`CardTable::from_toml`] reads a replacement of the same shape and
//! [`CardTable::merge`] adds a scenario's extra `cards = [...]` on top.

use payrig_core::Currency;
use serde::Deserialize;

use crate::card::{Card, CardSpec};
use crate::config::ConfigError;

/// The published table, as shipped in the repository.
pub const PUBLISHED_TABLE_TOML: &str = include_str!("../../../fixtures/cards/test-cards.toml");

/// The TOML shape of a card file: `currency = "EUR"` and `[[cards]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableToml {
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    cards: Vec<CardSpec>,
}

/// An ordered set of cards with unique ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardTable {
    cards: Vec<Card>,
}

impl CardTable {
    /// The published table (simulators.md 2.1 plus TECS's `tecs_visa`), embedded at build time.
    pub fn published() -> CardTable {
        // The embedded file is checked by a unit test; an empty table is never handed out
        // silently in a build that passed its tests.
        CardTable::from_toml(PUBLISHED_TABLE_TOML).unwrap_or_default()
    }

    /// Parses a card file (`currency` for bare balances, default EUR; `[[cards]]` or
    /// `cards = [...]`), validating every card and refusing duplicate ids.
    pub fn from_toml(text: &str) -> Result<CardTable, ConfigError> {
        let t: TableToml = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        let currency = match t.currency.as_deref() {
            Some(code) => Currency::from_code(code).map_err(|e| ConfigError::Parse {
                field: "currency",
                message: e.to_string(),
            })?,
            None => Currency::EUR,
        };
        let cards = t
            .cards
            .into_iter()
            .map(|spec| Card::from_spec(spec, currency))
            .collect::<Result<Vec<_>, _>>()?;
        CardTable::new(cards)
    }

    /// A table from validated cards; duplicate ids are refused.
    pub fn new(cards: Vec<Card>) -> Result<CardTable, ConfigError> {
        let mut t = CardTable { cards: Vec::new() };
        for c in cards {
            c.validate()?;
            if t.get(&c.id).is_some() {
                return Err(ConfigError::DuplicateCard(c.id));
            }
            t.cards.push(c);
        }
        Ok(t)
    }

    /// Adds `other`'s cards; a card with an id already here replaces it in place.
    pub fn merge(&mut self, other: CardTable) {
        for c in other.cards {
            match self.cards.iter_mut().find(|x| x.id == c.id) {
                Some(slot) => *slot = c,
                None => self.cards.push(c),
            }
        }
    }

    /// The card with table id `id`.
    pub fn get(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }

    /// Cards in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Card> {
        self.cards.iter()
    }

    /// Number of cards.
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// True when the table has no card.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{luhn_valid, Behaviour, Brand, Entry};
    use crate::cvm::Cvm;
    use payrig_core::Money;

    /// simulators.md 2.1, verbatim: (id, brand, PAN, track 2).
    const TABLE: &[(&str, Brand, &str, &str)] = &[
        (
            "visa_ok",
            Brand::Visa,
            "4761730000000011",
            "4761730000000011=31122010000100000",
        ),
        (
            "visa_decline",
            Brand::Visa,
            "4761730000000029",
            "4761730000000029=31122010000200000",
        ),
        (
            "visa_nsf",
            Brand::Visa,
            "4761730000000037",
            "4761730000000037=31122010000300000",
        ),
        (
            "visa_expired",
            Brand::Visa,
            "4761730000000045",
            "4761730000000045=22122010000400000",
        ),
        (
            "visa_lost",
            Brand::Visa,
            "4761730000000052",
            "4761730000000052=31122010000500000",
        ),
        (
            "visa_issuer_down",
            Brand::Visa,
            "4761730000000060",
            "4761730000000060=31122010000600000",
        ),
        (
            "visa_swipe_only",
            Brand::Visa,
            "4761730000000078",
            "4761730000000078=31121010000700000",
        ),
        (
            "visa_wallet",
            Brand::Visa,
            "4000000000000085",
            "4000000000000085=31122010000800000",
        ),
        (
            "mc_ok",
            Brand::Mastercard,
            "5413330000000118",
            "5413330000000118=31122010001100000",
        ),
        (
            "mc_pin_fail",
            Brand::Mastercard,
            "5413330000000126",
            "5413330000000126=31122010001200000",
        ),
        (
            "mc_blocked",
            Brand::Mastercard,
            "5413330000000134",
            "5413330000000134=31122010001300000",
        ),
        (
            "mc_fallback",
            Brand::Mastercard,
            "2223000000000148",
            "2223000000000148=31122010001400000",
        ),
        (
            "mc_partial",
            Brand::Mastercard,
            "2223000000000155",
            "2223000000000155=31122010001500000",
        ),
        (
            "amex_ok",
            Brand::Amex,
            "371449000000216",
            "371449000000216=31122010002100000",
        ),
        (
            "disc_timeout",
            Brand::Discover,
            "6011110000000316",
            "6011110000000316=31122010003100000",
        ),
        (
            "jcb_ok",
            Brand::Jcb,
            "3530110000000414",
            "3530110000000414=31122010004100000",
        ),
    ];

    #[test]
    fn published_table_matches_the_spec_row_by_row() {
        let t = CardTable::published();
        assert_eq!(t.len(), TABLE.len() + 1);
        for (id, brand, pan, track2) in TABLE {
            let c = t.get(id).unwrap_or_else(|| panic!("missing {id}"));
            assert_eq!((c.brand, c.pan.as_str()), (*brand, *pan), "{id}");
            assert_eq!(c.track2(), *track2, "{id}");
            assert_eq!((c.pin.as_str(), c.pin_tries), ("1234", 3), "{id}");
        }
        let code = |id: &str| t.get(id).unwrap().behaviour.clone();
        assert_eq!(code("visa_decline"), Behaviour::Code("05".into()));
        assert_eq!(code("visa_expired"), Behaviour::Code("54".into()));
        assert_eq!(code("mc_pin_fail"), Behaviour::Code("55".into()));
        assert_eq!(code("mc_blocked"), Behaviour::Blocked);
        assert_eq!(code("mc_fallback"), Behaviour::ChipUnreadable);
        assert_eq!(code("disc_timeout"), Behaviour::NoResponse);
        let eur = |m| Some(Money::from_minor(m, Currency::EUR));
        assert_eq!(t.get("visa_nsf").unwrap().balance, eur(2_000));
        assert_eq!(t.get("mc_partial").unwrap().balance, eur(2_500));
        assert_eq!(t.get("amex_ok").unwrap().cvm_override, Some(Cvm::Signature));
        assert_eq!(t.get("jcb_ok").unwrap().cvm_override, Some(Cvm::OfflinePin));
        let wallet = t.get("visa_wallet").unwrap();
        assert!(wallet.wallet && wallet.entry == vec![Entry::Tap]);
        let swipe = t.get("visa_swipe_only").unwrap();
        assert!(!swipe.has_chip() && !swipe.supports(Entry::Insert));
        let tecs = t.get("tecs_visa").unwrap();
        assert_eq!(tecs.track2(), "4111111111111111=27122010000000000");
        assert_eq!(tecs.masked_pan().as_str(), "411111******1111");
    }

    #[test]
    fn every_card_is_luhn_valid() {
        for c in CardTable::published().iter() {
            assert!(luhn_valid(&c.pan), "{} {}", c.id, c.pan);
        }
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("41111111a1111111"));
        assert!(!luhn_valid(""));
    }

    #[test]
    fn user_tables_get_defaults_and_are_checked() {
        let t = CardTable::from_toml(
            r#"cards = [ { id = "fleet_1", pan = "4761730000000094", brand = "visa", expiry = "3112", pin = "4321", balance = "5.00 USD" } ]"#,
        )
        .unwrap();
        let c = t.get("fleet_1").unwrap();
        assert_eq!(c.service_code, "201");
        assert_eq!(c.pin, "4321");
        assert_eq!(c.balance, Some(Money::from_minor(500, Currency::USD)));
        assert_eq!(c.entry.len(), 4);
        let bad = |body: &str| {
            CardTable::from_toml(&format!(
                "[[cards]]\nid = \"x\"\nbrand = \"visa\"\nexpiry = \"3112\"\n{body}"
            ))
        };
        assert!(matches!(
            bad("pan = \"4761730000000012\""),
            Err(ConfigError::InvalidCard { field: "pan", .. })
        ));
        assert!(bad("pan = \"4761730000000011\"\npin = \"12\"").is_err());
        assert!(bad("pan = \"4761730000000011\"\nbehaviour = \"maybe\"").is_err());
        assert!(bad("pan = \"4761730000000011\"\nbalance = \"1.001\"").is_err());
        assert!(bad("pan = \"4761730000000011\"\ncolour = \"red\"").is_err());
        assert!(bad("pan = \"4761730000000011\"\nexpiry2 = \"3113\"").is_err());
        let dup = "[[cards]]\nid = \"a\"\nbrand = \"visa\"\npan = \"4111111111111111\"\nexpiry = \"3112\"\n";
        assert_eq!(
            CardTable::from_toml(&format!("{dup}{dup}")),
            Err(ConfigError::DuplicateCard("a".into()))
        );
        let mut base = CardTable::published();
        base.merge(CardTable::from_toml(&dup.replace("\"a\"", "\"visa_ok\"")).unwrap());
        assert_eq!(base.get("visa_ok").unwrap().pan, "4111111111111111");
        assert_eq!(base.len(), TABLE.len() + 1);
    }
}

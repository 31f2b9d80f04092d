//! Cardholder verification (simulators.md 2.2): a pure function of (card, entry, total,
//! currency) and an ordered list of rules, first match wins (SIM-R-02).
//!
//! DECISION (spec): the defaults copy the amount-driven pattern of Adyen's physical test card;
//! thresholds are major units and other currencies reuse the same values (200.00 EUR and
//! 200 JPY are both "200"). Scenario `cvm_rules` are tried before the defaults, so a file that
//! only speaks about `insert` keeps the tap, swipe and manual defaults.

use std::fmt;

use payrig_core::{Decimal, Money};
use serde::{Deserialize, Serialize};

use crate::card::{Card, Entry};
use crate::config::ConfigError;

/// A cardholder verification method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cvm {
    /// No verification (small contactless, MOTO, refunds).
    None,
    /// Paper or on-screen signature.
    Signature,
    /// PIN checked by the chip; wrong PINs count down the card's tries.
    OfflinePin,
    /// PIN sent to the issuer in a PIN block; a wrong one is declined `55` online.
    OnlinePin,
    /// Consumer-device CVM (the phone or watch verified the holder).
    Cdcvm,
}

impl Cvm {
    /// The snake_case spelling.
    pub fn name(self) -> &'static str {
        match self {
            Cvm::None => "none",
            Cvm::Signature => "signature",
            Cvm::OfflinePin => "offline_pin",
            Cvm::OnlinePin => "online_pin",
            Cvm::Cdcvm => "cdcvm",
        }
    }

    /// True when the customer types a PIN on the pad.
    pub fn needs_pin(self) -> bool {
        matches!(self, Cvm::OfflinePin | Cvm::OnlinePin)
    }

    /// DECISION: whether `entry` can carry this CVM at all. Offline PIN needs the contact chip,
    /// CDCVM a contactless wallet, signature a cardholder at the counter (not MOTO); online
    /// PIN needs a PIN pad the card is at (not MOTO). An override or rule that is not possible
    /// for the entry is skipped.
    pub fn possible_with(self, entry: Entry) -> bool {
        match self {
            Cvm::None => true,
            Cvm::Signature | Cvm::OnlinePin => entry != Entry::Manual,
            Cvm::OfflinePin => entry == Entry::Insert,
            Cvm::Cdcvm => entry == Entry::Tap,
        }
    }
}

impl fmt::Display for Cvm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One rule: when every given condition holds, the CVM is `cvm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CvmRuleToml")]
pub struct CvmRule {
    /// Entry the rule is for; `None` matches every entry.
    pub entry: Option<Entry>,
    /// Matches only when the total is strictly above this many major units.
    #[serde(serialize_with = "ser_opt_decimal")]
    pub above: Option<Decimal>,
    /// Matches only wallets (`Some(true)`) or only plain cards (`Some(false)`).
    pub wallet: Option<bool>,
    /// The chosen method.
    pub cvm: Cvm,
}

fn ser_opt_decimal<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.to_text()),
        None => s.serialize_none(),
    }
}

/// TOML: `{ entry = "insert", above = "200.00", cvm = "online_pin" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CvmRuleToml {
    #[serde(default)]
    entry: Option<Entry>,
    #[serde(default)]
    above: Option<String>,
    #[serde(default)]
    wallet: Option<bool>,
    cvm: Cvm,
}

impl TryFrom<CvmRuleToml> for CvmRule {
    type Error = ConfigError;

    fn try_from(t: CvmRuleToml) -> Result<CvmRule, ConfigError> {
        let above = t.above.as_deref().map(parse_threshold).transpose()?;
        Ok(CvmRule {
            entry: t.entry,
            above,
            wallet: t.wallet,
            cvm: t.cvm,
        })
    }
}

/// A non-negative major-unit amount (`"50.00"`), exact.
pub(crate) fn parse_threshold(text: &str) -> Result<Decimal, ConfigError> {
    Decimal::parse(text.trim())
        .ok()
        .filter(|d| d.mantissa() >= 0)
        .ok_or_else(|| ConfigError::Parse {
            field: "cvm_rules.above",
            message: format!("not a non-negative decimal amount: `{text}`"),
        })
}

impl CvmRule {
    /// A rule from parts.
    pub fn new(entry: Option<Entry>, above: Option<Decimal>, cvm: Cvm) -> CvmRule {
        CvmRule {
            entry,
            above,
            wallet: None,
            cvm,
        }
    }

    fn matches(&self, card: &Card, entry: Entry, total_major: Decimal) -> bool {
        self.entry.is_none_or(|e| e == entry)
            && self.above.is_none_or(|a| total_major > a)
            && self.wallet.is_none_or(|w| w == card.wallet)
            && self.cvm.possible_with(entry)
    }
}

/// The simulators.md 2.2 defaults with contactless CVM limit `contactless_limit` (50.00):
/// insert > 200.00 online PIN, > 100.00 offline PIN, else signature; tap up to the limit none,
/// above it CDCVM for wallets and online PIN for cards; swipe and fallback signature; manual
/// none.
pub fn default_rules(contactless_limit: Decimal) -> Vec<CvmRule> {
    let major = |v: i128| Some(Decimal::new(v, 0));
    vec![
        CvmRule::new(Some(Entry::Insert), major(200), Cvm::OnlinePin),
        CvmRule::new(Some(Entry::Insert), major(100), Cvm::OfflinePin),
        CvmRule::new(Some(Entry::Insert), None, Cvm::Signature),
        CvmRule {
            wallet: Some(true),
            ..CvmRule::new(Some(Entry::Tap), Some(contactless_limit), Cvm::Cdcvm)
        },
        CvmRule::new(Some(Entry::Tap), Some(contactless_limit), Cvm::OnlinePin),
        CvmRule::new(Some(Entry::Tap), None, Cvm::None),
        CvmRule::new(Some(Entry::Swipe), None, Cvm::Signature),
        CvmRule::new(Some(Entry::FallbackSwipe), None, Cvm::Signature),
        CvmRule::new(Some(Entry::Manual), None, Cvm::None),
    ]
}

/// SIM-R-02: the CVM for `card` read with `entry` for `total` (amount + tip, in its currency).
/// The card's `cvm_override` wins where the entry allows it; then the first matching rule;
/// `Cvm::None` when nothing matches. Pure: no state, no randomness.
pub fn select_cvm(rules: &[CvmRule], card: &Card, entry: Entry, total: Money) -> Cvm {
    if let Some(o) = card.cvm_override.filter(|o| o.possible_with(entry)) {
        return o;
    }
    let total_major = total.to_decimal();
    rules
        .iter()
        .find(|r| r.matches(card, entry, total_major))
        .map_or(Cvm::None, |r| r.cvm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::CardTable;
    use payrig_core::Currency;

    fn cvm(id: &str, entry: Entry, minor: i64, cur: Currency) -> Cvm {
        let t = CardTable::published();
        let rules = default_rules(Decimal::new(50, 0));
        select_cvm(
            &rules,
            t.get(id).unwrap(),
            entry,
            Money::from_minor(minor, cur),
        )
    }

    #[test]
    fn default_table_cases() {
        use Entry::*;
        let eur = Currency::EUR;
        for (entry, minor, want) in [
            (Insert, 20_001, Cvm::OnlinePin),
            (Insert, 20_000, Cvm::OfflinePin),
            (Insert, 10_001, Cvm::OfflinePin),
            (Insert, 10_000, Cvm::Signature),
            (Insert, 0, Cvm::Signature),
            (Tap, 5_000, Cvm::None),
            (Tap, 5_001, Cvm::OnlinePin),
            (Swipe, 99_999, Cvm::Signature),
            (FallbackSwipe, 1, Cvm::Signature),
            (Manual, 99_999, Cvm::None),
        ] {
            assert_eq!(cvm("visa_ok", entry, minor, eur), want, "{entry} {minor}");
        }
        // Other currencies reuse the major-unit values.
        assert_eq!(cvm("visa_ok", Insert, 201, Currency::JPY), Cvm::OnlinePin);
        assert_eq!(cvm("visa_ok", Tap, 51, Currency::JPY), Cvm::OnlinePin);
        // Wallets verify on the device above the limit.
        assert_eq!(cvm("visa_wallet", Tap, 5_001, eur), Cvm::Cdcvm);
        assert_eq!(cvm("visa_wallet", Tap, 5_000, eur), Cvm::None);
    }

    #[test]
    fn overrides_win_where_the_entry_allows_them() {
        let eur = Currency::EUR;
        assert_eq!(cvm("amex_ok", Entry::Insert, 50_000, eur), Cvm::Signature);
        assert_eq!(cvm("amex_ok", Entry::Tap, 100, eur), Cvm::Signature);
        assert_eq!(cvm("amex_ok", Entry::Manual, 100, eur), Cvm::None);
        assert_eq!(cvm("jcb_ok", Entry::Insert, 100, eur), Cvm::OfflinePin);
        // Offline PIN needs the contact chip: a tapped JCB follows the rules.
        assert_eq!(cvm("jcb_ok", Entry::Tap, 100, eur), Cvm::None);
    }

    #[test]
    fn scenario_rules_come_first_and_parse_exactly() {
        #[derive(Deserialize)]
        struct F {
            cvm_rules: Vec<CvmRule>,
        }
        let f: F = toml::from_str(
            r#"cvm_rules = [ { entry = "insert", above = "200.00", cvm = "online_pin" },
                             { entry = "insert", above = "100.00", cvm = "offline_pin" },
                             { entry = "insert", cvm = "signature" },
                             { cvm = "online_pin" } ]"#,
        )
        .unwrap();
        assert_eq!(f.cvm_rules[0].above, Some(Decimal::new(200, 0)));
        let mut rules = f.cvm_rules;
        rules.extend(default_rules(Decimal::new(50, 0)));
        let t = CardTable::published();
        let eur = |m| Money::from_minor(m, Currency::EUR);
        let card = t.get("tecs_visa").unwrap();
        // The catch-all scenario rule takes tap before the default tap rules.
        assert_eq!(
            select_cvm(&rules, card, Entry::Tap, eur(100)),
            Cvm::OnlinePin
        );
        assert_eq!(select_cvm(&rules, card, Entry::Manual, eur(100)), Cvm::None);
        assert!(toml::from_str::<F>(r#"cvm_rules = [ { above = "-1", cvm = "none" } ]"#).is_err());
        assert!(toml::from_str::<F>(r#"cvm_rules = [ { cvm = "iris" } ]"#).is_err());
    }
}

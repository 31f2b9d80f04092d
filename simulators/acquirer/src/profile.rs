//! Profiles: outcome rules and latencies as data (simulators spec 4.2-4.3).
//!
//! DECISION (spec 4.2): a profile is a TOML table of rules on the last N digits of the
//! minor-unit amount (in an optional range) or of the card, plus latencies. The built-ins are
//! TOML files in `src/profiles/`, parsed by the same loader users' files go through, so any of
//! them is a template for a replacement.
//!
//! ```toml
//! name = "my-host"
//! texts = "fleet"                          # or "iso" (default)
//! auth_codes = { prefix = "A", digits = 5 } # or "random" (default)
//! [latency]                                # others keep the defaults
//! authorise = "300ms"
//! [[rule]]
//! amount_last = "151"                      # or card_last = "91"
//! range = ["10.00", "99.99"]               # optional, major units, inclusive
//! outcome = { code = "51" }
//! ```

use payrig_core::rng::DurationSpec;
use payrig_core::Decimal;
use serde::Deserialize;

use crate::amount::Amount;
use crate::code::TextStyle;
use crate::config::ConfigError;
use crate::outcome::{Outcome, OutcomeToml};

/// Names of the built-in profiles.
pub const BUILTIN_PROFILES: &[&str] = &["payrig", "off", "ationet-default", "tecs-default"];

const PAYRIG_TOML: &str = include_str!("profiles/payrig.toml");
const OFF_TOML: &str = include_str!("profiles/off.toml");
const ATIONET_TOML: &str = include_str!("profiles/ationet-default.toml");
const TECS_TOML: &str = include_str!("profiles/tecs-default.toml");

/// A named set of rules and latencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Name (`payrig`, `ationet-default`, or the file's).
    pub name: String,
    /// Rules, first match wins.
    pub rules: Vec<Rule>,
    /// Latency per operation.
    pub latency: Latencies,
    /// How approval codes are made.
    pub auth_codes: AuthCodeStyle,
    /// Which text accompanies codes.
    pub texts: TextStyle,
}

/// One rule of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// What it matches.
    pub on: RuleMatch,
    /// What it answers.
    pub outcome: Outcome,
}

/// Where a rule looks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleMatch {
    /// The amount's last `digits.len()` digits of its integer value equal `digits`, and the
    /// amount (major units) lies in `range` when one is given.
    AmountLast {
        /// Digits to match (`"104"`).
        digits: String,
        /// Inclusive range in major units.
        range: Option<(Decimal, Decimal)>,
    },
    /// The card's match text (PAN, or fleet track) ends with `digits`.
    CardLast {
        /// Characters to match (`"91"`).
        digits: String,
    },
}

impl RuleMatch {
    /// True when an authorisation of `amount` with card text `card` matches.
    pub fn matches(&self, amount: &Amount, card: &str) -> bool {
        match self {
            RuleMatch::AmountLast { digits, range } => {
                amount.value >= 0
                    && amount.last_digits_are(digits)
                    && range.is_none_or(|(lo, hi)| {
                        let d = amount.to_decimal();
                        d >= lo && d <= hi
                    })
            }
            RuleMatch::CardLast { digits } => card.ends_with(digits.as_str()),
        }
    }
}

/// Approval-code style (simulators spec 4.3; ationet spec 7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthCodeStyle {
    /// 6 characters `[0-9A-Z]` from the RNG, on approvals only.
    #[default]
    Random,
    /// `prefix` + a zero-padded counter of `digits` digits (`A00001`), on every decision, since
    /// fleet hosts show a reference on declines too. Wraps to 1.
    Sequential {
        /// Prefix (`A`).
        prefix: String,
        /// Counter width (5).
        digits: u32,
    },
}

/// Latency of each operation (`duration ± tolerance`, uniform, clamped at 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latencies {
    /// `authorise` (and the prompt request).
    pub authorise: DurationSpec,
    /// `capture`.
    pub capture: DurationSpec,
    /// `reverse`.
    pub reverse: DurationSpec,
    /// `refund`.
    pub refund: DurationSpec,
    /// `inquire`.
    pub inquire: DurationSpec,
    /// `close_batch`.
    pub close_batch: DurationSpec,
    /// `prompt_answer`.
    pub prompt_answer: DurationSpec,
}

impl Default for Latencies {
    /// Simulators spec 4.3.
    fn default() -> Latencies {
        Latencies {
            authorise: DurationSpec::new(800, 300),
            capture: DurationSpec::new(300, 100),
            reverse: DurationSpec::new(300, 100),
            refund: DurationSpec::new(500, 200),
            inquire: DurationSpec::new(150, 50),
            close_batch: DurationSpec::new(1500, 500),
            prompt_answer: DurationSpec::new(800, 300),
        }
    }
}

/// `[latency]` as written; missing keys keep what they had.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyToml {
    authorise: Option<String>,
    capture: Option<String>,
    reverse: Option<String>,
    refund: Option<String>,
    inquire: Option<String>,
    close_batch: Option<String>,
    prompt_answer: Option<String>,
}

impl LatencyToml {
    /// Applies the given keys over `base`.
    pub fn apply(&self, base: &mut Latencies) -> Result<(), ConfigError> {
        let slots = [
            (&self.authorise, &mut base.authorise),
            (&self.capture, &mut base.capture),
            (&self.reverse, &mut base.reverse),
            (&self.refund, &mut base.refund),
            (&self.inquire, &mut base.inquire),
            (&self.close_batch, &mut base.close_batch),
            (&self.prompt_answer, &mut base.prompt_answer),
        ];
        for (text, slot) in slots {
            if let Some(t) = text {
                *slot = DurationSpec::parse(t).map_err(|_| ConfigError::BadDuration(t.clone()))?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileToml {
    name: String,
    #[serde(default)]
    texts: Option<String>,
    #[serde(default)]
    auth_codes: Option<AuthCodesToml>,
    #[serde(default)]
    latency: LatencyToml,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleToml>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AuthCodesToml {
    Word(String),
    Sequential { prefix: String, digits: u32 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    amount_last: Option<String>,
    card_last: Option<String>,
    range: Option<(String, String)>,
    outcome: OutcomeToml,
}

impl RuleToml {
    fn resolve(self, index: usize) -> Result<Rule, ConfigError> {
        let bad = |reason: &str| ConfigError::BadRule {
            index,
            reason: reason.to_owned(),
        };
        let on = match (self.amount_last, self.card_last) {
            (Some(d), None) => {
                // Amount digits are compared against a zero-padded decimal value.
                if d.is_empty() || d.len() > 18 || !d.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("`amount_last` must be 1-18 digits"));
                }
                let range = match self.range {
                    None => None,
                    Some((lo, hi)) => {
                        let p = |s: &str| {
                            Decimal::parse(s.trim()).map_err(|_| ConfigError::BadAmount(s.into()))
                        };
                        let (lo, hi) = (p(&lo)?, p(&hi)?);
                        if lo > hi {
                            return Err(bad("`range` low above high"));
                        }
                        Some((lo, hi))
                    }
                };
                RuleMatch::AmountLast { digits: d, range }
            }
            (None, Some(d)) => {
                if d.is_empty() || self.range.is_some() {
                    return Err(bad("`card_last` must be non-empty and takes no `range`"));
                }
                RuleMatch::CardLast { digits: d }
            }
            _ => return Err(bad("give exactly one of `amount_last`, `card_last`")),
        };
        let outcome = self.outcome.resolve().map_err(|e| ConfigError::BadRule {
            index,
            reason: e.to_string(),
        })?;
        Ok(Rule { on, outcome })
    }
}

impl Profile {
    /// Parses a profile file (format in the module docs).
    pub fn from_toml_str(text: &str) -> Result<Profile, ConfigError> {
        let t: ProfileToml = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        let mut latency = Latencies::default();
        t.latency.apply(&mut latency)?;
        let texts = match t.texts.as_deref() {
            None | Some("iso") => TextStyle::Iso,
            Some("fleet") => TextStyle::Fleet,
            Some(o) => return Err(ConfigError::BadValue(format!("texts = `{o}`"))),
        };
        let auth_codes = match t.auth_codes {
            None => AuthCodeStyle::Random,
            Some(AuthCodesToml::Word(w)) if w == "random" => AuthCodeStyle::Random,
            Some(AuthCodesToml::Word(w)) => {
                return Err(ConfigError::BadValue(format!("auth_codes = `{w}`")))
            }
            Some(AuthCodesToml::Sequential { prefix, digits }) => {
                if !(1..=12).contains(&digits) || prefix.len() > 8 {
                    return Err(ConfigError::BadValue("auth_codes digits 1-12".into()));
                }
                AuthCodeStyle::Sequential { prefix, digits }
            }
        };
        let rules = t
            .rules
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.resolve(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Profile {
            name: t.name,
            rules,
            latency,
            auth_codes,
            texts,
        })
    }

    /// A built-in profile by name ([`BUILTIN_PROFILES`]).
    pub fn builtin(name: &str) -> Option<Profile> {
        let text = match name {
            "payrig" => PAYRIG_TOML,
            "off" => OFF_TOML,
            "ationet-default" => ATIONET_TOML,
            "tecs-default" => TECS_TOML,
            _ => return None,
        };
        // The built-ins are checked by the tests below; a failure here is a packaging bug.
        Profile::from_toml_str(text).ok()
    }

    /// The text of a built-in profile, to copy as a template.
    pub fn builtin_toml(name: &str) -> Option<&'static str> {
        match name {
            "payrig" => Some(PAYRIG_TOML),
            "off" => Some(OFF_TOML),
            "ationet-default" => Some(ATIONET_TOML),
            "tecs-default" => Some(TECS_TOML),
            _ => None,
        }
    }

    /// The first rule matching an authorisation, if any.
    pub fn rule_for(&self, amount: &Amount, card: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.on.matches(amount, card))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::ResponseCode;
    use crate::outcome::{Answer, Grant};
    use payrig_core::{Currency, Money};

    #[test]
    fn builtins_parse() {
        for name in BUILTIN_PROFILES {
            let text = Profile::builtin_toml(name).unwrap();
            let p = Profile::from_toml_str(text).unwrap();
            assert_eq!(p.name, *name);
        }
        assert!(Profile::builtin("nope").is_none());
        assert!(Profile::builtin("off").unwrap().rules.is_empty());
    }

    #[test]
    fn payrig_has_the_magic_table() {
        let p = Profile::builtin("payrig").unwrap();
        assert_eq!(p.rules.len(), 18);
        assert_eq!(p.latency, Latencies::default());
        let usd = |m| Amount::money(Money::from_minor(m, Currency::USD));
        let r = p.rule_for(&usd(1151), "4761730000000011").unwrap();
        assert_eq!(r.outcome, Outcome::code(ResponseCode::INSUFFICIENT_FUNDS));
        assert!(p.rule_for(&usd(1150), "4761730000000011").is_none());
        let r = p.rule_for(&usd(2110), "x").unwrap();
        let Outcome::Answer(Answer { grant, .. }) = &r.outcome else {
            panic!()
        };
        assert_eq!(*grant, Some(Grant::Half));
    }

    #[test]
    fn tecs_matches_the_last_two_digits_of_the_total() {
        let p = Profile::builtin("tecs-default").unwrap();
        assert_eq!(p.latency.authorise, DurationSpec::new(1000, 300));
        let eur = |m| Amount::money(Money::from_minor(m, Currency::EUR));
        for (minor, code) in [
            (1205, ResponseCode::DO_NOT_HONOUR),
            (1251, ResponseCode::INSUFFICIENT_FUNDS),
            (1291, ResponseCode::parse("91").unwrap()),
            (54, ResponseCode::parse("54").unwrap()),
        ] {
            let r = p.rule_for(&eur(minor), "4111111111111111").unwrap();
            assert_eq!(r.outcome, Outcome::code(code), "{minor}");
        }
        assert!(p.rule_for(&eur(1255), "4111111111111111").is_none());
    }

    #[test]
    fn ationet_matches_track_suffixes() {
        let p = Profile::builtin("ationet-default").unwrap();
        assert_eq!(p.latency.authorise, DurationSpec::fixed(300));
        assert_eq!(p.texts, TextStyle::Fleet);
        let units = Amount::units(9000, 3);
        assert!(p.rule_for(&units, "0000000000091").is_some());
        assert!(p.rule_for(&units, "0000000000001").is_none());
        assert_eq!(
            p.auth_codes,
            AuthCodeStyle::Sequential {
                prefix: "A".into(),
                digits: 5
            }
        );
    }

    #[test]
    fn ranges_limit_amount_rules() {
        let p = Profile::from_toml_str(
            r#"
            name = "stitchy"
            [[rule]]
            amount_last = "05"
            range = ["10.00", "10.99"]
            outcome = { code = "05" }
            "#,
        )
        .unwrap();
        let usd = |m| Amount::money(Money::from_minor(m, Currency::USD));
        assert!(p.rule_for(&usd(1005), "").is_some());
        assert!(p.rule_for(&usd(1105), "").is_none());
    }

    #[test]
    fn refuses_bad_profiles() {
        let bad = [
            "name = 1",
            "name = \"x\"\n[[rule]]\noutcome = \"approve\"",
            "name = \"x\"\n[[rule]]\namount_last = \"1a\"\noutcome = \"approve\"",
            "name = \"x\"\n[[rule]]\ncard_last = \"1\"\namount_last = \"1\"\noutcome = \"approve\"",
            "name = \"x\"\n[latency]\nauthorise = \"soon\"",
            "name = \"x\"\ntexts = \"klingon\"",
            "name = \"x\"\nauth_codes = \"odd\"",
        ];
        for b in bad {
            assert!(Profile::from_toml_str(b).is_err(), "{b}");
        }
    }
}

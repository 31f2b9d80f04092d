//! The customer at the PIN pad (simulators.md 2.4): which card, how, when, which PINs, what
//! tip, when to give up and when to take the card back.
//!
//! A [`Presentation`] is one card put to the reader with the answers the customer will give
//! ([`Answers`]); the reader plays those answers itself at drawn instants. A [`Customer`] is a
//! script that presents by itself after every `begin` (and again after a read error). Every
//! delay is drawn from the reader's seeded RNG in a fixed order, so a seed reproduces a
//! customer exactly (SIM-G-01).

use std::fmt;

use payrig_core::rng::DurationSpec;
use payrig_core::{Decimal, Money};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::card::{Card, Entry};
use crate::config::ConfigError;

/// Largest amount a session accepts, in minor units (10^15: no sum of amount and tip can
/// overflow `i64`).
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// The tip the customer enters (simulators.md 2.4; TECS `0907`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TipSpec {
    /// No tip (0).
    #[default]
    None,
    /// Major units (`"2.00"`); rounded half-up to the currency's exponent.
    Major(Decimal),
    /// Minor units (TECS enters tips as minor units); TOML integer.
    Minor(i64),
    /// Percent of the amount (`"10%"`, at most 4 decimals, at most 1000 %), half-up.
    Percent(Decimal),
}

impl TipSpec {
    /// Parses `"none"`, `"2.00"` or `"12.5%"`.
    pub fn parse(text: &str) -> Result<TipSpec, ConfigError> {
        let t = text.trim();
        let err = |m: &str| ConfigError::Parse {
            field: "tip",
            message: format!("{m}: `{text}`"),
        };
        if t == "none" {
            return Ok(TipSpec::None);
        }
        if let Some(p) = t.strip_suffix('%') {
            let d = Decimal::parse(p.trim()).map_err(|_| err("not a percentage"))?;
            if d.mantissa() < 0 || d.scale() > 4 || d > Decimal::new(1000, 0) {
                return Err(err("a percentage is 0-1000 with at most 4 decimals"));
            }
            return Ok(TipSpec::Percent(d));
        }
        let d = Decimal::parse(t).map_err(|_| err("not an amount"))?;
        if d.mantissa() < 0 || d.scale() > 4 {
            return Err(err(
                "a tip is a non-negative amount with at most 4 decimals",
            ));
        }
        Ok(TipSpec::Major(d))
    }

    /// The tip on `amount` (non-negative, same currency, at most [`MAX_AMOUNT_MINOR`]); exact
    /// integer arithmetic, half-up (SIM-R-02: tip >= 0).
    pub fn tip_for(self, amount: Money) -> Money {
        let exp = u32::from(amount.currency.exponent());
        let minor: i128 = match self {
            TipSpec::None => 0,
            TipSpec::Minor(m) => i128::from(m),
            TipSpec::Major(d) => {
                if d.scale() <= exp {
                    d.to_scaled(exp).unwrap_or(i128::MAX)
                } else {
                    // A divisor beyond i128 rounds any mantissa to 0.
                    10i128
                        .checked_pow(d.scale() - exp)
                        .map_or(0, |den| div_half_up(d.mantissa(), den))
                }
            }
            TipSpec::Percent(p) => {
                let base = i128::from(amount.minor.max(0));
                let num = base.saturating_mul(p.mantissa());
                10i128
                    .checked_pow(p.scale())
                    .and_then(|f| f.checked_mul(100))
                    .map_or(0, |den| div_half_up(num, den))
            }
        };
        let clamped = minor.clamp(0, i128::from(MAX_AMOUNT_MINOR));
        Money::from_minor(i64::try_from(clamped).unwrap_or(0), amount.currency)
    }
}

/// `num / den` rounded half-up, for `num >= 0`, `den > 0`.
fn div_half_up(num: i128, den: i128) -> i128 {
    if num <= 0 || den <= 0 {
        return 0;
    }
    // (2n + d) / 2d is n/d + 1/2, floored: exact half-up without floats.
    num.saturating_mul(2).saturating_add(den) / den.saturating_mul(2)
}

impl fmt::Display for TipSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TipSpec::None => f.write_str("none"),
            TipSpec::Major(d) => write!(f, "{d}"),
            TipSpec::Minor(m) => write!(f, "{m} minor"),
            TipSpec::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl Serialize for TipSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TipSpec::Minor(m) => s.serialize_i64(*m),
            other => s.serialize_str(&other.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for TipSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TipSpec, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Minor(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Minor(m) if m >= 0 => Ok(TipSpec::Minor(m)),
            Raw::Minor(m) => Err(serde::de::Error::custom(format!("negative tip {m}"))),
            Raw::Text(t) => TipSpec::parse(&t).map_err(serde::de::Error::custom),
        }
    }
}

/// The PINs the customer types, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PinAnswers {
    /// Always the card's PIN.
    #[default]
    Correct,
    /// Always a wrong PIN (until the card blocks or the customer is out of patience).
    Wrong,
    /// These PINs in order (`["9999", "1234"]`); when they run out, the customer gives up.
    List(Vec<String>),
}

impl PinAnswers {
    /// The `n`th PIN typed (0-based) for a card whose PIN is `card_pin`; `None` when the
    /// list is exhausted.
    pub fn nth(&self, n: usize, card_pin: &str) -> Option<String> {
        match self {
            PinAnswers::Correct => Some(card_pin.to_owned()),
            PinAnswers::Wrong => Some(if card_pin == "0000" { "9999" } else { "0000" }.into()),
            PinAnswers::List(v) => v.get(n).cloned(),
        }
    }
}

impl PinAnswers {
    /// Every listed PIN must be 4-12 digits (what a PIN pad accepts).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let PinAnswers::List(v) = self {
            for p in v {
                if !(4..=12).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ConfigError::Parse {
                        field: "pin",
                        message: format!("a PIN is 4-12 digits: `{p}`"),
                    });
                }
            }
        }
        Ok(())
    }
}

impl Serialize for PinAnswers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PinAnswers::Correct => s.serialize_str("correct"),
            PinAnswers::Wrong => s.serialize_str("wrong"),
            PinAnswers::List(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for PinAnswers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PinAnswers, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            List(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::Word(w) if w == "correct" => Ok(PinAnswers::Correct),
            Raw::Word(w) if w == "wrong" => Ok(PinAnswers::Wrong),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "pin is `correct`, `wrong` or a list of PINs: `{w}`"
            ))),
            Raw::List(v) => {
                let p = PinAnswers::List(v);
                p.validate().map_err(serde::de::Error::custom)?;
                Ok(p)
            }
        }
    }
}

/// Where the customer presses cancel instead of going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AbortAt {
    /// Never.
    #[default]
    None,
    /// Instead of presenting the card (scripted customer only).
    Present,
    /// At the tip prompt.
    Tip,
    /// At the PIN prompt.
    Pin,
}

/// When the customer takes an inserted card out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RemovePolicy {
    /// `remove_after` once the reader asks for it (RemoveCard).
    #[default]
    AfterResult,
    /// `remove_after` once the reader has gone online: the session fails and, the card
    /// data being out, a reversal is required.
    Early,
    /// Never; the reader gives up after `remove_timeout`.
    Never,
}

fn ser_spec<S: Serializer>(d: &DurationSpec, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

/// How the customer answers the reader's prompts during one presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answers {
    /// PINs typed.
    pub pin: PinAnswers,
    /// Delay from the PIN prompt (or a wrong-PIN message) to the next PIN (default `2s ± 1s`).
    #[serde(serialize_with = "ser_spec")]
    pub pin_after: DurationSpec,
    /// Tip entered at the tip prompt.
    pub tip: TipSpec,
    /// Delay from the tip prompt to the tip (default `2s ± 1s`).
    #[serde(serialize_with = "ser_spec")]
    pub tip_after: DurationSpec,
    /// Where the customer cancels.
    pub abort_at: AbortAt,
    /// When an inserted card is taken out.
    pub remove: RemovePolicy,
    /// Delay before taking it out (default `1s`).
    #[serde(serialize_with = "ser_spec")]
    pub remove_after: DurationSpec,
}

impl Default for Answers {
    fn default() -> Answers {
        Answers {
            pin: PinAnswers::Correct,
            pin_after: DurationSpec::new(2_000, 1_000),
            tip: TipSpec::None,
            tip_after: DurationSpec::new(2_000, 1_000),
            abort_at: AbortAt::None,
            remove: RemovePolicy::AfterResult,
            remove_after: DurationSpec::fixed(1_000),
        }
    }
}

/// A card named by table id, or given whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardRef {
    /// An id in the reader's [`crate::CardTable`].
    Id(String),
    /// A card not in the table (validated when presented).
    Card(Box<Card>),
}

/// One card put to the reader, with the customer's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presentation {
    /// The card.
    pub card: CardRef,
    /// How it is presented.
    pub entry: Entry,
    /// How the customer answers the prompts.
    pub answers: Answers,
}

impl Presentation {
    /// Table card `id` presented with `entry`, default answers (correct PIN, no tip, removed
    /// 1 s after the result).
    pub fn of(id: &str, entry: Entry) -> Presentation {
        Presentation {
            card: CardRef::Id(id.to_owned()),
            entry,
            answers: Answers::default(),
        }
    }
}

/// A scripted customer (simulators.md 2.4): acts by itself after every `begin`. TOML:
/// `card`, `entry`, `present_after` (`"3s ± 1s"` or `"never"`), `pin`, `pin_after`, `tip`,
/// `tip_after`, `abort_at`, `remove`, `remove_after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CustomerToml")]
pub struct Customer {
    /// Table id of the card (default `visa_ok`).
    pub card: String,
    /// Preferred entry (default insert). If the session or the card does not allow it, the
    /// customer uses the first of insert, tap, swipe that both allow.
    pub entry: Entry,
    /// Delay from `begin` (or a read error) to presenting; `None` never presents.
    #[serde(serialize_with = "ser_opt_spec")]
    pub present_after: Option<DurationSpec>,
    /// Answers to the prompts.
    pub answers: Answers,
}

fn ser_opt_spec<S: Serializer>(d: &Option<DurationSpec>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_str("never"),
    }
}

impl Default for Customer {
    fn default() -> Customer {
        Customer {
            card: "visa_ok".into(),
            entry: Entry::Insert,
            present_after: Some(DurationSpec::new(3_000, 1_000)),
            answers: Answers::default(),
        }
    }
}

impl Customer {
    /// The TECS reference server's default customer (tecs.md 7): `tecs_visa`, inserted after
    /// 2 s, correct PIN.
    pub fn tecs_default() -> Customer {
        Customer {
            card: "tecs_visa".into(),
            present_after: Some(DurationSpec::fixed(2_000)),
            ..Customer::default()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerToml {
    #[serde(default)]
    card: Option<String>,
    #[serde(default)]
    entry: Option<Entry>,
    #[serde(default)]
    present_after: Option<String>,
    #[serde(default)]
    pin: Option<PinAnswers>,
    #[serde(default)]
    pin_after: Option<String>,
    #[serde(default)]
    tip: Option<TipSpec>,
    #[serde(default)]
    tip_after: Option<String>,
    #[serde(default)]
    abort_at: Option<AbortAt>,
    #[serde(default)]
    remove: Option<RemovePolicy>,
    #[serde(default)]
    remove_after: Option<String>,
}

fn spec(
    field: &'static str,
    text: Option<String>,
    d: DurationSpec,
) -> Result<DurationSpec, ConfigError> {
    match text {
        None => Ok(d),
        Some(t) => DurationSpec::parse(&t).map_err(|e| ConfigError::Parse {
            field,
            message: e.to_string(),
        }),
    }
}

impl TryFrom<CustomerToml> for Customer {
    type Error = ConfigError;

    fn try_from(t: CustomerToml) -> Result<Customer, ConfigError> {
        let d = Customer::default();
        let a = Answers::default();
        let present_after = match t.present_after.as_deref().map(str::trim) {
            Some("never") => None,
            other => Some(spec(
                "present_after",
                other.map(str::to_owned),
                DurationSpec::new(3_000, 1_000),
            )?),
        };
        Ok(Customer {
            card: t.card.unwrap_or(d.card),
            entry: t.entry.unwrap_or(d.entry),
            present_after,
            answers: Answers {
                pin: t.pin.unwrap_or(a.pin),
                pin_after: spec("pin_after", t.pin_after, a.pin_after)?,
                tip: t.tip.unwrap_or(a.tip),
                tip_after: spec("tip_after", t.tip_after, a.tip_after)?,
                abort_at: t.abort_at.unwrap_or(a.abort_at),
                remove: t.remove.unwrap_or(a.remove),
                remove_after: spec("remove_after", t.remove_after, a.remove_after)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payrig_core::Currency;

    fn eur(m: i64) -> Money {
        Money::from_minor(m, Currency::EUR)
    }

    #[test]
    fn tips_are_exact_and_half_up() {
        let ten = TipSpec::parse("10%").unwrap();
        assert_eq!(ten.tip_for(eur(1_234)), eur(123)); // 123.4 -> 123
        assert_eq!(ten.tip_for(eur(1_235)), eur(124)); // 123.5 -> 124 (half-up)
        assert_eq!(ten.tip_for(eur(1_236)), eur(124)); // 123.6 -> 124
        assert_eq!(
            TipSpec::parse("12.5%").unwrap().tip_for(eur(1_000)),
            eur(125)
        );
        assert_eq!(
            TipSpec::parse("2.00").unwrap().tip_for(eur(1_000)),
            eur(200)
        );
        assert_eq!(TipSpec::parse("0.005").unwrap().tip_for(eur(1)), eur(1));
        assert_eq!(TipSpec::parse("0.004").unwrap().tip_for(eur(1)), eur(0));
        assert_eq!(
            TipSpec::parse("2.5")
                .unwrap()
                .tip_for(Money::from_minor(100, Currency::JPY)),
            Money::from_minor(3, Currency::JPY)
        );
        assert_eq!(TipSpec::Minor(150).tip_for(eur(1)), eur(150));
        assert_eq!(TipSpec::None.tip_for(eur(1_000)), eur(0));
        // Values built in code rather than parsed stay total and non-negative.
        assert_eq!(TipSpec::Major(Decimal::new(1, 60)).tip_for(eur(1)), eur(0));
        assert_eq!(
            TipSpec::Percent(Decimal::new(-10, 0)).tip_for(eur(1_000)),
            eur(0)
        );
        assert_eq!(TipSpec::Minor(-5).tip_for(eur(1)), eur(0));
        for bad in ["-1", "-5%", "10.00001%", "1001%", "lots", "2.00001"] {
            assert!(TipSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pin_answers() {
        assert_eq!(PinAnswers::Correct.nth(5, "1234").as_deref(), Some("1234"));
        assert_eq!(PinAnswers::Wrong.nth(0, "1234").as_deref(), Some("0000"));
        assert_eq!(PinAnswers::Wrong.nth(0, "0000").as_deref(), Some("9999"));
        let l = PinAnswers::List(vec!["9999".into(), "1234".into()]);
        assert_eq!(l.nth(1, "1234").as_deref(), Some("1234"));
        assert_eq!(l.nth(2, "1234"), None);
    }

    #[test]
    fn parses_the_spec_customer() {
        let c: Customer = toml::from_str(
            "card = \"visa_ok\"\nentry = \"insert\"\npresent_after = \"3s ± 1s\"\n\
             pin = [\"9999\", \"1234\"]\ntip = \"none\"\nabort_at = \"none\"\nremove = \"after_result\"",
        )
        .unwrap();
        assert_eq!(c.present_after, Some(DurationSpec::new(3_000, 1_000)));
        assert_eq!(
            c.answers.pin,
            PinAnswers::List(vec!["9999".into(), "1234".into()])
        );
        let c: Customer =
            toml::from_str("present_after = \"never\"\ntip = \"10%\"\nremove = \"early\"").unwrap();
        assert_eq!(c.present_after, None);
        assert_eq!(c.answers.tip, TipSpec::Percent(Decimal::new(10, 0)));
        assert_eq!(c.answers.remove, RemovePolicy::Early);
        let c: Customer = toml::from_str("tip = 250\npin = \"wrong\"").unwrap();
        assert_eq!(c.answers.tip, TipSpec::Minor(250));
        assert_eq!(c.answers.pin, PinAnswers::Wrong);
        for bad in [
            "pin = \"maybe\"",
            "pin = [\"12\"]",
            "tip = -1",
            "abort_at = \"later\"",
            "mood = 1",
            "pin_after = \"soon\"",
        ] {
            assert!(toml::from_str::<Customer>(bad).is_err(), "{bad}");
        }
    }
}

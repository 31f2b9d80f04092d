//! The scripted customer: when to lift, how much to take, when to hang up (simulators.md 3.3,
//! ationet.md 4.3 and 7).
//!
//! The script only draws from the point's seeded RNG, in a fixed order (lift delay when the
//! point becomes Authorised; tank when the delivery starts; hang-up delay when flow stops), so a
//! seed reproduces a customer exactly (SIM-G-01).

use payrig_core::rng::{uniform_inclusive, DurationSpec};
use payrig_core::{Currency, Decimal, Duration, Money, Volume};
use rand_core::RngCore;
use serde::Deserialize;

use crate::config::{de, parse_volume_range, ConfigError};
use crate::price::Price;

/// How much the customer wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Whatever the authorisation allows (the preset or the hardware cap).
    Limit,
    /// Fill a tank whose free space is drawn once per delivery, uniform in
    /// `tank ± tolerance` (`"40 L ± 10 L"`).
    Fill {
        /// Centre of the free space.
        tank: Volume,
        /// Half-width.
        tolerance: Volume,
    },
    /// A fixed volume.
    Volume(Volume),
    /// A fixed amount in major units of the point's currency (`"30.00"`), exact.
    Amount(Decimal),
}

impl Target {
    /// The money target, if any.
    pub fn amount_major(&self) -> Option<Decimal> {
        match self {
            Target::Amount(d) => Some(*d),
            _ => None,
        }
    }
}

/// A customer script for one fuelling point. TOML:
/// `customer = { lift_after = "5s ± 2s", nozzle = 1, target = "fill", tank = "40 L ± 10 L" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "CustomerToml")]
pub struct CustomerScript {
    /// Delay from Authorised to the lift (default `5s`) (ATIONet `lift_delay`).
    pub lift_after: DurationSpec,
    /// Never lift, so the authorisation times out (ATIONet "lift_delay never").
    pub never_lift: bool,
    /// Nozzle the customer lifts (default 1).
    pub nozzle: u8,
    /// How much to take (default limit).
    pub target: Target,
    /// Delay from the end of flow (limit or target) to the hang-up (default `3s`) (ATIONet
    /// `hangup_delay`).
    pub hang_up_after: DurationSpec,
    /// Early hang-up once this much is dispensed (ATIONet "early hang-up at X ml").
    pub hang_up_at: Option<Volume>,
}

impl Default for CustomerScript {
    fn default() -> Self {
        CustomerScript {
            lift_after: DurationSpec::fixed(5_000),
            never_lift: false,
            nozzle: 1,
            target: Target::Limit,
            hang_up_after: DurationSpec::fixed(3_000),
            hang_up_at: None,
        }
    }
}

impl CustomerScript {
    /// Draws the lift delay.
    pub(crate) fn draw_lift_delay(&self, rng: &mut impl RngCore) -> Duration {
        self.lift_after.sample(rng)
    }

    /// Draws the hang-up delay.
    pub(crate) fn draw_hang_up_delay(&self, rng: &mut impl RngCore) -> Duration {
        self.hang_up_after.sample(rng)
    }

    /// The volume the customer will take at `price`, drawn once per delivery; `None` when the
    /// customer takes whatever the authorisation allows.
    pub(crate) fn draw_target(&self, rng: &mut impl RngCore, price: &Price) -> Option<Volume> {
        match &self.target {
            Target::Limit => None,
            Target::Fill { tank, tolerance } => {
                let lo = tank.ml().saturating_sub(tolerance.ml());
                let hi = tank.ml().saturating_add(tolerance.ml());
                Some(Volume(uniform_inclusive(rng, lo, hi)))
            }
            Target::Volume(v) => Some(*v),
            Target::Amount(d) => Some(price.volume_for_minor(amount_minor(*d, price.currency()))),
        }
    }
}

/// Minor units of a validated money target (validation guarantees it converts).
fn amount_minor(d: Decimal, currency: Currency) -> i64 {
    Money::from_decimal(d, currency).map_or(0, |m| m.minor)
}

/// The TOML shape; (default `CustomerScript`) is built from it with exact parsing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerToml {
    #[serde(default, deserialize_with = "de_opt_spec")]
    lift_after: Option<DurationSpec>,
    #[serde(default)]
    never_lift: bool,
    #[serde(default)]
    nozzle: Option<u8>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    tank: Option<String>,
    #[serde(default, deserialize_with = "de_opt_volume")]
    volume: Option<Volume>,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default, deserialize_with = "de_opt_spec")]
    hang_up_after: Option<DurationSpec>,
    #[serde(default, deserialize_with = "de_opt_volume")]
    hang_up_at: Option<Volume>,
}

fn de_opt_spec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DurationSpec>, D::Error> {
    de::duration_spec(d).map(Some)
}

fn de_opt_volume<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Volume>, D::Error> {
    de::opt_volume(d)
}

impl TryFrom<CustomerToml> for CustomerScript {
    type Error = ConfigError;

    fn try_from(t: CustomerToml) -> Result<Self, ConfigError> {
        let d = CustomerScript::default();
        let missing = |what: &str| ConfigError::Parse {
            field: "target",
            message: format!("target needs `{what}`"),
        };
        let target = match t.target.as_deref().unwrap_or("limit") {
            "limit" | "preset" => Target::Limit,
            "fill" => {
                let (tank, tolerance) = match &t.tank {
                    Some(text) => parse_volume_range(text)?,
                    // DECISION: simulators.md 3.3 names the default tank `40 L ± 10 L`.
                    None => (Volume::from_litres(40), Volume::from_litres(10)),
                };
                Target::Fill { tank, tolerance }
            }
            "volume" => Target::Volume(t.volume.ok_or_else(|| missing("volume"))?),
            "amount" => {
                let text = t.amount.ok_or_else(|| missing("amount"))?;
                let dec = Decimal::parse(text.trim())
                    .ok()
                    .filter(Decimal::is_positive)
                    .ok_or_else(|| ConfigError::CustomerAmount(text.clone()))?;
                Target::Amount(dec)
            }
            other => {
                return Err(ConfigError::Parse {
                    field: "target",
                    message: format!("expected limit, fill, volume or amount: `{other}`"),
                })
            }
        };
        Ok(CustomerScript {
            lift_after: t.lift_after.unwrap_or(d.lift_after),
            never_lift: t.never_lift,
            nozzle: t.nozzle.unwrap_or(d.nozzle),
            target,
            hang_up_after: t.hang_up_after.unwrap_or(d.hang_up_after),
            hang_up_at: t.hang_up_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payrig_core::rng::stream_rng;

    #[test]
    fn parses_targets() {
        let c: CustomerScript =
            toml::from_str("target = \"volume\"\nvolume = \"9 L\"\nhang_up_after = \"3s ± 1s\"")
                .unwrap();
        assert_eq!(c.target, Target::Volume(Volume(9_000)));
        assert_eq!(c.hang_up_after, DurationSpec::new(3_000, 1_000));
        assert_eq!(c.lift_after, DurationSpec::fixed(5_000));
        let c: CustomerScript = toml::from_str("target = \"amount\"\namount = \"30.00\"").unwrap();
        let p = Price::parse_major("1.5", Currency::EUR).unwrap();
        let mut rng = stream_rng(1, "pump/1");
        // The largest volume costing at most 30.00: 20.003 L costs 30.0045 -> 30.00.
        assert_eq!(c.draw_target(&mut rng, &p), Some(Volume(20_003)));
        let c: CustomerScript = toml::from_str("never_lift = true\nhang_up_at = \"2 L\"").unwrap();
        assert!(c.never_lift);
        assert_eq!(c.hang_up_at, Some(Volume(2_000)));
        assert!(toml::from_str::<CustomerScript>("target = \"volume\"").is_err());
        assert!(toml::from_str::<CustomerScript>("target = \"lots\"").is_err());
        assert!(toml::from_str::<CustomerScript>("mood = \"grumpy\"").is_err());
    }

    #[test]
    fn tank_draw_stays_in_range() {
        let c = CustomerScript {
            target: Target::Fill {
                tank: Volume(40_000),
                tolerance: Volume(10_000),
            },
            ..CustomerScript::default()
        };
        let p = Price::parse_major("1.5", Currency::EUR).unwrap();
        let mut rng = stream_rng(7, "pump/1");
        for _ in 0..100 {
            let v = c.draw_target(&mut rng, &p).unwrap();
            assert!((30_000..=50_000).contains(&v.ml()));
        }
    }
}

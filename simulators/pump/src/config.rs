//! Fuelling-point configuration: typed, validated, deserialisable from scenario TOML.
//!
//! TOML texts (`"2s"`, `"500 ml"`, `"35 L/min"`, `"10%"`) are parsed exactly by payrig-core
//! parsers; nothing is stored as a float. Grades and their prices come from the scenario's
//! `[grades]` table and currency, so they are attached after deserialising a `[pump.N]` table
//! (see [`FuelPointConfig::with_grades`]). [`FuelPointConfig::validate`] is the single gate:
//! [`crate::FuelPoint::new`] runs it, so a machine never holds an inconsistent config.

use std::collections::BTreeMap;

use payrig_core::rng::DurationSpec;
use payrig_core::{Currency, Duration, Money, Volume};
use serde::{Deserialize, Deserializer};

use crate::customer::CustomerScript;
use crate::flow::{FlowProfile, FlowRate};
use crate::price::{Price, PriceError};

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A text field did not parse.
    #[error("`{field}`: {message}")]
    Parse {
        /// The field.
        field: &'static str,
        /// What was wrong.
        message: String,
    },
    /// A grade price did not parse.
    #[error("grade `{grade}`: {source}")]
    Price {
        /// The grade code.
        grade: String,
        /// The price error.
        #[source]
        source: PriceError,
    },
    /// The fuelling point has no nozzles.
    #[error("fuelling point {0} has no nozzles")]
    NoNozzles(u8),
    /// Two nozzles share a number, or a nozzle number is 0.
    #[error("nozzle number {0} is 0 or used twice")]
    BadNozzleNumber(u8),
    /// A nozzle names a grade that is not configured.
    #[error("nozzle {nozzle} names unknown grade `{grade}`")]
    UnknownGrade {
        /// The nozzle number.
        nozzle: u8,
        /// The grade code.
        grade: String,
    },
    /// Grades are priced in more than one currency.
    #[error("grades mix currencies {0} and {1}")]
    MixedCurrencies(String, String),
    /// A value that must be above zero is zero.
    #[error("`{0}` must be above zero")]
    Zero(&'static str),
    /// A value is larger than the simulator supports.
    #[error("`{0}` is out of range")]
    Range(&'static str),
    /// The customer script lifts a nozzle the point does not have.
    #[error("customer nozzle {0} is not configured")]
    CustomerNozzle(u8),
    /// The customer's money target does not fit the currency.
    #[error("customer amount target: {0}")]
    CustomerAmount(String),
}

/// A grade of fuel with its unit price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// Grade code (`"G95"`, `"3"`), as protocols refer to it.
    pub code: String,
    /// Display name (`"Unleaded 95"`).
    pub name: String,
    /// Price per litre.
    pub price: Price,
}

/// A `[grades]` entry as written in TOML: `G95 = { name = "Unleaded 95", price = "1.789" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeSpec {
    /// Display name.
    pub name: String,
    /// Major-unit price text, at most exponent + 3 decimals.
    pub price: String,
}

impl Grade {
    /// A grade from parts.
    pub fn new(code: impl Into<String>, name: impl Into<String>, price: Price) -> Grade {
        Grade {
            code: code.into(),
            name: name.into(),
            price,
        }
    }

    /// Resolves a TOML entry in the scenario currency.
    pub fn from_spec(
        code: &str,
        spec: &GradeSpec,
        currency: Currency,
    ) -> Result<Grade, ConfigError> {
        let price =
            Price::parse_major(&spec.price, currency).map_err(|source| ConfigError::Price {
                grade: code.to_owned(),
                source,
            })?;
        Ok(Grade::new(code, spec.name.clone(), price))
    }

    /// Resolves a whole `[grades]` table (in code order, so results are deterministic).
    pub fn from_specs(
        specs: &BTreeMap<String, GradeSpec>,
        currency: Currency,
    ) -> Result<Vec<Grade>, ConfigError> {
        specs
            .iter()
            .map(|(code, spec)| Grade::from_spec(code, spec, currency))
            .collect()
    }

    /// The ATIONet site's default grades (ationet.md section 7): `1` 1.299, `2` 1.499,
    /// `3` Diesel 1.459, in `currency` (USD by default there). DECISION: the spec names only
    /// Diesel; grades 1 and 2 are called "Grade 1" and "Grade 2".
    pub fn ationet_defaults(currency: Currency) -> Result<Vec<Grade>, ConfigError> {
        [
            ("1", "Grade 1", "1.299"),
            ("2", "Grade 2", "1.499"),
            ("3", "Diesel", "1.459"),
        ]
        .iter()
        .map(|(code, name, price)| {
            let spec = GradeSpec {
                name: (*name).to_owned(),
                price: (*price).to_owned(),
            };
            Grade::from_spec(code, &spec, currency)
        })
        .collect()
    }
}

/// A nozzle and the grade it dispenses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NozzleConfig {
    /// Nozzle number, 1-based.
    pub no: u8,
    /// Grade code.
    pub grade: String,
}

/// The slow rate near L: a share of the full rate, or a rate of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlowFlow {
    /// Parts per million of the full rate (`"10%"` = 100 000); at most 4 decimals of a
    /// percent, so the rate stays exact.
    Share(u32),
    /// An absolute rate (`"4 L/min"`).
    Rate(FlowRate),
}

impl SlowFlow {
    /// Parses `"10%"`, `"12.5%"` or `"4 L/min"`.
    pub fn parse(text: &str) -> Result<SlowFlow, ConfigError> {
        let err = |m: &str| ConfigError::Parse {
            field: "slow_flow",
            message: format!("{m}: `{text}`"),
        };
        if let Some(p) = text.trim().strip_suffix('%') {
            let d = payrig_core::Decimal::parse(p.trim()).map_err(|_| err("not a percentage"))?;
            let ppm = d
                .to_scaled(4)
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| *v > 0 && *v <= 1_000_000)
                .ok_or_else(|| err("percentage must be in (0, 100] with at most 4 decimals"))?;
            Ok(SlowFlow::Share(ppm))
        } else {
            parse_flow_rate(text, "slow_flow").map(SlowFlow::Rate)
        }
    }

    /// The slow rate for full rate `rate`.
    pub fn rate_for(self, rate: FlowRate) -> FlowRate {
        match self {
            SlowFlow::Share(ppm) => {
                let v = u128::from(rate.0) * u128::from(ppm) / 1_000_000;
                FlowRate(u64::try_from(v).unwrap_or(u64::MAX))
            }
            SlowFlow::Rate(r) => r,
        }
    }
}

/// Parses `"35 L/min"` or `"500 ml/min"` (whole millilitres per minute).
pub fn parse_flow_rate(text: &str, field: &'static str) -> Result<FlowRate, ConfigError> {
    let err = || ConfigError::Parse {
        field,
        message: format!("not a flow rate (expected e.g. `35 L/min`): `{text}`"),
    };
    let per_min = text.trim().strip_suffix("/min").ok_or_else(err)?;
    let v = Volume::parse(per_min).map_err(|_| err())?;
    Ok(FlowRate::from_ml_per_min(v.ml()))
}

/// The state a fuelling point is in when the simulation starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitialState {
    /// Idle, ready to be reserved or authorised (ATIONet default: pumps 1-4 Idle).
    #[default]
    Idle,
    /// Closed until `open`.
    Closed,
    /// Inoperative until `online`.
    Inoperative,
}

/// Configuration of one fuelling point. Defaults are the ATIONet site's (ationet.md 7) and
/// simulators.md 3.3.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FuelPointConfig {
    /// Fuelling point number (the `N` of `[pump.N]`, stream `pump/N`).
    pub fp: u8,
    /// Grades with prices; not read from the `[pump.N]` table (see [`Self::with_grades`]).
    #[serde(skip)]
    pub grades: Vec<Grade>,
    /// Nozzles and their grades.
    pub nozzles: Vec<NozzleConfig>,
    /// Full flow rate R (default `35 L/min`).
    #[serde(deserialize_with = "de::flow")]
    pub flow: FlowRate,
    /// Linear ramp at every segment start (default `2s`).
    #[serde(deserialize_with = "de::duration")]
    pub ramp: Duration,
    /// Slow zone before L (default `500 ml`).
    #[serde(deserialize_with = "de::volume")]
    pub slow_zone: Volume,
    /// Slow rate (default `10%`).
    #[serde(deserialize_with = "de::slow_flow")]
    pub slow_flow: SlowFlow,
    /// Started -> Fuelling delay, the ATIONet `motor_delay` (default `2s`).
    #[serde(deserialize_with = "de::duration")]
    pub motor_start: Duration,
    /// Authorised without a lift ends after this (default `180s`); `"off"` disables it.
    #[serde(deserialize_with = "de::opt_duration")]
    pub auth_timeout: Option<Duration>,
    /// A reservation not followed by an authorisation lapses after this (default `60s`).
    #[serde(deserialize_with = "de::duration")]
    pub reserve_timeout: Duration,
    /// A delivery with no flow for this long ends (default `60s`).
    #[serde(deserialize_with = "de::duration")]
    pub no_flow_timeout: Duration,
    /// Period of `Progress` while flowing (default `1s`).
    #[serde(deserialize_with = "de::duration")]
    pub progress_interval: Duration,
    /// Payable + Locked sales at which `authorise` is refused (default 2).
    pub unpaid_limit: u32,
    /// Recovery from Inoperative goes to Idle (true) or Closed (default true).
    pub open_on_recover: bool,
    /// State at start (default idle).
    pub initial_state: InitialState,
    /// Hardware cap on one delivery when no preset is tighter (default `1000 L`).
    #[serde(deserialize_with = "de::volume")]
    pub max_delivery: Volume,
    /// Optional scripted customer.
    pub customer: Option<CustomerScript>,
}

impl Default for FuelPointConfig {
    fn default() -> Self {
        FuelPointConfig {
            fp: 1,
            grades: Vec::new(),
            nozzles: Vec::new(),
            flow: FlowRate::from_ml_per_min(35_000),
            ramp: Duration::from_secs(2),
            slow_zone: Volume(500),
            slow_flow: SlowFlow::Share(100_000),
            motor_start: Duration::from_secs(2),
            auth_timeout: Some(Duration::from_secs(180)),
            reserve_timeout: Duration::from_secs(60),
            no_flow_timeout: Duration::from_secs(60),
            progress_interval: Duration::from_secs(1),
            unpaid_limit: 2,
            // DECISION: simulators.md 3.1 leaves the default open; recovering to Idle matches
            // the ATIONet site, whose pumps are Idle unless set busy or offline.
            open_on_recover: true,
            initial_state: InitialState::Idle,
            // DECISION: a hardware cap so an unlimited authorisation still has an L.
            max_delivery: Volume::from_litres(1000),
            customer: None,
        }
    }
}

/// Longest ramp accepted; keeps the flow arithmetic far from u128 limits.
const MAX_RAMP: Duration = Duration::from_secs(3600);

impl FuelPointConfig {
    /// ATIONet defaults for point `fp`: one nozzle per grade, numbered 1.. in the given order.
    pub fn default_for(fp: u8, grades: Vec<Grade>) -> FuelPointConfig {
        let nozzles = grades
            .iter()
            .zip(1u8..)
            .map(|(g, no)| NozzleConfig {
                no,
                grade: g.code.clone(),
            })
            .collect();
        FuelPointConfig {
            fp,
            grades,
            nozzles,
            ..FuelPointConfig::default()
        }
    }

    /// Attaches the point number and the scenario's grades to a deserialised `[pump.N]` table.
    pub fn with_grades(mut self, fp: u8, grades: Vec<Grade>) -> FuelPointConfig {
        self.fp = fp;
        self.grades = grades;
        self
    }

    /// The flow profile these settings describe.
    pub fn flow_profile(&self) -> FlowProfile {
        FlowProfile {
            rate: self.flow,
            ramp: self.ramp,
            slow_zone: self.slow_zone,
            slow_rate: self.slow_flow.rate_for(self.flow),
        }
    }

    /// The currency of the grades (they all share one once validated).
    pub fn currency(&self) -> Option<Currency> {
        self.grades.first().map(|g| g.price.currency())
    }

    /// The grade on nozzle `no`.
    pub fn nozzle_grade(&self, no: u8) -> Option<&Grade> {
        let n = self.nozzles.iter().find(|n| n.no == no)?;
        self.grades.iter().find(|g| g.code == n.grade)
    }

    /// Checks every cross-field rule; [`crate::FuelPoint::new`] calls it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.nozzles.is_empty() {
            return Err(ConfigError::NoNozzles(self.fp));
        }
        let mut seen = Vec::with_capacity(self.nozzles.len());
        for n in &self.nozzles {
            if n.no == 0 || seen.contains(&n.no) {
                return Err(ConfigError::BadNozzleNumber(n.no));
            }
            seen.push(n.no);
            if !self.grades.iter().any(|g| g.code == n.grade) {
                return Err(ConfigError::UnknownGrade {
                    nozzle: n.no,
                    grade: n.grade.clone(),
                });
            }
        }
        if let Some(first) = self.grades.first() {
            let c = first.price.currency();
            if let Some(g) = self.grades.iter().find(|g| g.price.currency() != c) {
                return Err(ConfigError::MixedCurrencies(
                    c.code().to_owned(),
                    g.price.currency().code().to_owned(),
                ));
            }
        }
        if self.flow.0 == 0 {
            return Err(ConfigError::Zero("flow"));
        }
        if self.slow_flow.rate_for(self.flow).0 == 0 {
            return Err(ConfigError::Zero("slow_flow"));
        }
        if self.progress_interval == Duration::ZERO {
            // A zero period would fire forever at one instant.
            return Err(ConfigError::Zero("progress_interval"));
        }
        if self.max_delivery == Volume::ZERO {
            return Err(ConfigError::Zero("max_delivery"));
        }
        if self.ramp > MAX_RAMP {
            return Err(ConfigError::Range("ramp"));
        }
        if let Some(c) = &self.customer {
            if self.nozzle_grade(c.nozzle).is_none() {
                return Err(ConfigError::CustomerNozzle(c.nozzle));
            }
            if let (Some(amount), Some(cur)) = (c.target.amount_major(), self.currency()) {
                Money::from_decimal(amount, cur)
                    .map_err(|e| ConfigError::CustomerAmount(e.to_string()))?;
            }
        }
        Ok(())
    }
}

/// Parses `"40 L ± 10 L"` / `"40 L +- 10 L"` / `"40 L"`.
pub(crate) fn parse_volume_range(text: &str) -> Result<(Volume, Volume), ConfigError> {
    let err = || ConfigError::Parse {
        field: "tank",
        message: format!("not a volume range (expected e.g. `40 L ± 10 L`): `{text}`"),
    };
    let (a, b) = match text.split_once('±').or_else(|| text.split_once("+-")) {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let base = Volume::parse(a).map_err(|_| err())?;
    let tol = b.map(Volume::parse).transpose().map_err(|_| err())?;
    Ok((base, tol.unwrap_or(Volume::ZERO)))
}

/// `deserialize_with` helpers: TOML strings through payrig-core's exact parsers.
pub(crate) mod de {
    use super::*;
    use serde::de::Error;

    pub(crate) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        Duration::parse(&s).map_err(D::Error::custom)
    }

    pub(crate) fn opt_duration<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        let s = String::deserialize(d)?;
        if matches!(s.trim(), "off" | "none" | "never") {
            return Ok(None);
        }
        Duration::parse(&s).map(Some).map_err(D::Error::custom)
    }

    pub(crate) fn duration_spec<'de, D: Deserializer<'de>>(d: D) -> Result<DurationSpec, D::Error> {
        let s = String::deserialize(d)?;
        DurationSpec::parse(&s).map_err(D::Error::custom)
    }

    pub(crate) fn volume<'de, D: Deserializer<'de>>(d: D) -> Result<Volume, D::Error> {
        let s = String::deserialize(d)?;
        Volume::parse(&s).map_err(D::Error::custom)
    }

    pub(crate) fn opt_volume<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Volume>, D::Error> {
        let s = String::deserialize(d)?;
        if matches!(s.trim(), "none" | "off") {
            return Ok(None);
        }
        Volume::parse(&s).map(Some).map_err(D::Error::custom)
    }

    pub(crate) fn flow<'de, D: Deserializer<'de>>(d: D) -> Result<FlowRate, D::Error> {
        let s = String::deserialize(d)?;
        parse_flow_rate(&s, "flow").map_err(D::Error::custom)
    }

    pub(crate) fn slow_flow<'de, D: Deserializer<'de>>(d: D) -> Result<SlowFlow, D::Error> {
        let s = String::deserialize(d)?;
        SlowFlow::parse(&s).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Target;

    const PUMP_TOML: &str = r#"
nozzles = [ { no = 1, grade = "G95" } ]
flow = "35 L/min"
ramp = "2s"
slow_zone = "500 ml"
slow_flow = "10%"
motor_start = "2s"
auth_timeout = "180s"
unpaid_limit = 2
customer = { lift_after = "5s ± 2s", nozzle = 1, target = "fill", tank = "40 L ± 10 L" }
"#;

    fn g95() -> Vec<Grade> {
        let spec = GradeSpec {
            name: "Unleaded 95".into(),
            price: "1.789".into(),
        };
        vec![Grade::from_spec("G95", &spec, Currency::EUR).unwrap()]
    }

    #[test]
    fn parses_the_spec_scenario_table() {
        let cfg: FuelPointConfig = toml::from_str(PUMP_TOML).unwrap();
        let cfg = cfg.with_grades(1, g95());
        cfg.validate().unwrap();
        assert_eq!(cfg.flow.ml_per_min(), 35_000);
        assert_eq!(cfg.slow_flow.rate_for(cfg.flow).ml_per_min(), 3_500);
        assert_eq!(cfg.auth_timeout, Some(Duration::from_secs(180)));
        let c = cfg.customer.as_ref().unwrap();
        assert_eq!(c.lift_after, DurationSpec::new(5_000, 2_000));
        assert_eq!(
            c.target,
            Target::Fill {
                tank: Volume(40_000),
                tolerance: Volume(10_000)
            }
        );
        assert_eq!(cfg.nozzle_grade(1).unwrap().price.thousandths(), 178_900);
    }

    #[test]
    fn parses_rates_exactly() {
        assert_eq!(SlowFlow::parse("10%").unwrap(), SlowFlow::Share(100_000));
        assert_eq!(SlowFlow::parse("12.5%").unwrap(), SlowFlow::Share(125_000));
        assert_eq!(
            SlowFlow::parse("4 L/min").unwrap(),
            SlowFlow::Rate(FlowRate::from_ml_per_min(4_000))
        );
        assert!(SlowFlow::parse("0%").is_err());
        assert!(SlowFlow::parse("101%").is_err());
        assert!(SlowFlow::parse("10.00001%").is_err());
        assert!(parse_flow_rate("35 L", "flow").is_err());
        assert_eq!(
            parse_flow_rate("500 ml/min", "flow").unwrap(),
            FlowRate::from_ml_per_min(500)
        );
        assert_eq!(
            parse_volume_range("40 L +- 10 L").unwrap(),
            (Volume(40_000), Volume(10_000))
        );
    }

    #[test]
    fn rejects_bad_tables() {
        assert!(toml::from_str::<FuelPointConfig>("flow = \"fast\"").is_err());
        assert!(toml::from_str::<FuelPointConfig>("colour = \"red\"").is_err());
        let off: FuelPointConfig = toml::from_str("auth_timeout = \"off\"").unwrap();
        assert_eq!(off.auth_timeout, None);
        let cfg = FuelPointConfig::default_for(1, Vec::new());
        assert_eq!(cfg.validate(), Err(ConfigError::NoNozzles(1)));
        let mut cfg = FuelPointConfig::default_for(1, g95());
        cfg.nozzles.push(NozzleConfig {
            no: 2,
            grade: "G98".into(),
        });
        assert!(matches!(
            cfg.validate(),
            Err(ConfigError::UnknownGrade { nozzle: 2, .. })
        ));
        let mut cfg = FuelPointConfig::default_for(1, g95());
        cfg.progress_interval = Duration::ZERO;
        assert_eq!(cfg.validate(), Err(ConfigError::Zero("progress_interval")));
    }

    #[test]
    fn ationet_defaults() {
        let cfg = FuelPointConfig::default_for(3, Grade::ationet_defaults(Currency::USD).unwrap());
        cfg.validate().unwrap();
        assert_eq!(cfg.nozzles.len(), 3);
        assert_eq!(cfg.nozzle_grade(3).unwrap().name, "Diesel");
        assert_eq!(cfg.nozzle_grade(3).unwrap().price.thousandths(), 145_900);
        assert_eq!(cfg.motor_start, Duration::from_secs(2));
        assert_eq!(cfg.progress_interval, Duration::from_secs(1));
    }
}

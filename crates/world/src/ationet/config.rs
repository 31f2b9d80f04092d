//! ATIONet world configuration: the API switches, the sites with their pumps and grades, and
//! the PFEP (spec section 7). Loaded from the `[ationet]` table of a scenario TOML.

use std::collections::BTreeMap;

use payrig_ationet::machine::Timers;
use payrig_ationet::PresetUnit;
use payrig_core::rng::DurationSpec;
use payrig_core::{Currency, Decimal, Duration};
use serde::Deserialize;

use crate::ConfigError;

/// What a key reused with another body gets (3.6, D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnKeyMismatch {
    /// 409 `idempotency_key_reused` (default).
    #[default]
    Conflict,
    /// 200 with the stored id.
    ReturnExisting,
}

/// How transaction ids are made (D5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TransactionIdMode {
    /// id = potencyKeyId (default; the samples do this).
    #[default]
    EchoKey,
    /// A seeded UUID v4.
    Uuid,
}

/// What `Authorize` does at a site (section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizeBehaviour {
    /// Pass to the pump (default).
    #[default]
    Ok,
    /// Overall ok, Response not ok (state 8).
    Refused,
    /// Overall not ok (state 18).
    Fail,
}

/// The whole ATIONet configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AtionetConfig {
    /// Accepted Bearer tokens (D1).
    pub tokens: Vec<String>,
    /// T2: every create lands in 17.
    pub queue_fault: bool,
    /// Timers and the prompting switch.
    pub timers: Timers,
    /// D6.
    pub on_key_mismatch: OnKeyMismatch,
    /// D5.
    pub transaction_id_mode: TransactionIdMode,
    /// `00000` (default) or `0` (D9).
    pub cancel_success_code: String,
    /// Sites by code.
    pub sites: BTreeMap<String, SiteConfig>,
    /// PFEP answer latency (default 300 ms).
    pub pfep_latency: DurationSpec,
    /// Limits for requests naming an unknown site (they still get 200, then 16).
    pub unknown_site_max_preset: Decimal,
}

/// One site system with its pumps.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    /// `siteCode`.
    pub code: String,
    /// Site currency.
    pub currency: Currency,
    /// What `amount` means here (D4).
    pub preset_unit: PresetUnit,
    /// Largest `amount`, in `preset_unit`.
    pub max_preset: Decimal,
    /// `terminalIdentification`.
    pub terminal: String,
    /// Session up at start.
    pub session_up: bool,
    /// Delay of site replies; `None` = the site never replies (T_reply fires).
    pub reply_delay: Option<Duration>,
    /// Authorize behaviour.
    pub authorize: AuthorizeBehaviour,
    /// T_site; `None` = off (then T_mppa ends state 7).
    pub t_site: Option<Duration>,
    /// The driver lifts just as a Deauthorize arrives (T28).
    pub deauthorize_race: bool,
    /// Grades by code.
    pub grades: BTreeMap<String, GradeConfig>,
    /// Pumps by number.
    pub pumps: BTreeMap<u8, PumpConfig>,
    /// The driver's behaviour at every pump of the site.
    pub customer: CustomerConfig,
}

/// A grade and its unit price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeConfig {
    /// Description (`Diesel`).
    pub name: String,
    /// Price per litre in major units, exact (`1.459`).
    pub price: Decimal,
}

/// Initial condition of a pump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PumpCondition {
    /// Ready.
    #[default]
    Idle,
    /// In use by someone else.
    Busy,
    /// Inoperative.
    Offline,
}

/// One pump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PumpConfig {
    /// Start condition.
    pub condition: PumpCondition,
    /// Grades on its nozzles (nozzle n = n-th grade); empty = every site grade.
    pub grades: Vec<String>,
}

/// The simulated driver (section 7, Pump).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerConfig {
    /// Lift after the authorization; `None` = never (control API lifts instead).
    pub lift_delay: Option<DurationSpec>,
    /// Motor start before the flow.
    pub motor_delay: Duration,
    /// `Progress` cadence.
    pub progress_interval: Duration,
    /// Hang-up after the flow stops.
    pub hangup_delay: DurationSpec,
    /// Early hang-up at this volume (ml).
    pub hang_up_at_ml: Option<u64>,
    /// Fault at this volume (ml); the site finalizes what was metered.
    pub fault_at_ml: Option<u64>,
    /// Flow rate, ml per minute.
    pub flow_ml_per_min: u64,
}

impl Default for CustomerConfig {
    fn default() -> Self {
        CustomerConfig {
            lift_delay: Some(DurationSpec::fixed(5_000)),
            motor_delay: Duration::from_secs(2),
            progress_interval: Duration::from_secs(1),
            hangup_delay: DurationSpec::fixed(3_000),
            hang_up_at_ml: None,
            fault_at_ml: None,
            flow_ml_per_min: 35_000,
        }
    }
}

impl SiteConfig {
    /// The spec's default site: `1524`, USD, volume, max_preset 1000, terminal `ST01`, pumps
    /// 1-4 Idle, grades `1` 1.299, `2` 1.499, `3` Diesel 1.459.
    pub fn default_site() -> SiteConfig {
        let mut grades = BTreeMap::new();
        for (code, name, price) in [
            ("1", "Regular", 1299),
            ("2", "Premium", 1499),
            ("3", "Diesel", 1459),
        ] {
            grades.insert(
                code.to_owned(),
                GradeConfig {
                    name: name.to_owned(),
                    price: Decimal::new(price, 3),
                },
            );
        }
        let pumps = (1..=4)
            .map(|n| {
                (
                    n,
                    PumpConfig {
                        condition: PumpCondition::Idle,
                        grades: Vec::new(),
                    },
                )
            })
            .collect();
        SiteConfig {
            code: "1524".to_owned(),
            currency: Currency::USD,
            preset_unit: PresetUnit::Volume,
            max_preset: Decimal::from_int(1000),
            terminal: "ST01".to_owned(),
            session_up: true,
            reply_delay: Some(Duration::from_millis(200)),
            authorize: AuthorizeBehaviour::Ok,
            t_site: Some(Duration::from_secs(180)),
            deauthorize_race: false,
            grades,
            pumps,
            customer: CustomerConfig::default(),
        }
    }
}

impl Default for AtionetConfig {
    fn default() -> Self {
        let site = SiteConfig::default_site();
        AtionetConfig {
            tokens: vec!["atn-test-7f3c9a1e".to_owned()],
            queue_fault: false,
            timers: Timers::default(),
            on_key_mismatch: OnKeyMismatch::Conflict,
            transaction_id_mode: TransactionIdMode::EchoKey,
            cancel_success_code: "00000".to_owned(),
            sites: BTreeMap::from([(site.code.clone(), site)]),
            pfep_latency: DurationSpec::fixed(300),
            unknown_site_max_preset: Decimal::from_int(1000),
        }
    }
}

// ---- TOML form ----

/// `[ationet]` as written in a scenario file; every key optional.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAtionet {
    tokens: Option<Vec<String>>,
    queue_fault: Option<bool>,
    step_delay: Option<String>,
    t_reply: Option<String>,
    t_pfep: Option<String>,
    t_mppa: Option<String>,
    t_prompt: Option<String>,
    prompting: Option<bool>,
    on_key_mismatch: Option<OnKeyMismatch>,
    transaction_id_mode: Option<TransactionIdMode>,
    cancel_success_code: Option<String>,
    pfep_latency: Option<String>,
    #[serde(default)]
    site: Vec<RawSite>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    code: String,
    currency: Option<String>,
    preset_unit: Option<PresetUnit>,
    max_preset: Option<String>,
    terminal: Option<String>,
    session: Option<String>,
    reply_delay: Option<String>,
    authorize: Option<AuthorizeBehaviour>,
    t_site: Option<String>,
    deauthorize_race: Option<bool>,
    grades: Option<BTreeMap<String, RawGrade>>,
    #[serde(default)]
    pump: Vec<RawPump>,
    customer: Option<RawCustomer>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrade {
    name: String,
    price: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPump {
    number: u8,
    state: Option<PumpCondition>,
    grades: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    lift_delay: Option<String>,
    motor_delay: Option<String>,
    progress_interval: Option<String>,
    hangup_delay: Option<String>,
    hang_up_at: Option<String>,
    fault_at: Option<String>,
    flow: Option<String>,
}

/// The scenario file's top level; only `[ationet]` is read here.
#[derive(Debug, Clone, Deserialize, Default)]
struct RawScenario {
    ationet: Option<RawAtionet>,
}

fn dur(field: &str, v: &str) -> Result<Duration, ConfigError> {
    Duration::parse(v).map_err(|e| ConfigError::field(field, e.to_string()))
}

fn dur_or_off(field: &str, v: &str) -> Result<Option<Duration>, ConfigError> {
    match v.trim() {
        "off" | "none" | "never" => Ok(None),
        t => dur(field, t).map(Some),
    }
}

fn spec(field: &str, v: &str) -> Result<DurationSpec, ConfigError> {
    DurationSpec::parse(v).map_err(|e| ConfigError::field(field, e.to_string()))
}

fn decimal(field: &str, v: &str) -> Result<Decimal, ConfigError> {
    Decimal::parse(v.trim()).map_err(|e| ConfigError::field(field, e.to_string()))
}

fn volume_ml(field: &str, v: &str) -> Result<u64, ConfigError> {
    payrig_core::Volume::parse(v)
        .map(|v| v.ml())
        .map_err(|e| ConfigError::field(field, e.to_string()))
}

/// Parses `"35 L/min"` or `"500 ml/min"` into ml per minute.
fn flow(field: &str, v: &str) -> Result<u64, ConfigError> {
    let t = v.trim();
    let Some(vol) = t.strip_suffix("/min") else {
        return Err(ConfigError::field(
            field,
            format!("`{v}`: expected e.g. `35 L/min`"),
        ));
    };
    volume_ml(field, vol)
}

impl AtionetConfig {
    /// Reads the `[ationet]` table of a scenario TOML; absent keys keep the defaults.
    pub fn from_toml(text: &str) -> Result<AtionetConfig, ConfigError> {
        let raw: RawScenario =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.message().to_owned()))?;
        let mut cfg = AtionetConfig::default();
        let Some(a) = raw.ationet else {
            return Ok(cfg);
        };
        if let Some(t) = a.tokens {
            if t.is_empty() || t.iter().any(String::is_empty) {
                return Err(ConfigError::field(
                    "ationet.tokens",
                    "tokens must be non-empty",
                ));
            }
            cfg.tokens = t;
        }
        if let Some(v) = a.queue_fault {
            cfg.queue_fault = v;
        }
        let t = &mut cfg.timers;
        if let Some(v) = a.step_delay {
            t.step_delay = dur("ationet.step_delay", &v)?;
        }
        if let Some(v) = a.t_reply {
            t.t_reply = dur("ationet.t_reply", &v)?;
        }
        if let Some(v) = a.t_pfep {
            t.t_pfep = dur("ationet.t_pfep", &v)?;
        }
        if let Some(v) = a.t_mppa {
            t.t_mppa = dur("ationet.t_mppa", &v)?;
        }
        if let Some(v) = a.t_prompt {
            t.t_prompt = dur("ationet.t_prompt", &v)?;
        }
        if let Some(v) = a.prompting {
            t.prompting = v;
        }
        if let Some(v) = a.on_key_mismatch {
            cfg.on_key_mismatch = v;
        }
        if let Some(v) = a.transaction_id_mode {
            cfg.transaction_id_mode = v;
        }
        if let Some(v) = a.cancel_success_code {
            if v != "00000" && v != "0" {
                return Err(ConfigError::field(
                    "ationet.cancel_success_code",
                    "must be \"00000\" or \"0\"",
                ));
            }
            cfg.cancel_success_code = v;
        }
        if let Some(v) = a.pfep_latency {
            cfg.pfep_latency = spec("ationet.pfep_latency", &v)?;
        }
        if !a.site.is_empty() {
            cfg.sites.clear();
            for s in a.site {
                let site = site_from_raw(s)?;
                if cfg.sites.contains_key(&site.code) {
                    return Err(ConfigError::field(
                        "ationet.site.code",
                        format!("site `{}` given twice", site.code),
                    ));
                }
                cfg.sites.insert(site.code.clone(), site);
            }
        }
        Ok(cfg)
    }
}

fn site_from_raw(s: RawSite) -> Result<SiteConfig, ConfigError> {
    let mut site = SiteConfig::default_site();
    if s.code.is_empty() || s.code.len() > 32 {
        return Err(ConfigError::field("ationet.site.code", "1-32 characters"));
    }
    site.code = s.code;
    if let Some(c) = s.currency {
        site.currency =
            Currency::from_code(&c).map_err(|e| ConfigError::field("currency", e.to_string()))?;
    }
    if let Some(u) = s.preset_unit {
        site.preset_unit = u;
    }
    if let Some(m) = s.max_preset {
        site.max_preset = decimal("max_preset", &m)?;
    }
    if let Some(t) = s.terminal {
        site.terminal = t;
    }
    if let Some(sess) = s.session {
        site.session_up = match sess.as_str() {
            "up" => true,
            "down" => false,
            other => {
                return Err(ConfigError::field(
                    "session",
                    format!("`{other}`: expected up or down"),
                ))
            }
        };
    }
    if let Some(r) = s.reply_delay {
        site.reply_delay = dur_or_off("reply_delay", &r)?;
    }
    if let Some(a) = s.authorize {
        site.authorize = a;
    }
    if let Some(t) = s.t_site {
        site.t_site = dur_or_off("t_site", &t)?;
    }
    if let Some(r) = s.deauthorize_race {
        site.deauthorize_race = r;
    }
    if let Some(g) = s.grades {
        site.grades.clear();
        for (code, raw) in g {
            let price = decimal("grades.price", &raw.price)?;
            if !price.is_positive() || price.scale() > u32::from(site.currency.exponent()) + 3 {
                return Err(ConfigError::field(
                    "grades.price",
                    format!("`{}`: positive, at most exponent + 3 decimals", raw.price),
                ));
            }
            site.grades.insert(
                code,
                GradeConfig {
                    name: raw.name,
                    price,
                },
            );
        }
    }
    if !s.pump.is_empty() {
        site.pumps.clear();
        for p in s.pump {
            if !(1..=99).contains(&p.number) {
                return Err(ConfigError::field("pump.number", "1-99"));
            }
            let grades = p.grades.unwrap_or_default();
            if let Some(g) = grades.iter().find(|g| !site.grades.contains_key(*g)) {
                return Err(ConfigError::field(
                    "pump.grades",
                    format!("grade `{g}` is not defined for the site"),
                ));
            }
            site.pumps.insert(
                p.number,
                PumpConfig {
                    condition: p.state.unwrap_or_default(),
                    grades,
                },
            );
        }
    }
    if let Some(c) = s.customer {
        let cu = &mut site.customer;
        if let Some(v) = c.lift_delay {
            cu.lift_delay = match v.trim() {
                "never" => None,
                t => Some(spec("customer.lift_delay", t)?),
            };
        }
        if let Some(v) = c.motor_delay {
            cu.motor_delay = dur("customer.motor_delay", &v)?;
        }
        if let Some(v) = c.progress_interval {
            cu.progress_interval = dur("customer.progress_interval", &v)?;
            if cu.progress_interval.as_millis() == 0 {
                return Err(ConfigError::field(
                    "customer.progress_interval",
                    "must be > 0",
                ));
            }
        }
        if let Some(v) = c.hangup_delay {
            cu.hangup_delay = spec("customer.hangup_delay", &v)?;
        }
        if let Some(v) = c.hang_up_at {
            cu.hang_up_at_ml = Some(volume_ml("customer.hang_up_at", &v)?);
        }
        if let Some(v) = c.fault_at {
            cu.fault_at_ml = Some(volume_ml("customer.fault_at", &v)?);
        }
        if let Some(v) = c.flow {
            cu.flow_ml_per_min = flow("customer.flow", &v)?;
            if cu.flow_ml_per_min == 0 {
                return Err(ConfigError::field("customer.flow", "must be > 0"));
            }
        }
    }
    Ok(site)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_section_7() {
        let c = AtionetConfig::default();
        let s = &c.sites["1524"];
        assert_eq!(s.currency, Currency::USD);
        assert_eq!(s.pumps.len(), 4);
        assert_eq!(s.grades["3"].name, "Diesel");
        assert_eq!(s.grades["3"].price.to_string(), "1.459");
        assert_eq!(c.timers.t_mppa, Duration::from_secs(300));
        assert_eq!(s.t_site, Some(Duration::from_secs(180)));
    }

    #[test]
    fn reads_a_scenario() {
        let c = AtionetConfig::from_toml(
            r#"
            [ationet]
            prompting = true
            transaction_id_mode = "uuid"
            [[ationet.site]]
            code = "77"
            currency = "EUR"
            preset_unit = "money"
            t_site = "off"
            reply_delay = "none"
            grades = { G95 = { name = "Unleaded 95", price = "1.789" } }
            [[ationet.site.pump]]
            number = 2
            state = "offline"
            [ationet.site.customer]
            lift_delay = "never"
            hang_up_at = "2 L"
            "#,
        )
        .unwrap();
        assert!(c.timers.prompting);
        let s = &c.sites["77"];
        assert_eq!(s.preset_unit, PresetUnit::Money);
        assert_eq!(s.t_site, None);
        assert_eq!(s.reply_delay, None);
        assert_eq!(s.pumps[&2].condition, PumpCondition::Offline);
        assert_eq!(s.customer.lift_delay, None);
        assert_eq!(s.customer.hang_up_at_ml, Some(2000));
    }

    #[test]
    fn rejects_bad_values_with_the_field() {
        for (toml, field) in [
            ("[ationet]\nstep_delay = \"soon\"", "ationet.step_delay"),
            (
                "[ationet]\ncancel_success_code = \"1\"",
                "ationet.cancel_success_code",
            ),
            (
                "[[ationet.site]]\ncode = \"1\"\ncurrency = \"XXX\"",
                "currency",
            ),
            (
                "[[ationet.site]]\ncode = \"1\"\n[[ationet.site.pump]]\nnumber = 0",
                "pump.number",
            ),
        ] {
            match AtionetConfig::from_toml(toml) {
                Err(ConfigError::Field { field: f, .. }) => assert_eq!(f, field, "{toml}"),
                other => panic!("{toml}: {other:?}"),
            }
        }
        assert!(matches!(
            AtionetConfig::from_toml("[ationet]\nbogus = 1"),
            Err(ConfigError::Toml(_))
        ));
    }
}

//! Acquirer configuration and the scenario's `[acquirer]` table (simulators spec section 5).
//!
//! ```toml
//! [acquirer]
//! profile = "payrig"                 # a built-in, or the name of a profile passed in
//! random_decline_rate = 0.0          # exact: 0.05 is 5/100; also "1/20" or "5%"
//! no_response_rate = 0.0
//! auth_validity = "168h"             # uncaptured preauths expire (7 d)
//! [acquirer.latency]                 # over the profile's
//! authorise = "800ms ± 300ms"
//! [[acquirer.override]]
//! match = { operation = "authorise", card = "4761730000000011", amount = "150.00" }
//! outcome = { code = "10", approved = "60.00" }
//! times = 1
//! ```

use payrig_core::{Decimal, Duration};
use serde::Deserialize;

use crate::amount::Ratio;
use crate::code::ResponseCode;
use crate::outcome::{Override, OverrideToml};
use crate::profile::{LatencyToml, Profile};

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// TOML syntax or shape.
    #[error("TOML: {0}")]
    Toml(String),
    /// No built-in or supplied profile has this name.
    #[error("unknown acquirer profile `{0}`")]
    UnknownProfile(String),
    /// Not a two-character field-39 code.
    #[error("not a response code (two characters 0-9 A-Z): `{0}`")]
    BadCode(String),
    /// Not an exact, non-negative decimal amount.
    #[error("not an amount: `{0}`")]
    BadAmount(String),
    /// Not a duration spec (`800ms ± 300ms`).
    #[error("not a duration: `{0}`")]
    BadDuration(String),
    /// A rate outside 0..=1 or not exact.
    #[error("not a rate in 0..=1: `{0}`")]
    BadRate(String),
    /// A profile rule that cannot work.
    #[error("rule {index}: {reason}")]
    BadRule {
        /// 0-based position in the file.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// An outcome that mixes incompatible options.
    #[error("outcome: {0}")]
    BadOutcome(String),
    /// Any other value out of its domain.
    #[error("bad value: {0}")]
    BadValue(String),
}

/// Everything an [`Acquirer`](crate::Acquirer) is built from, besides its RNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquirerConfig {
    /// Rules, latencies, code style.
    pub profile: Profile,
    /// Step 4: seeded random declines (`05`).
    pub random_decline_rate: Ratio,
    /// Step 4: seeded lost authorisations (checked before declines).
    pub no_response_rate: Ratio,
    /// Code of a random decline.
    pub random_decline_code: ResponseCode,
    /// Uncaptured preauths expire after this (spec 4.1: 7 d).
    pub auth_validity: Duration,
    /// Step 1 overrides present from the start (ids `ov-1`, `ov-2`, ... in order).
    pub overrides: Vec<Override>,
}

impl AcquirerConfig {
    /// The given profile with the spec defaults.
    pub fn with_profile(profile: Profile) -> AcquirerConfig {
        AcquirerConfig {
            profile,
            random_decline_rate: Ratio::ZERO,
            no_response_rate: Ratio::ZERO,
            random_decline_code: ResponseCode::DO_NOT_HONOUR,
            auth_validity: Duration::from_secs(7 * 24 * 3600),
            overrides: Vec::new(),
        }
    }

    /// A built-in profile with the spec defaults.
    pub fn builtin(name: &str) -> Result<AcquirerConfig, ConfigError> {
        Profile::builtin(name)
            .map(AcquirerConfig::with_profile)
            .ok_or_else(|| ConfigError::UnknownProfile(name.to_owned()))
    }

    /// Reads the `[acquirer]` table of a whole scenario file (defaults with the `payrig`
    /// profile when absent). `profiles` are looked up by name before the built-ins, so a user's
    /// file can replace `payrig` or `ationet-default`.
    pub fn from_scenario_toml(
        text: &str,
        profiles: &[Profile],
    ) -> Result<AcquirerConfig, ConfigError> {
        #[derive(Deserialize)]
        struct Scenario {
            acquirer: Option<AcquirerToml>,
        }
        let s: Scenario = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        s.acquirer.unwrap_or_default().resolve(profiles)
    }
}

/// The `[acquirer]` table as written (serde), for callers that parse the scenario themselves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcquirerToml {
    profile: Option<String>,
    /// DUKPT base key; accepted here, used by the card-reader crate's decryption hook.
    bdk: Option<String>,
    random_decline_rate: Option<RateToml>,
    no_response_rate: Option<RateToml>,
    random_decline_code: Option<String>,
    auth_validity: Option<String>,
    #[serde(default)]
    latency: Option<LatencyToml>,
    #[serde(default, rename = "override")]
    overrides: Vec<OverrideToml>,
}

/// A rate: a TOML number (converted once, exactly, from its shortest decimal text), or a string
/// `"0.05"`, `"5%"`, `"1/20"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RateToml {
    Int(i64),
    Float(f64),
    Text(String),
}

impl RateToml {
    fn resolve(&self) -> Result<Ratio, ConfigError> {
        let text = match self {
            RateToml::Int(i) => i.to_string(),
            // Rust prints the shortest text that reads back to the same f64 ("0.05"), which is
            // the decimal the user wrote; from there on the rate is an exact fraction.
            RateToml::Float(f) => format!("{f}"),
            RateToml::Text(t) => t.trim().to_owned(),
        };
        let bad = || ConfigError::BadRate(text.clone());
        if let Some((n, d)) = text.split_once('/') {
            let n: u64 = n.trim().parse().map_err(|_| bad())?;
            let d: u64 = d.trim().parse().map_err(|_| bad())?;
            return if d > 0 && n <= d {
                Ok(Ratio::new(n, d))
            } else {
                Err(bad())
            };
        }
        let (num, percent) = match text.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (text.as_str(), false),
        };
        let d = Decimal::parse(num).map_err(|_| bad())?;
        let d = if percent {
            Decimal::new(d.mantissa(), d.scale() + 2)
        } else {
            d
        };
        Ratio::from_decimal(d).ok_or_else(bad)
    }
}

impl AcquirerToml {
    /// The DUKPT base key, when given (for the card-reader crate).
    pub fn bdk(&self) -> Option<&str> {
        self.bdk.as_deref()
    }

    /// Checks and converts; `profiles` are looked up before the built-ins.
    pub fn resolve(self, profiles: &[Profile]) -> Result<AcquirerConfig, ConfigError> {
        let name = self.profile.as_deref().unwrap_or("payrig");
        let mut profile = profiles
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .or_else(|| Profile::builtin(name))
            .ok_or_else(|| ConfigError::UnknownProfile(name.to_owned()))?;
        if let Some(l) = &self.latency {
            l.apply(&mut profile.latency)?;
        }
        let mut c = AcquirerConfig::with_profile(profile);
        if let Some(r) = &self.random_decline_rate {
            c.random_decline_rate = r.resolve()?;
        }
        if let Some(r) = &self.no_response_rate {
            c.no_response_rate = r.resolve()?;
        }
        if let Some(code) = &self.random_decline_code {
            c.random_decline_code = ResponseCode::parse(code)?;
        }
        if let Some(v) = &self.auth_validity {
            c.auth_validity =
                Duration::parse(v).map_err(|_| ConfigError::BadDuration(v.clone()))?;
        }
        c.overrides = self
            .overrides
            .into_iter()
            .map(OverrideToml::resolve)
            .collect::<Result<_, _>>()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Grant, OpKind, Outcome};
    use payrig_core::rng::DurationSpec;

    #[test]
    fn reads_the_spec_example() {
        let text = r#"
[scenario]
name = "prepay-fuel"

[acquirer]
profile = "payrig"
bdk = "0123456789ABCDEFFEDCBA9876543210"
random_decline_rate = 0.05
no_response_rate = "1/50"

[acquirer.latency]
authorise = "800ms ± 300ms"
close_batch = "2s"

[[acquirer.override]]
match = { operation = "authorise", card = "4761730000000094", amount = "150.00" }
outcome = { code = "10", approved = "60.00" }
times = 1
latency = "100ms"
"#;
        let c = AcquirerConfig::from_scenario_toml(text, &[]).unwrap();
        assert_eq!(c.profile.name, "payrig");
        assert_eq!(c.random_decline_rate, Ratio::new(5, 100));
        assert_eq!(c.no_response_rate, Ratio::new(1, 50));
        assert_eq!(c.profile.latency.close_batch, DurationSpec::fixed(2000));
        let ov = &c.overrides[0];
        assert_eq!(ov.matcher.operation, Some(OpKind::Authorise));
        assert_eq!(ov.matcher.amount, Some(Decimal::parse("150").unwrap()));
        assert_eq!(ov.times, Some(1));
        let Outcome::Answer(a) = &ov.outcome else {
            panic!()
        };
        assert_eq!(a.code, ResponseCode::PARTIAL);
        assert_eq!(a.grant, Some(Grant::AtMost(Decimal::parse("60").unwrap())));
    }

    #[test]
    fn user_profiles_replace_builtins() {
        let mine = Profile::from_toml_str("name = \"payrig\"").unwrap();
        let c = AcquirerConfig::from_scenario_toml("[acquirer]\nprofile = \"payrig\"", &[mine])
            .unwrap();
        assert!(c.profile.rules.is_empty());
        let c = AcquirerConfig::from_scenario_toml("", &[]).unwrap();
        assert_eq!(c.profile.rules.len(), 18);
    }

    #[test]
    fn refuses_bad_tables() {
        for bad in [
            "[acquirer]\nprofile = \"nope\"",
            "[acquirer]\nrandom_decline_rate = 1.5",
            "[acquirer]\nrandom_decline_rate = \"3/2\"",
            "[acquirer]\nno_response_rate = -0.1",
            "[acquirer]\nauth_validity = \"7 days\"",
            "[acquirer]\ncolour = \"red\"",
            "[acquirer]\n[[acquirer.override]]\noutcome = { code = \"0\" }",
            "[acquirer]\n[[acquirer.override]]\nmatch = { amount = \"ten\" }\noutcome = \"approve\"",
        ] {
            assert!(AcquirerConfig::from_scenario_toml(bad, &[]).is_err(), "{bad}");
        }
        let c = AcquirerConfig::from_scenario_toml("[acquirer]\nrandom_decline_rate = \"5%\"", &[])
            .unwrap();
        assert_eq!(c.random_decline_rate, Ratio::new(5, 100));
    }
}

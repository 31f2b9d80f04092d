//! Targets: where the suite sends its requests (conformance.md section 2).
//!
//! - [`TargetSpec::Embedded`]: payrig's reference server in-process on `127.0.0.1:0`, with a
//!   virtual clock and the control API; each scenario starts its own instance, seeded from
//!   (run seed, scenario name) so a scenario repeats exactly whatever else is selected.
//! - [`TargetSpec::Remote`]: another server. A `GET /_payrig/v1/health` probe finds out whether
//!   it is a payrig with a control API; without one, scenarios tagged `@needs-control` are
//!   skipped (`target lacks control API`).

use std::time::Duration;

use payrig_client::{ControlApiError, ControlClient};

/// The default ATIONet Bearer token of payrig's reference server (spec section 2, D1).
pub const DEFAULT_ATIONET_TOKEN: &str = "atn-test-7f3c9a1e";

/// Environment variable overriding the ATIONet token sent to a remote target.
pub const TOKEN_ENV: &str = "PAYRIG_ATIONET_TOKEN";

/// Where a run points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// payrig's reference server, started in-process per scenario.
    Embedded,
    /// A server at `base_url`; `control_url` defaults to `base_url` for the health probe.
    Remote {
        /// Protocol base URL (`http://host:8080`).
        base_url: String,
        /// Control API URL, when it is not served on the protocol listener.
        control_url: Option<String>,
    },
}

/// What a target can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// The `/_payrig/v1` control API answers.
    pub control: bool,
    /// The clock is virtual (advanced through the control API).
    pub virtual_time: bool,
}

impl Caps {
    /// Everything: the embedded target.
    pub const ALL: Caps = Caps {
        control: true,
        virtual_time: true,
    };

    /// Why a scenario with `tags` cannot run here, if it cannot.
    pub fn skip_reason<S: AsRef<str>>(&self, tags: &[S]) -> Option<&'static str> {
        let has = |t: &str| tags.iter().any(|x| x.as_ref() == t);
        if has("needs-control") && !self.control {
            return Some("target lacks control API");
        }
        if has("needs-virtual-time") && !self.virtual_time {
            return Some("target clock is not virtual");
        }
        None
    }
}

/// Why a target could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The health probe could not connect (exit code 3).
    #[error("target {url} unreachable: {message}")]
    Unreachable {
        /// The URL probed.
        url: String,
        /// What failed.
        message: String,
    },
}

/// A resolved target: the spec plus what the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    /// The spec.
    pub spec: TargetSpec,
    /// Capabilities.
    pub caps: Caps,
    /// Control API URL to use (remote with control only).
    pub control_url: Option<String>,
    /// ATIONet Bearer token to send.
    pub token: String,
}

impl ResolvedTarget {
    /// True for the embedded target.
    pub fn is_embedded(&self) -> bool {
        matches!(self.spec, TargetSpec::Embedded)
    }
}

/// Probes `spec` (remote: `GET /_payrig/v1/health`) and returns what it can do.
pub async fn resolve(spec: &TargetSpec) -> Result<ResolvedTarget, TargetError> {
    let token = std::env::var(TOKEN_ENV).unwrap_or_else(|_| DEFAULT_ATIONET_TOKEN.to_owned());
    match spec {
        TargetSpec::Embedded => Ok(ResolvedTarget {
            spec: spec.clone(),
            caps: Caps::ALL,
            control_url: None,
            token,
        }),
        TargetSpec::Remote {
            base_url,
            control_url,
        } => {
            let url = control_url.clone().unwrap_or_else(|| base_url.clone());
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| TargetError::Unreachable {
                    url: url.clone(),
                    message: e.to_string(),
                })?;
            let control = ControlClient::with_http(http, url.clone(), None);
            match control.health().await {
                Ok(h) => Ok(ResolvedTarget {
                    spec: spec.clone(),
                    caps: Caps {
                        control: true,
                        virtual_time: h.is_virtual(),
                    },
                    control_url: Some(url),
                    token,
                }),
                Err(ControlApiError::Transport(e)) => Err(TargetError::Unreachable {
                    url,
                    message: e.to_string(),
                }),
                // 404 or anything else: a vendor server without payrig's control API.
                Err(_) => Ok(ResolvedTarget {
                    spec: spec.clone(),
                    caps: Caps {
                        control: false,
                        virtual_time: false,
                    },
                    control_url: None,
                    token,
                }),
            }
        }
    }
}

/// The seed of one scenario: the run seed mixed with an FNV-1a hash of the scenario name, so
/// it does not depend on which other scenarios were selected.
pub fn scenario_seed(run_seed: u64, scenario: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in scenario.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // splitmix64 finalizer over the combination.
    let mut z = run_seed ^ h.rotate_left(17);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_seeds_are_stable_and_distinct() {
        assert_eq!(scenario_seed(42, "a"), scenario_seed(42, "a"));
        assert_ne!(scenario_seed(42, "a"), scenario_seed(42, "b"));
        assert_ne!(scenario_seed(42, "a"), scenario_seed(43, "a"));
    }

    #[test]
    fn skip_reasons() {
        let none = Caps {
            control: false,
            virtual_time: false,
        };
        assert_eq!(
            none.skip_reason(&["server", "needs-control"]),
            Some("target lacks control API")
        );
        assert_eq!(none.skip_reason(&["server"]), None);
        assert_eq!(
            Caps::ALL.skip_reason(&["needs-control", "needs-virtual-time"]),
            None
        );
    }
}

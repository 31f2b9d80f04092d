//! The cucumber world of the ATIONet suite: one per scenario.
//!
//! A scenario's `Given` steps only edit [`ScenarioConfig`]; the first step that talks to the
//! target applies it ([`AtnWorld::prepare`]): the embedded target starts its own server with
//! that configuration, a remote payrig gets `POST /_payrig/v1/reset` with the scenario TOML.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context as _};
use payrig_client::{AtionetClient, ControlClient, RawResponse};
use serde::{Deserialize, Serialize};

use crate::target::{scenario_seed, ResolvedTarget};

/// Facts a scenario established, gathered for the coverage bars: the state ids its
/// transactions entered (from the journal and from GetTransaction) and the Cancel codes it
/// received (ATIONet); the response codes and the message kinds it got real answers for
/// (TECS).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioFacts {
    /// `state_Id`s entered.
    pub states: BTreeSet<u8>,
    /// Cancel `responseCode`s received.
    pub cancel_codes: BTreeSet<String>,
    /// TECS `response_code`s received.
    #[serde(default)]
    pub codes: BTreeSet<String>,
    /// TECS exchanges proven by real answers (`0001 sale`, `0013 capture`, `replay`...).
    #[serde(default)]
    pub messages: BTreeSet<String>,
}

impl ScenarioFacts {
    /// Adds `other`'s facts.
    pub fn merge(&mut self, other: &ScenarioFacts) {
        self.states.extend(other.states.iter().copied());
        self.cancel_codes.extend(other.cancel_codes.iter().cloned());
        self.codes.extend(other.codes.iter().cloned());
        self.messages.extend(other.messages.iter().cloned());
    }
}

/// Facts by scenario display name, filled by the runner's after-hook.
pub type FactsSink = Arc<Mutex<BTreeMap<String, ScenarioFacts>>>;

/// What every scenario of a run shares.
#[derive(Debug)]
pub struct RunContext {
    /// The target.
    pub target: ResolvedTarget,
    /// Run seed.
    pub seed: u64,
    /// Where scenarios leave their facts.
    pub facts: FactsSink,
    /// Wall time of each scenario, ms, by display name (measured from the before-hook to the
    /// after-hook, since the normalizing writer sees events late).
    pub timings: Arc<Mutex<BTreeMap<String, u64>>>,
}

/// The scenario's `[ationet]` configuration, written as TOML for the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioConfig {
    /// Top-level `[ationet]` keys, values as TOML literals.
    pub api: BTreeMap<String, String>,
    /// `[[ationet.site]]` tables, by code; empty = the default site.
    pub sites: BTreeMap<String, SiteSpec>,
}

/// One `[[ationet.site]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSpec {
    /// Site keys, values as TOML literals.
    pub keys: BTreeMap<String, String>,
    /// Pumps: number -> (state, grades TOML literal).
    pub pumps: BTreeMap<u8, (String, Option<String>)>,
    /// `[ationet.site.customer]` keys, values as TOML literals.
    pub customer: BTreeMap<String, String>,
}

impl Default for SiteSpec {
    /// Pumps 1-4 idle, as the default site has.
    fn default() -> Self {
        SiteSpec {
            keys: BTreeMap::new(),
            pumps: (1..=4).map(|n| (n, ("idle".to_owned(), None))).collect(),
            customer: BTreeMap::new(),
        }
    }
}

/// A TOML basic string literal.
pub fn toml_str(s: &str) -> String {
    // JSON string escapes are valid TOML basic-string escapes.
    serde_json::Value::String(s.to_owned()).to_string()
}

impl ScenarioConfig {
    /// True when nothing differs from the defaults.
    pub fn is_default(&self) -> bool {
        self.api.is_empty() && self.sites.is_empty()
    }

    /// The site `code`, created with the default site's pumps if new.
    pub fn site(&mut self, code: &str) -> &mut SiteSpec {
        self.sites.entry(code.to_owned()).or_default()
    }

    /// The scenario TOML.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("[ationet]\n");
        for (k, v) in &self.api {
            out.push_str(&format!("{k} = {v}\n"));
        }
        for (code, site) in &self.sites {
            out.push_str(&format!("\n[[ationet.site]]\ncode = {}\n", toml_str(code)));
            for (k, v) in &site.keys {
                out.push_str(&format!("{k} = {v}\n"));
            }
            for (n, (state, grades)) in &site.pumps {
                out.push_str(&format!(
                    "[[ationet.site.pump]]\nnumber = {n}\nstate = {}\n",
                    toml_str(state)
                ));
                if let Some(g) = grades {
                    out.push_str(&format!("grades = {g}\n"));
                }
            }
            if !site.customer.is_empty() {
                out.push_str("[ationet.site.customer]\n");
                for (k, v) in &site.customer {
                    out.push_str(&format!("{k} = {v}\n"));
                }
            }
        }
        out
    }
}

/// An embedded server, with a `Debug` the server type may lack.
pub struct Embedded(pub payrig_server::RunningServer);

impl fmt::Debug for Embedded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Embedded({})", self.0.base_url())
    }
}

/// A request the scenario sent, kept for repeats and assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Body text.
    pub body: Option<String>,
    /// The `potencyKeyId` in it, for creates.
    pub key: Option<String>,
}

/// The per-scenario world.
#[derive(Debug, Default, cucumber::World)]
pub struct AtnWorld {
    /// Shared run context (set by the runner's before-hook).
    pub ctx: Option<Arc<RunContext>>,
    /// Scenario display name.
    pub scenario: String,
    /// Scenario seed.
    pub seed: u64,
    /// The embedded server, once started.
    pub server: Option<Embedded>,
    /// ATIONet client, once the target is up.
    pub atn: Option<AtionetClient>,
    /// Control client, if the target has one.
    pub control: Option<ControlClient>,
    /// Configuration to apply.
    pub config: ScenarioConfig,
    /// Whether `config` is in force on the target.
    pub applied: bool,
    /// The last request sent.
    pub last_sent: Option<Sent>,
    /// The last answer.
    pub last: Option<RawResponse>,
    /// The last create's transaction id (the scenario's "current" transaction).
    pub tx: Option<String>,
    /// Answers of the last concurrent burst.
    pub burst: Vec<RawResponse>,
    /// Keys minted so far.
    pub keys_minted: u32,
    /// Facts for coverage.
    pub facts: ScenarioFacts,
    /// When the scenario started.
    pub started: Option<std::time::Instant>,
}

impl AtnWorld {
    /// Binds the world to the run and the scenario (before-hook). For a remote payrig with
    /// a control API, resets it with the scenario seed.
    pub async fn bind(&mut self, ctx: Arc<RunContext>, scenario: &str) -> anyhow::Result<()> {
        self.started = Some(std::time::Instant::now());
        self.seed = scenario_seed(ctx.seed, scenario);
        self.scenario = scenario.to_owned();
        if let crate::target::TargetSpec::Remote { base_url, .. } = &ctx.target.spec {
            self.atn = Some(AtionetClient::new(
                base_url.clone(),
                ctx.target.token.clone(),
            ));
            if let Some(url) = &ctx.target.control_url {
                let control = ControlClient::new(url.clone());
                control
                    .reset(Some(self.seed), None)
                    .await
                    .context("POST /_payrig/v1/reset")?;
                self.control = Some(control);
            }
            self.applied = true;
        }
        self.ctx = Some(ctx);
        Ok(())
    }

    /// Applies the configuration if needed: starts the embedded server, or resets the
    /// remote payrig with the scenario TOML. Every step that talks to the target calls it.
    pub async fn prepare(&mut self) -> anyhow::Result<()> {
        let ctx = self
            .ctx
            .clone()
            .ok_or_else(|| anyhow!("world not bound to a run"))?;
        if ctx.target.is_embedded() {
            if self.server.is_some() {
                return Ok(());
            }
            let toml = self.config.to_toml();
            let ationet = payrig_world::ationet::AtionetConfig::from_toml(&toml)
                .map_err(|e| anyhow!("scenario TOML rejected: {e}\n{toml}"))?;
            let cfg = payrig_server::ServerConfig {
                listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                clock: payrig_server::ClockMode::Virtual,
                seed: self.seed,
                ationet,
                tecs: payrig_world::tecs::TecsConfig::default(),
                control: true,
                control_token: None,
                journal_capacity: payrig_server::journal::DEFAULT_CAPACITY,
            };
            let server = payrig_server::start(cfg)
                .await
                .map_err(|e| anyhow!("embedded server did not start: {e}"))?;
            let base = server.base_url();
            self.atn = Some(AtionetClient::new(base.clone(), ctx.target.token.clone()));
            self.control = Some(ControlClient::new(base));
            self.server = Some(Embedded(server));
            self.applied = true;
            return Ok(());
        }
        if !self.applied {
            let control = self
                .control
                .as_ref()
                .ok_or_else(|| anyhow!("this step needs the target's control API"))?;
            let toml = self.config.to_toml();
            control
                .reset(Some(self.seed), Some(&toml))
                .await
                .with_context(|| format!("POST /_payrig/v1/reset with\n{toml}"))?;
            self.applied = true;
        }
        Ok(())
    }

    /// Marks the configuration as changed by a `Given` step.
    pub fn configure(&mut self) -> anyhow::Result<&mut ScenarioConfig> {
        if self.server.is_some() || (self.applied && self.control.is_none()) {
            bail!("configuration steps must come before the first request");
        }
        if self.control.is_none() && self.ctx.as_ref().is_some_and(|c| !c.target.is_embedded()) {
            bail!("configuring the site needs the target's control API");
        }
        self.applied = false;
        Ok(&mut self.config)
    }

    /// The ATIONet client (after [`AtnWorld::prepare`]).
    pub fn atn(&self) -> anyhow::Result<&AtionetClient> {
        self.atn
            .as_ref()
            .ok_or_else(|| anyhow!("target not prepared"))
    }

    /// The control client; an error on targets without one.
    pub fn control(&self) -> anyhow::Result<&ControlClient> {
        self.control
            .as_ref()
            .ok_or_else(|| anyhow!("this step needs the target's control API"))
    }

    /// The last answer.
    pub fn last(&self) -> anyhow::Result<&RawResponse> {
        self.last
            .as_ref()
            .ok_or_else(|| anyhow!("no request was sent yet"))
    }

    /// The current transaction id.
    pub fn tx(&self) -> anyhow::Result<String> {
        self.tx
            .clone()
            .ok_or_else(|| anyhow!("no transaction was created yet"))
    }

    /// A fresh UUID-shaped `potencyKeyId`, deterministic per scenario.
    pub fn mint_key(&mut self) -> String {
        self.keys_minted += 1;
        let a = crate::target::scenario_seed(self.seed, &self.keys_minted.to_string());
        let b = crate::target::scenario_seed(a, "key");
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            a & 0xfff,
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }

    /// Gathers the scenario's facts (journal state entries included) and stops the embedded
    /// server (after-hook).
    pub async fn finish(&mut self) -> ScenarioFacts {
        if let Some(control) = &self.control {
            if let Ok(entries) = control.journal_all(Some("sim")).await {
                for e in entries {
                    if e.get("op").and_then(|v| v.as_str()) == Some("state") {
                        if let Some(to) = e
                            .get("data")
                            .and_then(|d| d.get("to"))
                            .and_then(|v| v.as_u64())
                            .and_then(|v| u8::try_from(v).ok())
                        {
                            self.facts.states.insert(to);
                        }
                    }
                }
            }
        }
        if let Some(Embedded(server)) = self.server.take() {
            server.shutdown().await;
        }
        self.facts.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_toml_round_trips_through_the_world_loader() {
        let mut c = ScenarioConfig::default();
        c.api.insert("prompting".into(), "true".into());
        let s = c.site("1524");
        s.pumps.insert(2, ("offline".into(), None));
        s.keys.insert("reply_delay".into(), toml_str("none"));
        s.customer.insert("lift_delay".into(), toml_str("never"));
        let cfg = payrig_world::ationet::AtionetConfig::from_toml(&c.to_toml()).unwrap();
        let site = &cfg.sites["1524"];
        assert_eq!(site.pumps.len(), 4);
        assert_eq!(
            site.pumps[&2].condition,
            payrig_world::ationet::PumpCondition::Offline
        );
        assert_eq!(site.reply_delay, None);
        assert!(cfg.timers.prompting);
    }
}

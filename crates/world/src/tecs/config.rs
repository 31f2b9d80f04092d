//! TECS world configuration: terminals, their readers' customers, credentials, timers, the
//! acquirer profile (tecs spec sections 2, 4.1, 7). Loaded from the `[tecs]` table of a
//! scenario TOML.

use std::collections::BTreeMap;

use payrig_core::Duration;
use payrig_reader::{CardTable, Customer, CvmRule};
use serde::Deserialize;

use crate::ConfigError;

/// One Basic credential (D2), optionally scoped to terminals.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicUser {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
    /// Terminals this user may drive; empty = all.
    #[serde(default)]
    pub terminals: Vec<String>,
}

/// Accepted credentials (tecs spec section 2, D2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `Authorization: <authKey>` values.
    pub auth_keys: Vec<String>,
    /// `Authorization: Bearer <token>` values.
    pub bearer_tokens: Vec<String>,
    /// `Authorization: Basic …` users.
    pub basic: Vec<BasicUser>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            auth_keys: vec!["tecs-authkey-1".to_owned()],
            bearer_tokens: vec!["tecs-test-token".to_owned()],
            basic: vec![BasicUser {
                user: "ecr88091105".to_owned(),
                password: "Tecs-Test-Pass1".to_owned(),
                terminals: Vec::new(),
            }],
        }
    }
}

/// One terminal and the customer at its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalSetup {
    /// `terminal_number` (8 characters).
    pub number: String,
    /// Reachable at start.
    pub reachable: bool,
    /// The scripted customer (`None`: nobody presents until the control API says so).
    pub customer: Option<Customer>,
}

/// The whole TECS configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct TecsConfig {
    /// Terminals by number.
    pub terminals: BTreeMap<String, TerminalSetup>,
    /// Credentials.
    pub credentials: Credentials,
    /// `card_wait` (D15).
    pub card_wait: Duration,
    /// `host_timeout` (D15).
    pub host_timeout: Duration,
    /// Mask PANs in responses (D17).
    pub mask_pan: bool,
    /// A cancel's amount must equal the original's (D11).
    pub cancel_amount_must_match: bool,
    /// Acquirer profile name (`tecs-default`, `payrig`, `off`).
    pub acquirer_profile: String,
    /// A user's acquirer profile (TOML text, simulators spec 4.2), replacing the named one.
    pub acquirer_profile_toml: Option<String>,
    /// The reader's card table (default: payrig's published test cards).
    pub cards: CardTable,
    /// CVM rules; default: online PIN for every read (tecs spec 7), over the amount rules.
    pub cvm_rules: Vec<CvmRule>,
    /// How long the reader takes to read a card (default 500 ms).
    pub read_time: Duration,
    /// The chip's second step after the host result (default 300 ms).
    pub complete_time: Duration,
    /// `version` answer.
    pub version: String,
    /// `buildDate` answer.
    pub build_date: String,
}

/// Terminals configured by default: the spec's examples.
pub const DEFAULT_TERMINALS: [&str; 3] = ["88091105", "88091234", "11460019"];

impl Default for TecsConfig {
    fn default() -> Self {
        let terminals = DEFAULT_TERMINALS
            .iter()
            .map(|n| {
                (
                    (*n).to_owned(),
                    TerminalSetup {
                        number: (*n).to_owned(),
                        reachable: true,
                        customer: Some(Customer::tecs_default()),
                    },
                )
            })
            .collect();
        TecsConfig {
            terminals,
            credentials: Credentials::default(),
            card_wait: Duration::from_secs(60),
            host_timeout: Duration::from_secs(30),
            mask_pan: true,
            cancel_amount_must_match: true,
            acquirer_profile: "tecs-default".to_owned(),
            acquirer_profile_toml: None,
            cards: CardTable::published(),
            cvm_rules: vec![CvmRule {
                entry: None,
                above: None,
                wallet: None,
                cvm: payrig_reader::Cvm::OnlinePin,
            }],
            read_time: Duration::from_millis(500),
            complete_time: Duration::from_millis(300),
            version: "0.14.15-payrig".to_owned(),
            build_date: "2025-01-01".to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
struct RawScenario {
    tecs: Option<RawTecs>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTecs {
    card_wait: Option<String>,
    host_timeout: Option<String>,
    mask_pan: Option<bool>,
    cancel_amount_must_match: Option<bool>,
    acquirer_profile: Option<String>,
    acquirer_profile_toml: Option<String>,
    cards_replace: Option<bool>,
    auth_keys: Option<Vec<String>>,
    bearer_tokens: Option<Vec<String>>,
    basic: Option<Vec<BasicUser>>,
    cards_toml: Option<String>,
    cvm_rules: Option<Vec<CvmRule>>,
    read_time: Option<String>,
    complete_time: Option<String>,
    version: Option<String>,
    build_date: Option<String>,
    #[serde(default)]
    terminal: Vec<RawTerminal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerminal {
    number: String,
    reachable: Option<bool>,
    customer: Option<Customer>,
    /// `true`: nobody presents a card unless the control API says so.
    no_customer: Option<bool>,
}

fn dur(field: &str, v: &str) -> Result<Duration, ConfigError> {
    Duration::parse(v).map_err(|e| ConfigError::field(field, e.to_string()))
}

impl TecsConfig {
    /// Reads the `[tecs]` table of a scenario TOML; absent keys keep the defaults.
    pub fn from_toml(text: &str) -> Result<TecsConfig, ConfigError> {
        let raw: RawScenario =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.message().to_owned()))?;
        let mut cfg = TecsConfig::default();
        let Some(t) = raw.tecs else {
            return Ok(cfg);
        };
        if let Some(v) = t.card_wait {
            cfg.card_wait = dur("tecs.card_wait", &v)?;
        }
        if let Some(v) = t.host_timeout {
            cfg.host_timeout = dur("tecs.host_timeout", &v)?;
        }
        if let Some(v) = t.mask_pan {
            cfg.mask_pan = v;
        }
        if let Some(v) = t.cancel_amount_must_match {
            cfg.cancel_amount_must_match = v;
        }
        if let Some(v) = t.acquirer_profile {
            if payrig_acquirer::Profile::builtin(&v).is_none() {
                return Err(ConfigError::field(
                    "tecs.acquirer_profile",
                    format!("`{v}` is not a built-in profile"),
                ));
            }
            cfg.acquirer_profile = v;
        }
        if let Some(v) = t.acquirer_profile_toml {
            let p = payrig_acquirer::Profile::from_toml_str(&v)
                .map_err(|e| ConfigError::field("tecs.acquirer_profile_toml", e.to_string()))?;
            cfg.acquirer_profile = p.name;
            cfg.acquirer_profile_toml = Some(v);
        }
        if let Some(v) = t.auth_keys {
            cfg.credentials.auth_keys = v;
        }
        if let Some(v) = t.bearer_tokens {
            cfg.credentials.bearer_tokens = v;
        }
        if let Some(v) = t.basic {
            cfg.credentials.basic = v;
        }
        if let Some(v) = t.cards_toml {
            let extra = CardTable::from_toml(&v)
                .map_err(|e| ConfigError::field("tecs.cards_toml", e.to_string()))?;
            // `cards_replace = true`: the file is the whole table; else it adds to payrig's.
            if t.cards_replace.unwrap_or(false) {
                cfg.cards = extra;
            } else {
                cfg.cards.merge(extra);
            }
        }
        if let Some(v) = t.cvm_rules {
            cfg.cvm_rules = v;
        }
        if let Some(v) = t.read_time {
            cfg.read_time = dur("tecs.read_time", &v)?;
        }
        if let Some(v) = t.complete_time {
            cfg.complete_time = dur("tecs.complete_time", &v)?;
        }
        if let Some(v) = t.version {
            cfg.version = v;
        }
        if let Some(v) = t.build_date {
            cfg.build_date = v;
        }
        if !t.terminal.is_empty() {
            cfg.terminals.clear();
            for r in t.terminal {
                if r.number.len() != 8 {
                    return Err(ConfigError::field(
                        "tecs.terminal.number",
                        format!("`{}`: exactly 8 characters", r.number),
                    ));
                }
                let customer = if r.no_customer.unwrap_or(false) {
                    None
                } else {
                    Some(r.customer.unwrap_or_else(Customer::tecs_default))
                };
                cfg.terminals.insert(
                    r.number.clone(),
                    TerminalSetup {
                        number: r.number,
                        reachable: r.reachable.unwrap_or(true),
                        customer,
                    },
                );
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let d = TecsConfig::default();
        assert!(d.terminals.contains_key("88091105"));
        assert_eq!(d.card_wait, Duration::from_secs(60));
        let c = TecsConfig::from_toml(
            r#"
            [tecs]
            host_timeout = "5s"
            read_time = "0ms"
            bearer_tokens = ["t1"]
            [[tecs.terminal]]
            number = "12345678"
            reachable = false
            no_customer = true
            "#,
        )
        .unwrap();
        assert_eq!(c.host_timeout, Duration::from_secs(5));
        assert_eq!(c.read_time, Duration::ZERO);
        assert_eq!(c.credentials.bearer_tokens, vec!["t1".to_owned()]);
        let t = &c.terminals["12345678"];
        assert!(!t.reachable);
        assert!(t.customer.is_none());
        assert!(TecsConfig::from_toml("[[tecs.terminal]]\nnumber = \"1\"").is_err());
        assert!(TecsConfig::from_toml("[tecs]\nacquirer_profile = \"nope\"").is_err());
        let own = TecsConfig::from_toml(concat!(
            "[tecs]\nacquirer_profile_toml = \"\"\"\nname = \\\"mine\\\"\n",
            "[[rule]]\namount_last = \\\"77\\\"\noutcome = { code = \\\"05\\\" }\n\"\"\"\n"
        ))
        .unwrap();
        assert_eq!(own.acquirer_profile, "mine");
        assert!(TecsConfig::from_toml("[tecs]\nacquirer_profile_toml = \"name = 1\"").is_err());
    }
}

//! Wire fault rules (conformance spec section 4). This first cut applies the rule TECS needs:
//! `close_before_response` on an inbound operation — the request is processed and committed,
//! then the connection is closed unanswered. Other kinds are refused with a clear error until
//! the fault-injection issue lands.

use serde::{Deserialize, Serialize};

/// What a rule matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultMatch {
    /// `tecs`, `ationet`.
    pub(crate) protocol: Option<String>,
    /// `makeTransaction`, `MobilePayments`...
    pub(crate) op: Option<String>,
    /// Only `inbound` for now.
    pub(crate) dir: Option<String>,
    /// Only this terminal (TECS).
    pub(crate) terminal: Option<String>,
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultAction {
    /// The fault kind.
    pub(crate) kind: String,
}

/// A rule as the control API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRule {
    /// Id (`f-1`), assigned when absent.
    pub(crate) id: Option<String>,
    /// Match.
    #[serde(rename = "match", default)]
    pub(crate) matcher: FaultMatch,
    /// Action.
    pub(crate) action: FaultAction,
    /// How many more times it applies; `None` forever.
    pub(crate) times: Option<u32>,
}

/// The rules in force.
#[derive(Debug, Default)]
pub(crate) struct FaultRules {
    rules: Vec<FaultRule>,
    next: u64,
}

/// Kinds this server applies today.
const SUPPORTED: [&str; 1] = ["close_before_response"];

impl FaultRules {
    /// Adds a rule; returns its id, or why it was refused.
    pub(crate) fn add(&mut self, mut r: FaultRule) -> Result<String, String> {
        if !SUPPORTED.contains(&r.action.kind.as_str()) {
            return Err(format!(
                "action.kind `{}` is not supported yet; supported: {}",
                r.action.kind,
                SUPPORTED.join(", ")
            ));
        }
        if r.matcher.dir.as_deref().is_some_and(|d| d != "inbound") {
            return Err("match.dir: only `inbound` is supported yet".to_owned());
        }
        self.next += 1;
        let id = r.id.clone().unwrap_or_else(|| format!("f-{}", self.next));
        r.id = Some(id.clone());
        self.rules.push(r);
        Ok(id)
    }

    /// The rules, for listing.
    pub(crate) fn list(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Removes one rule or all; false when the id is unknown.
    pub(crate) fn remove(&mut self, id: Option<&str>) -> bool {
        match id {
            None => {
                self.rules.clear();
                true
            }
            Some(id) => {
                let before = self.rules.len();
                self.rules.retain(|r| r.id.as_deref() != Some(id));
                before != self.rules.len()
            }
        }
    }

    /// Takes one application of the first rule matching, returning its id and kind.
    pub(crate) fn take(
        &mut self,
        protocol: &str,
        op: &str,
        terminal: Option<&str>,
    ) -> Option<(String, String)> {
        let i = self.rules.iter().position(|r| {
            let m = &r.matcher;
            m.protocol.as_deref().is_none_or(|p| p == protocol)
                && m.op.as_deref().is_none_or(|o| o == op)
                && m.terminal
                    .as_deref()
                    .is_none_or(|t| terminal.is_some_and(|x| x == t))
        })?;
        let r = &mut self.rules[i];
        let hit = (r.id.clone().unwrap_or_default(), r.action.kind.clone());
        if let Some(n) = r.times.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.rules.remove(i);
            }
        }
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(times: Option<u32>) -> FaultRule {
        FaultRule {
            id: None,
            matcher: FaultMatch {
                protocol: Some("tecs".into()),
                op: Some("makeTransaction".into()),
                ..FaultMatch::default()
            },
            action: FaultAction {
                kind: "close_before_response".into(),
            },
            times,
        }
    }

    #[test]
    fn applies_times_then_goes_away() {
        let mut f = FaultRules::default();
        assert_eq!(f.add(rule(Some(1))).unwrap(), "f-1");
        assert!(f.take("ationet", "makeTransaction", None).is_none());
        assert!(f.take("tecs", "makeTransaction", Some("1")).is_some());
        assert!(f.take("tecs", "makeTransaction", Some("1")).is_none());
        let mut bad = rule(None);
        bad.action.kind = "dribble".into();
        assert!(f.add(bad).unwrap_err().contains("dribble"));
    }
}

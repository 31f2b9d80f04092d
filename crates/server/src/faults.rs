//! Wire fault injection (conformance spec section 4), applied to the requests payrig serves.
//!
//! A rule matches an inbound operation and does one thing to its exchange: delay it, cut the
//! connection before or instead of the answer, break the body, replace the status, hold the
//! socket, or drop the request unprocessed. `probability` draws from the rule's own seeded
//! stream `fault/<id>`, so runs repeat exactly. Outbound kinds (duplicate, reorder, drop,
//! abandon, dribble of pushes) are refused: ATIONet and TECS have no outbound traffic.

use std::time::Duration as StdDuration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use payrig_core::rng::{chance, stream_rng, uniform_inclusive, DurationSpec};
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// What a rule matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultMatch {
    /// `tecs`, `ationet`.
    pub(crate) protocol: Option<String>,
    /// `makeTransaction`, `MobilePayments`...
    pub(crate) op: Option<String>,
    /// Only `inbound` (requests payrig serves).
    pub(crate) dir: Option<String>,
    /// Only this TECS terminal.
    pub(crate) terminal: Option<String>,
    /// Only the n-th matching exchange (1-based).
    pub(crate) nth: Option<u32>,
}

/// How `malformed_body` breaks the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MalformedMode {
    /// The first half of the body.
    #[default]
    Truncate,
    /// Seeded random bytes of the same length.
    Garbage,
    /// Valid JSON of the wrong type (`[]`).
    WrongType,
}

/// The action of a rule (conformance spec section 4 table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum FaultAction {
    /// Wait `ms`, then answer.
    DelayFixed {
        /// Milliseconds.
        ms: u64,
    },
    /// Wait a uniform time: `"800ms ± 300ms"` or `min_ms`..=`max_ms`.
    DelayUniform {
        /// `duration ± tolerance`.
        spec: Option<String>,
        /// Lower bound.
        min_ms: Option<u64>,
        /// Upper bound.
        max_ms: Option<u64>,
    },
    /// Wait a log-normal time with this median and sigma (long tail).
    DelayLognormal {
        /// Median, ms.
        median_ms: u64,
        /// Sigma of the underlying normal.
        sigma: f64,
    },
    /// Close the connection instead of answering (after processing).
    ConnectionReset,
    /// Close without writing a byte (after processing).
    EmptyResponse,
    /// Process and commit, then close unanswered (TECS: `response_undelivered`).
    CloseBeforeResponse,
    /// Close before processing: no state change.
    DropRequest,
    /// Valid status and headers, broken body.
    MalformedBody {
        /// How.
        #[serde(default)]
        mode: MalformedMode,
    },
    /// Replace the answer.
    Status {
        /// HTTP status.
        code: u16,
        /// Body text.
        body: Option<String>,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Never answer (or after `hold_ms`, close), keeping the socket open meanwhile.
    Timeout {
        /// How long to hold; `None` = forever.
        hold_ms: Option<u64>,
    },
}

impl FaultAction {
    /// The kind as the spec names it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            FaultAction::DelayFixed { .. } => "delay_fixed",
            FaultAction::DelayUniform { .. } => "delay_uniform",
            FaultAction::DelayLognormal { .. } => "delay_lognormal",
            FaultAction::ConnectionReset => "connection_reset",
            FaultAction::EmptyResponse => "empty_response",
            FaultAction::CloseBeforeResponse => "close_before_response",
            FaultAction::DropRequest => "drop_request",
            FaultAction::MalformedBody { .. } => "malformed_body",
            FaultAction::Status { .. } => "status",
            FaultAction::Timeout { .. } => "timeout",
        }
    }

    /// True when the client gets no usable answer (a TECS response is then undelivered).
    pub(crate) fn loses_response(&self) -> bool {
        matches!(
            self,
            FaultAction::ConnectionReset
                | FaultAction::EmptyResponse
                | FaultAction::CloseBeforeResponse
                | FaultAction::Timeout { .. }
        )
    }
}

/// A rule as the control API and scenario files take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRule {
    /// Id (`f-1`), assigned when absent.
    pub(crate) id: Option<String>,
    /// Match.
    #[serde(rename = "match", default)]
    pub(crate) matcher: FaultMatch,
    /// Action.
    pub(crate) action: FaultAction,
    /// Chance per matching exchange, 0..=1 (default 1).
    pub(crate) probability: Option<f64>,
    /// How many more times it applies; `None` forever.
    pub(crate) times: Option<u32>,
    /// Skip the first `after` matches.
    pub(crate) after: Option<u32>,
    /// Seed of the rule's stream (default: the run seed).
    pub(crate) seed: Option<u64>,
}

#[derive(Debug)]
struct Live {
    rule: FaultRule,
    /// Probability in parts per million (no floats in the draw).
    ppm: u64,
    seen: u32,
    rng: ChaCha8Rng,
}

/// `[[wire_fault]]` tables of a scenario TOML (conformance spec section 4).
#[derive(Debug, Default, Deserialize)]
struct ScenarioFaults {
    #[serde(default)]
    wire_fault: Vec<FaultRule>,
}

/// Parses the `[[wire_fault]]` rules of a scenario TOML (other tables are ignored).
pub(crate) fn rules_from_toml(text: &str) -> Result<Vec<FaultRule>, String> {
    // Only the wire_fault array is read here; the world reads the protocol tables.
    let value: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    let Some(v) = value.get("wire_fault") else {
        return Ok(Vec::new());
    };
    let mut t = toml::Table::new();
    t.insert("wire_fault".to_owned(), v.clone());
    let f: ScenarioFaults = t
        .try_into()
        .map_err(|e: toml::de::Error| format!("wire_fault: {}", e.message()))?;
    Ok(f.wire_fault)
}

/// The rules in force.
#[derive(Debug, Default)]
pub(crate) struct FaultRules {
    rules: Vec<Live>,
    next: u64,
}

/// One application of a rule.
#[derive(Debug, Clone)]
pub(crate) struct FaultHit {
    /// Rule id.
    pub(crate) id: String,
    /// The action.
    pub(crate) action: FaultAction,
    /// A drawn delay or hold, when the action has one.
    pub(crate) wait: Option<StdDuration>,
    /// Bytes for `malformed_body: garbage`.
    pub(crate) noise: u64,
}

impl FaultRules {
    /// Adds a rule; returns its id, or why it was refused.
    pub(crate) fn add(&mut self, mut r: FaultRule, run_seed: u64) -> Result<String, String> {
        if r.matcher.dir.as_deref().is_some_and(|d| d != "inbound") {
            return Err(
                "match.dir: only `inbound` applies; ATIONet and TECS have no outbound traffic"
                    .to_owned(),
            );
        }
        let p = r.probability.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&p) {
            return Err("probability: between 0 and 1".to_owned());
        }
        match &r.action {
            FaultAction::DelayUniform {
                spec,
                min_ms,
                max_ms,
            } => match (spec, min_ms, max_ms) {
                (Some(s), None, None) => {
                    DurationSpec::parse(s).map_err(|e| format!("action.spec: {e}"))?;
                }
                (None, Some(a), Some(b)) if a <= b => {}
                _ => return Err("delay_uniform: give `spec`, or `min_ms` <= `max_ms`".to_owned()),
            },
            FaultAction::DelayLognormal { sigma, .. } if !(0.0..=5.0).contains(sigma) => {
                return Err("delay_lognormal: sigma between 0 and 5".to_owned())
            }
            FaultAction::Status { code, .. } if StatusCode::from_u16(*code).is_err() => {
                return Err(format!("status: {code} is not an HTTP status"))
            }
            _ => {}
        }
        self.next += 1;
        let id = r.id.clone().unwrap_or_else(|| format!("f-{}", self.next));
        r.id = Some(id.clone());
        let rng = stream_rng(r.seed.unwrap_or(run_seed), &format!("fault/{id}"));
        self.rules.push(Live {
            ppm: (p * 1_000_000.0).round() as u64,
            rule: r,
            seen: 0,
            rng,
        });
        Ok(id)
    }

    /// The rules, for listing.
    pub(crate) fn list(&self) -> Vec<&FaultRule> {
        self.rules.iter().map(|l| &l.rule).collect()
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
                self.rules.retain(|r| r.rule.id.as_deref() != Some(id));
                before != self.rules.len()
            }
        }
    }

    /// Takes one application of the first rule that matches and fires. `before` selects the
    /// rules that act before processing (`drop_request`) or after (everything else).
    pub(crate) fn take(
        &mut self,
        protocol: &str,
        op: &str,
        terminal: Option<&str>,
        before: bool,
    ) -> Option<FaultHit> {
        for i in 0..self.rules.len() {
            let l = &mut self.rules[i];
            let m = &l.rule.matcher;
            let matches = (matches!(l.rule.action, FaultAction::DropRequest) == before)
                && m.protocol.as_deref().is_none_or(|p| p == protocol)
                && m.op.as_deref().is_none_or(|o| o == op)
                && m.terminal
                    .as_deref()
                    .is_none_or(|t| terminal.is_some_and(|x| x == t));
            if !matches {
                continue;
            }
            l.seen += 1;
            if l.rule.after.is_some_and(|a| l.seen <= a) {
                continue;
            }
            if l.rule.matcher.nth.is_some_and(|n| l.seen != n) {
                continue;
            }
            if !chance(&mut l.rng, l.ppm, 1_000_000) {
                continue;
            }
            let wait = draw_wait(&l.rule.action, &mut l.rng);
            let noise = l.rng.next_u64();
            let hit = FaultHit {
                id: l.rule.id.clone().unwrap_or_default(),
                action: l.rule.action.clone(),
                wait,
                noise,
            };
            if let Some(n) = l.rule.times.as_mut() {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.rules.remove(i);
                }
            }
            return Some(hit);
        }
        None
    }
}

fn draw_wait(a: &FaultAction, rng: &mut ChaCha8Rng) -> Option<StdDuration> {
    let ms = match a {
        FaultAction::DelayFixed { ms } => *ms,
        FaultAction::DelayUniform {
            spec,
            min_ms,
            max_ms,
        } => match (spec, min_ms, max_ms) {
            (Some(s), _, _) => DurationSpec::parse(s).ok()?.sample(rng).as_millis(),
            (None, Some(a), Some(b)) => uniform_inclusive(rng, *a, *b),
            _ => return None,
        },
        FaultAction::DelayLognormal { median_ms, sigma } => {
            // Box-Muller from two uniform draws; rounded to whole ms (simulators spec 1).
            let u1 = (uniform_inclusive(rng, 1, 1 << 53) as f64) / ((1u64 << 53) as f64);
            let u2 = (uniform_inclusive(rng, 0, 1 << 53) as f64) / ((1u64 << 53) as f64);
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            let v = (*median_ms as f64) * (sigma * z).exp();
            v.round().clamp(0.0, 3_600_000.0) as u64
        }
        FaultAction::Timeout { hold_ms } => (*hold_ms)?,
        _ => return None,
    };
    Some(StdDuration::from_millis(ms))
}

/// A response whose body fails at once: hyper closes the connection without completing it.
pub(crate) fn aborted() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("payrig: fault closed the connection"))
    });
    Response::new(Body::from_stream(stream))
}

/// Applies a post-processing fault to a finished answer (`body` is the answer's bytes).
pub(crate) async fn apply(
    hit: &FaultHit,
    status: StatusCode,
    headers: &header::HeaderMap,
    body: Vec<u8>,
) -> Response {
    if let Some(w) = hit.wait {
        tokio::time::sleep(w).await;
    }
    let rebuild = |status: StatusCode, body: Vec<u8>| {
        let mut r = Response::new(Body::from(body));
        *r.status_mut() = status;
        *r.headers_mut() = headers.clone();
        r.headers_mut().remove(header::CONTENT_LENGTH);
        r
    };
    match &hit.action {
        FaultAction::DelayFixed { .. }
        | FaultAction::DelayUniform { .. }
        | FaultAction::DelayLognormal { .. } => rebuild(status, body),
        FaultAction::ConnectionReset
        | FaultAction::EmptyResponse
        | FaultAction::CloseBeforeResponse
        | FaultAction::DropRequest => aborted(),
        FaultAction::Timeout { hold_ms } => {
            if hold_ms.is_none() {
                // Hold the socket until the client gives up.
                futures::future::pending::<()>().await;
            }
            aborted()
        }
        FaultAction::MalformedBody { mode } => {
            let broken = match mode {
                MalformedMode::Truncate => body[..body.len() / 2].to_vec(),
                MalformedMode::Garbage => {
                    let mut rng = stream_rng(hit.noise, "fault/garbage");
                    (0..body.len().max(8))
                        .map(|_| (rng.next_u32() & 0xff) as u8)
                        .collect()
                }
                MalformedMode::WrongType => b"[]".to_vec(),
            };
            rebuild(status, broken)
        }
        FaultAction::Status {
            code,
            body: text,
            retry_after,
        } => {
            let st = StatusCode::from_u16(*code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut r = rebuild(st, text.clone().unwrap_or_default().into_bytes());
            if let Some(s) = retry_after {
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(action: FaultAction) -> FaultRule {
        FaultRule {
            id: None,
            matcher: FaultMatch {
                protocol: Some("tecs".into()),
                op: Some("makeTransaction".into()),
                ..FaultMatch::default()
            },
            action,
            probability: None,
            times: Some(1),
            after: None,
            seed: Some(7),
        }
    }

    #[test]
    fn applies_times_then_goes_away() {
        let mut f = FaultRules::default();
        assert_eq!(
            f.add(rule(FaultAction::CloseBeforeResponse), 1).unwrap(),
            "f-1"
        );
        assert!(f.take("ationet", "makeTransaction", None, false).is_none());
        assert!(f
            .take("tecs", "makeTransaction", Some("1"), false)
            .is_some());
        assert!(f
            .take("tecs", "makeTransaction", Some("1"), false)
            .is_none());
    }

    #[test]
    fn drop_request_acts_before_processing_only() {
        let mut f = FaultRules::default();
        f.add(rule(FaultAction::DropRequest), 1).unwrap();
        assert!(f.take("tecs", "makeTransaction", None, false).is_none());
        assert!(f.take("tecs", "makeTransaction", None, true).is_some());
    }

    #[test]
    fn after_nth_and_probability_are_seeded() {
        let mut f = FaultRules::default();
        let mut r = rule(FaultAction::EmptyResponse);
        r.times = None;
        r.after = Some(2);
        f.add(r, 1).unwrap();
        let hits: Vec<bool> = (0..4)
            .map(|_| f.take("tecs", "makeTransaction", None, false).is_some())
            .collect();
        assert_eq!(hits, vec![false, false, true, true]);
        let draw = |seed| {
            let mut f = FaultRules::default();
            let mut r = rule(FaultAction::DelayUniform {
                spec: Some("800ms ± 300ms".into()),
                min_ms: None,
                max_ms: None,
            });
            r.times = None;
            r.probability = Some(0.5);
            r.seed = Some(seed);
            f.add(r, 0).unwrap();
            (0..20)
                .map(|_| {
                    f.take("tecs", "makeTransaction", None, false)
                        .and_then(|h| h.wait)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        let d = draw(3);
        assert!(d.iter().any(Option::is_some) && d.iter().any(Option::is_none));
        assert!(d
            .iter()
            .flatten()
            .all(|w| (500..=1100).contains(&w.as_millis())));
    }

    #[test]
    fn reads_wire_faults_from_a_scenario() {
        let rules = rules_from_toml(
            r#"
            [ationet]
            prompting = true
            [[wire_fault]]
            id = "lost-1"
            match = { protocol = "tecs", op = "makeTransaction", dir = "inbound", nth = 1 }
            action = { kind = "close_before_response" }
            probability = 1.0
            times = 1
            seed = 7
            "#,
        )
        .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].id.as_deref(), Some("lost-1"));
        assert!(rules_from_toml("[[wire_fault]]\naction = { kind = \"dribble\" }").is_err());
        assert!(rules_from_toml("[ationet]\n").unwrap().is_empty());
    }

    #[test]
    fn refuses_bad_rules() {
        let mut f = FaultRules::default();
        let mut r = rule(FaultAction::EmptyResponse);
        r.probability = Some(1.5);
        assert!(f.add(r, 0).is_err());
        let mut r = rule(FaultAction::EmptyResponse);
        r.matcher.dir = Some("outbound".into());
        assert!(f.add(r, 0).is_err());
        assert!(f
            .add(
                rule(FaultAction::DelayUniform {
                    spec: None,
                    min_ms: Some(5),
                    max_ms: Some(1)
                }),
                0
            )
            .is_err());
        let j = serde_json::json!({"action": {"kind": "dribble"}});
        assert!(serde_json::from_value::<FaultRule>(j).is_err());
        let j = serde_json::json!({"match": {"protocol": "ationet"}, "action": {"kind": "status", "code": 503, "retry_after": 2}});
        assert!(serde_json::from_value::<FaultRule>(j).is_ok());
    }
}

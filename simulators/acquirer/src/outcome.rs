//! Outcomes (what a rule, override or card says) and overrides (simulators spec 4.2).
//!
//! An [`Outcome`] is data: profile rules, scenario overrides, control-API overrides and the card
//! hook all produce one, and the acquirer applies it the same way whatever its source.

use payrig_core::rng::DurationSpec;
use payrig_core::{Decimal, Duration};
use serde::Deserialize;

use crate::amount::Amount;
use crate::code::ResponseCode;
use crate::ops::{Card, Operation};
use crate::ConfigError;

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Answer after the profile latency.
    Answer(Answer),
    /// Answer after exactly `after` instead of the profile latency (`169`: `00` late by 35 s).
    Late {
        /// Delay from arrival.
        after: Duration,
        /// The answer.
        answer: Answer,
    },
    /// Never answer. An authorisation is recorded `Lost` (counted until reversed); any other
    /// operation is dropped unapplied.
    NoResponse,
    /// Authorise only: ask for prompted data first (fleet P1), decide on `prompt_answer`.
    Prompt(PromptRule),
}

impl Outcome {
    /// Approve in full with `00`.
    pub fn approve() -> Outcome {
        Outcome::Answer(Answer::code(ResponseCode::APPROVED))
    }

    /// Answer `code` (a decline unless it is `00`, or `10` which grants half).
    pub fn code(code: ResponseCode) -> Outcome {
        Outcome::Answer(Answer::code(code))
    }
}

/// A decision with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `00` approves in full; `10` or a `grant` approves partially; anything else declines.
    pub code: ResponseCode,
    /// Partial approval amount (simulators spec 4.3: only with `allow_partial`, else `51`).
    pub grant: Option<Grant>,
    /// Approve now but refuse the later capture/completion with this code (ATIONet `93`, T24).
    pub capture_code: Option<ResponseCode>,
    /// Text instead of the profile's text for `code`.
    pub text: Option<String>,
    /// Text of the capture refusal.
    pub capture_text: Option<String>,
}

impl Answer {
    /// Just a code.
    pub fn code(code: ResponseCode) -> Answer {
        Answer {
            code,
            grant: None,
            capture_code: None,
            text: None,
            capture_text: None,
        }
    }
}

/// How much a partial approval grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// Half the request, rounded down (`110`).
    Half,
    /// At most this many major units (`"60.00"` money, `20` fleet units); a grant at or above the
    /// request approves in full with `00`.
    AtMost(Decimal),
}

/// Fleet prompting: the flags to send and how answers are judged (ationet spec 3.5, P1-P4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptRule {
    /// Flags in order (`PromptOdometer` = `true`, `MinOdometer` = `150`, ...).
    pub flags: Vec<(String, String)>,
    /// Numeric answers that must be present and in range.
    pub ranges: Vec<PromptRange>,
    /// Code when an answer is missing or out of range (P4).
    pub refuse_code: ResponseCode,
    /// The decision when the answers are accepted (P3).
    pub then: Answer,
}

/// An answer that must be digits within `min..=max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptRange {
    /// Answer name (`Odometer`).
    pub name: String,
    /// Lowest accepted.
    pub min: u64,
    /// Highest accepted.
    pub max: u64,
}

impl PromptRule {
    /// True when every range has a digits-only answer inside it.
    pub fn accepts(&self, answers: &[(String, String)]) -> bool {
        self.ranges.iter().all(|r| {
            answers.iter().any(|(n, v)| {
                n == &r.name
                    && !v.is_empty()
                    && v.bytes().all(|b| b.is_ascii_digit())
                    && v.parse::<u64>().is_ok_and(|x| x >= r.min && x <= r.max)
            })
        })
    }
}

/// Operation names for override matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OpKind {
    /// `authorise`.
    Authorise,
    /// `capture`.
    Capture,
    /// `reverse`.
    Reverse,
    /// `refund`.
    Refund,
    /// `inquire`.
    Inquire,
    /// `close_batch`.
    CloseBatch,
    /// `prompt_answer`.
    PromptAnswer,
}

impl OpKind {
    /// The kind of an operation.
    pub fn of(op: &Operation) -> OpKind {
        match op {
            Operation::Authorise(_) => OpKind::Authorise,
            Operation::Capture { .. } => OpKind::Capture,
            Operation::Reverse { .. } => OpKind::Reverse,
            Operation::Refund { .. } => OpKind::Refund,
            Operation::Inquire { .. } => OpKind::Inquire,
            Operation::CloseBatch { .. } => OpKind::CloseBatch,
            Operation::PromptAnswer { .. } => OpKind::PromptAnswer,
        }
    }
}

/// What an override matches; `None` fields match anything, a set field needs the request (or
/// the record it references) to carry an equal value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverrideMatch {
    /// Operation.
    pub operation: Option<OpKind>,
    /// Card text (PAN or fleet track; the world maps scenario card ids to PANs).
    pub card: Option<String>,
    /// Amount in major units, compared exactly (`150.00` = `150`).
    pub amount: Option<Decimal>,
    /// Terminal.
    pub terminal: Option<String>,
}

/// The facts of one request that overrides match on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatchFacts<'a> {
    pub(crate) op: OpKind,
    pub(crate) card: Option<&'a str>,
    pub(crate) amount: Option<Amount>,
    pub(crate) terminal: Option<&'a str>,
}

impl OverrideMatch {
    pub(crate) fn matches(&self, f: &MatchFacts<'_>) -> bool {
        self.operation.is_none_or(|o| o == f.op)
            && self
                .card
                .as_deref()
                .is_none_or(|c| f.card.is_some_and(|fc| fc == c))
            && self
                .amount
                .is_none_or(|a| f.amount.is_some_and(|fa| fa.to_decimal() == a))
            && self
                .terminal
                .as_deref()
                .is_none_or(|t| f.terminal.is_some_and(|ft| ft == t))
    }
}

/// A scenario or control-API override (first step of the outcome choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// What it applies to.
    pub matcher: OverrideMatch,
    /// What to answer.
    pub outcome: Outcome,
    /// How many more requests it applies to; `None` forever.
    pub times: Option<u32>,
    /// Latency instead of the profile's.
    pub latency: Option<DurationSpec>,
}

/// The card-behaviour hook (second step of the outcome choice): the card-reader crate supplies
/// test-card behaviour (balances, PIN tries) through it. `None` falls through to the profile.
pub trait CardBehaviour: Send {
    /// The outcome this card forces for an authorisation, if any.
    fn outcome(&mut self, card: &Card, amount: &Amount, pin_block: Option<&str>)
        -> Option<Outcome>;
}

// ---- TOML forms -------------------------------------------------------------------------------

/// An outcome as written in TOML: `"approve"`, `"no_response"`, or a table such as
/// `{ code = "05" }`, `{ code = "10", approved = "60.00" }`, `{ approved = "half" }`,
/// `{ late = { after_ms = 35000, code = "00" } }`, `{ capture_code = "05" }`,
/// `{ prompt = [["PromptOdometer","true"]], accept = [{ name = "Odometer", min = 150, max = 1000 }] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OutcomeToml {
    Word(String),
    Table(Box<OutcomeTable>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeTable {
    code: Option<String>,
    approved: Option<String>,
    capture_code: Option<String>,
    text: Option<String>,
    capture_text: Option<String>,
    late: Option<LateToml>,
    prompt: Option<Vec<(String, String)>>,
    accept: Option<Vec<RangeToml>>,
    refuse_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LateToml {
    after_ms: Option<u64>,
    after: Option<String>,
    code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeToml {
    name: String,
    min: u64,
    max: u64,
}

fn code_or(text: Option<&str>, default: ResponseCode) -> Result<ResponseCode, ConfigError> {
    text.map_or(Ok(default), ResponseCode::parse)
}

impl OutcomeToml {
    pub(crate) fn resolve(self) -> Result<Outcome, ConfigError> {
        let t = match self {
            OutcomeToml::Word(w) => {
                return match w.as_str() {
                    "approve" => Ok(Outcome::approve()),
                    "no_response" => Ok(Outcome::NoResponse),
                    _ => ResponseCode::parse(&w).map(Outcome::code),
                }
            }
            OutcomeToml::Table(t) => *t,
        };
        let grant = match t.approved.as_deref() {
            None => None,
            Some("half") => Some(Grant::Half),
            Some(s) => match Decimal::parse(s.trim()) {
                Ok(d) if d.mantissa() >= 0 => Some(Grant::AtMost(d)),
                _ => return Err(ConfigError::BadAmount(s.to_owned())),
            },
        };
        // A grant without a code is a partial approval (`10`); otherwise approve.
        let default = if grant.is_some() {
            ResponseCode::PARTIAL
        } else {
            ResponseCode::APPROVED
        };
        let late_code = t.late.as_ref().and_then(|l| l.code.as_deref());
        if t.code.is_some() && late_code.is_some() {
            return Err(ConfigError::BadOutcome(
                "give `code` either beside `late` or inside it".into(),
            ));
        }
        let answer = Answer {
            code: code_or(t.code.as_deref().or(late_code), default)?,
            grant,
            capture_code: t
                .capture_code
                .as_deref()
                .map(ResponseCode::parse)
                .transpose()?,
            text: t.text,
            capture_text: t.capture_text,
        };
        if let Some(flags) = t.prompt {
            if t.late.is_some() {
                return Err(ConfigError::BadOutcome("`prompt` cannot be `late`".into()));
            }
            let ranges = t
                .accept
                .unwrap_or_default()
                .into_iter()
                .map(|r| {
                    if r.min > r.max {
                        Err(ConfigError::BadOutcome(format!("range of `{}`", r.name)))
                    } else {
                        Ok(PromptRange {
                            name: r.name,
                            min: r.min,
                            max: r.max,
                        })
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Outcome::Prompt(PromptRule {
                flags,
                ranges,
                refuse_code: code_or(t.refuse_code.as_deref(), ResponseCode::DO_NOT_HONOUR)?,
                then: answer,
            }));
        }
        if t.accept.is_some() || t.refuse_code.is_some() {
            return Err(ConfigError::BadOutcome(
                "`accept` and `refuse_code` need `prompt`".into(),
            ));
        }
        match t.late {
            None => Ok(Outcome::Answer(answer)),
            Some(l) => {
                let after = match (l.after_ms, l.after.as_deref()) {
                    (Some(ms), None) => Duration(ms),
                    (None, Some(s)) => {
                        Duration::parse(s).map_err(|_| ConfigError::BadDuration(s.to_owned()))?
                    }
                    _ => {
                        return Err(ConfigError::BadOutcome(
                            "`late` needs exactly one of `after_ms`, `after`".into(),
                        ))
                    }
                };
                Ok(Outcome::Late { after, answer })
            }
        }
    }
}

/// `[[acquirer.override]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideToml {
    #[serde(rename = "match", default)]
    matcher: MatchToml,
    outcome: OutcomeToml,
    times: Option<u32>,
    latency: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchToml {
    operation: Option<OpKind>,
    card: Option<String>,
    amount: Option<String>,
    terminal: Option<String>,
}

impl OverrideToml {
    /// Checks and converts (amounts exactly, codes, durations).
    pub fn resolve(self) -> Result<Override, ConfigError> {
        let amount = match self.matcher.amount {
            None => None,
            Some(s) => {
                Some(Decimal::parse(s.trim()).map_err(|_| ConfigError::BadAmount(s.to_owned()))?)
            }
        };
        Ok(Override {
            matcher: OverrideMatch {
                operation: self.matcher.operation,
                card: self.matcher.card,
                amount,
                terminal: self.matcher.terminal,
            },
            outcome: self.outcome.resolve()?,
            times: self.times,
            latency: self
                .latency
                .map(|s| DurationSpec::parse(&s).map_err(|_| ConfigError::BadDuration(s)))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(text: &str) -> Result<Outcome, ConfigError> {
        #[derive(Deserialize)]
        struct W {
            outcome: OutcomeToml,
        }
        let w: W = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        w.outcome.resolve()
    }

    #[test]
    fn reads_every_outcome_form() {
        assert_eq!(
            outcome(r#"outcome = "approve""#).unwrap(),
            Outcome::approve()
        );
        assert_eq!(
            outcome(r#"outcome = "no_response""#).unwrap(),
            Outcome::NoResponse
        );
        assert_eq!(
            outcome(r#"outcome = { code = "05" }"#).unwrap(),
            Outcome::code(ResponseCode::DO_NOT_HONOUR)
        );
        let Outcome::Answer(a) =
            outcome(r#"outcome = { code = "10", approved = "60.00" }"#).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.grant, Some(Grant::AtMost(Decimal::parse("60").unwrap())));
        let late = outcome(r#"outcome = { late = { after_ms = 35000, code = "00" } }"#).unwrap();
        assert!(matches!(
            late,
            Outcome::Late {
                after: Duration(35_000),
                ..
            }
        ));
        let p = outcome(
            r#"outcome = { prompt = [["PromptOdometer", "true"]], accept = [{ name = "Odometer", min = 150, max = 1000 }] }"#,
        )
        .unwrap();
        let Outcome::Prompt(p) = p else { panic!() };
        assert!(p.accepts(&[("Odometer".into(), "150".into())]));
        assert!(!p.accepts(&[("Odometer".into(), "1001".into())]));
        assert!(!p.accepts(&[("Odometer".into(), "+152".into())]));
        assert!(!p.accepts(&[]));
    }

    #[test]
    fn refuses_bad_outcomes() {
        assert!(outcome(r#"outcome = { code = "5" }"#).is_err());
        assert!(outcome(r#"outcome = { approved = "-1" }"#).is_err());
        assert!(outcome(r#"outcome = { accept = [] }"#).is_err());
        assert!(outcome(r#"outcome = { late = { code = "00" } }"#).is_err());
        assert!(outcome(r#"outcome = { colour = "red" }"#).is_err());
    }
}

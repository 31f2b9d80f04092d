//! Client grading (conformance spec section 5): the [`ClientRule`] contract, its
//! [`RuleVerdict`], the four [`Verdict`]s and how they [`combine`] across scenarios.
//!
//! A rule is a small state machine fed the journal in order ([`ClientRule::observe`]); when
//! asked ([`ClientRule::verdict`]) it judges what it has seen up to `end`, the session's end (or
//! "now" for a running session). Verdicts:
//!
//! - `Pass`: the situation arose and the obligation was met;
//! - `Fail`: the obligation was broken;
//! - `NotApplicable`: the situation never arose;
//! - `Inconclusive`: the session ended before the obligation's deadline.
//!
//! `evidence` lists the journal `seq` numbers that prove the verdict: the trigger plus the
//! fulfilling or offending exchanges (a deadline has no seq; it goes in `note`/`measured`).
//!
//! Also here: small pure helpers that read journal entries ([`entry_time`], [`header`],
//! [`body_text`], [`status`]), shared by the protocol crates' rule modules. No IO, no clock.

use serde::{Deserialize, Serialize};

use crate::journal::{EntryKind, JournalEntry};
use crate::Timestamp;

/// One client obligation, judged from the journal.
pub trait ClientRule {
    /// The requirement id (`ATN-C-004`).
    fn id(&self) -> &'static str;
    /// Feeds one journal entry; entries come in journal order (ascending `seq`).
    fn observe(&mut self, e: &JournalEntry);
    /// The verdict on everything observed, with the session ending (or judged) at `end`.
    fn verdict(&self, end: Timestamp) -> RuleVerdict;
}

/// A rule's verdict with its proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleVerdict {
    /// Pass, fail, not applicable or inconclusive.
    pub verdict: Verdict,
    /// Journal `seq`s proving it: the trigger, then the fulfilling or offending exchanges.
    pub evidence: Vec<u64>,
    /// A human explanation (what was seen, what was missing, the deadline).
    pub note: String,
    /// A measured quantity when the rule has one (e.g. `{"min_interval_ms": 412}`).
    pub measured: Option<serde_json::Value>,
}

impl RuleVerdict {
    /// A verdict with evidence and a note, nothing measured.
    pub fn new(verdict: Verdict, evidence: Vec<u64>, note: impl Into<String>) -> RuleVerdict {
        RuleVerdict {
            verdict,
            evidence,
            note: note.into(),
            measured: None,
        }
    }

    /// `Pass` with evidence.
    pub fn pass(evidence: Vec<u64>, note: impl Into<String>) -> RuleVerdict {
        RuleVerdict::new(Verdict::Pass, evidence, note)
    }

    /// `Fail` with evidence.
    pub fn fail(evidence: Vec<u64>, note: impl Into<String>) -> RuleVerdict {
        RuleVerdict::new(Verdict::Fail, evidence, note)
    }

    /// `NotApplicable`: the situation never arose.
    pub fn not_applicable(note: impl Into<String>) -> RuleVerdict {
        RuleVerdict::new(Verdict::NotApplicable, Vec::new(), note)
    }

    /// `Inconclusive`: the session ended before the deadline.
    pub fn inconclusive(evidence: Vec<u64>, note: impl Into<String>) -> RuleVerdict {
        RuleVerdict::new(Verdict::Inconclusive, evidence, note)
    }

    /// The same verdict with a measured value.
    pub fn with_measured(mut self, measured: serde_json::Value) -> RuleVerdict {
        self.measured = Some(measured);
        self
    }

    /// Merges the verdicts of several situations of one rule (several lost responses, several
    /// transactions): the overall verdict is [`combine`]d; evidence and notes come from the
    /// situations that decide it (every failing one, else every passing one, else every
    /// inconclusive one), in order. `NotApplicable` when `parts` is empty.
    pub fn merge(parts: Vec<RuleVerdict>, none_note: &str) -> RuleVerdict {
        let verdict = combine(parts.iter().map(|p| p.verdict));
        let deciding: Vec<RuleVerdict> =
            parts.into_iter().filter(|p| p.verdict == verdict).collect();
        if deciding.is_empty() {
            return RuleVerdict::not_applicable(none_note);
        }
        let mut evidence = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut measured = Vec::new();
        for p in deciding {
            for s in p.evidence {
                if !evidence.contains(&s) {
                    evidence.push(s);
                }
            }
            if !p.note.is_empty() && !notes.contains(&p.note) {
                notes.push(p.note);
            }
            if let Some(m) = p.measured {
                measured.push(m);
            }
        }
        RuleVerdict {
            verdict,
            evidence,
            note: notes.join("; "),
            measured: match measured.len() {
                0 => None,
                1 => measured.pop(),
                _ => Some(serde_json::Value::Array(measured)),
            },
        }
    }
}

/// The four verdicts (serialized `pass`, `fail`, `not_applicable`, `inconclusive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The situation arose and the obligation was met.
    Pass,
    /// The obligation was broken.
    Fail,
    /// The situation never arose.
    NotApplicable,
    /// The session ended before the obligation's deadline.
    Inconclusive,
}

impl Verdict {
    /// `pass`, `fail`, `not_applicable`, `inconclusive`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Combines verdicts across scenarios (spec section 5): any fail makes a fail; else one pass
/// makes a pass; else inconclusive if any was; else not applicable (also for no verdicts).
pub fn combine<I: IntoIterator<Item = Verdict>>(verdicts: I) -> Verdict {
    let (mut pass, mut inconclusive) = (false, false);
    for v in verdicts {
        match v {
            Verdict::Fail => return Verdict::Fail,
            Verdict::Pass => pass = true,
            Verdict::Inconclusive => inconclusive = true,
            Verdict::NotApplicable => {}
        }
    }
    if pass {
        Verdict::Pass
    } else if inconclusive {
        Verdict::Inconclusive
    } else {
        Verdict::NotApplicable
    }
}

/// The entry's time (`at`, RFC 3339), or `None` when it does not parse.
pub fn entry_time(e: &JournalEntry) -> Option<Timestamp> {
    Timestamp::parse_rfc3339(&e.at)
}

/// The first value of a header (name compared case-insensitively; the journal lower-cases).
pub fn header<'a>(e: &'a JournalEntry, name: &str) -> Option<&'a str> {
    e.http.as_ref().and_then(|h| {
        h.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    })
}

/// The body as text (`None` when absent or journaled as base64).
pub fn body_text(e: &JournalEntry) -> Option<&str> {
    e.http
        .as_ref()
        .and_then(|h| h.body.as_ref())
        .and_then(|b| b.text.as_deref())
}

/// The HTTP status of a response entry.
pub fn status(e: &JournalEntry) -> Option<u16> {
    e.http.as_ref().and_then(|h| h.status)
}

/// True for an `http_request` entry of `protocol`.
pub fn is_request_of(e: &JournalEntry, protocol: &str) -> bool {
    e.kind == EntryKind::HttpRequest && e.protocol.as_deref() == Some(protocol)
}

/// A string member of the entry's `corr` object (`transaction_id`, `terminal`).
pub fn corr_str<'a>(e: &'a JournalEntry, key: &str) -> Option<&'a str> {
    e.corr
        .as_ref()
        .and_then(|c| c.get(key))
        .and_then(|v| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Body, Dir, HttpRecord};

    #[test]
    fn combines_as_the_spec_says() {
        use Verdict::*;
        assert_eq!(combine([Pass, Fail, Inconclusive]), Fail);
        assert_eq!(combine([NotApplicable, Pass, Inconclusive]), Pass);
        assert_eq!(combine([NotApplicable, Inconclusive]), Inconclusive);
        assert_eq!(combine([NotApplicable, NotApplicable]), NotApplicable);
        assert_eq!(combine([]), NotApplicable);
    }

    #[test]
    fn serializes_snake_case() {
        let v = RuleVerdict::fail(vec![3, 7], "two polls 200 ms apart")
            .with_measured(serde_json::json!({"min_interval_ms": 200}));
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(j["verdict"], "fail");
        assert_eq!(j["evidence"], serde_json::json!([3, 7]));
        assert_eq!(
            serde_json::to_value(Verdict::NotApplicable).unwrap(),
            "not_applicable"
        );
        assert_eq!(Verdict::Inconclusive.as_str(), "inconclusive");
    }

    #[test]
    fn merge_keeps_the_deciding_evidence() {
        let m = RuleVerdict::merge(
            vec![
                RuleVerdict::pass(vec![1, 2], "ok"),
                RuleVerdict::fail(vec![5, 9], "bad"),
                RuleVerdict::inconclusive(vec![11], "later"),
                RuleVerdict::fail(vec![9, 12], "bad again"),
            ],
            "none",
        );
        assert_eq!(m.verdict, Verdict::Fail);
        assert_eq!(m.evidence, vec![5, 9, 12]);
        assert_eq!(m.note, "bad; bad again");
        let n = RuleVerdict::merge(Vec::new(), "nothing seen");
        assert_eq!(n.verdict, Verdict::NotApplicable);
        assert_eq!(n.note, "nothing seen");
    }

    #[test]
    fn reads_entries() {
        let e = JournalEntry {
            seq: 4,
            at: "2026-01-15T09:00:02.310Z".into(),
            conn: None,
            dir: Dir::In,
            kind: EntryKind::HttpRequest,
            protocol: Some("tecs".into()),
            op: None,
            corr: Some(serde_json::json!({"transaction_id": "T1"})),
            http: Some(HttpRecord {
                method: Some("POST".into()),
                path: Some("/x".into()),
                status: None,
                headers: vec![("authorization".into(), "Bearer ***".into())],
                body: Some(Body::from_bytes(b"{}")),
            }),
            data: None,
            reply_to: None,
            fault: None,
            requirements: Vec::new(),
        };
        assert_eq!(
            entry_time(&e),
            Timestamp::parse_rfc3339("2026-01-15T09:00:02.310Z")
        );
        assert_eq!(header(&e, "Authorization"), Some("Bearer ***"));
        assert_eq!(body_text(&e), Some("{}"));
        assert_eq!(status(&e), None);
        assert!(is_request_of(&e, "tecs"));
        assert!(!is_request_of(&e, "ationet"));
        assert_eq!(corr_str(&e, "transaction_id"), Some("T1"));
    }
}

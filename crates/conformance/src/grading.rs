//! Client grading (conformance spec section 5): runs the protocol crates' client rules over a
//! journal and returns one [`RuleResult`] per rule, with the requirement text from the
//! protocol's catalogue.
//!
//! ```text
//! journal entries ──► every rule of the selected protocols (observe, in journal order)
//!                 ──► verdict(end) ──► RuleResult {id, protocol, verdict, evidence, note, …}
//! ```
//!
//! Across scenarios, [`combine_runs`] merges per-rule results with the spec's rule (any fail,
//! else a pass, else inconclusive, else not applicable). [`junit_cases`] flattens results into
//! the data a JUnit test case needs; rendering is the report module's job.

use payrig_core::grading::{combine, ClientRule, Verdict};
use payrig_core::journal::JournalEntry;
use payrig_core::Timestamp;
use serde::Serialize;

/// Thresholds for every protocol's rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GradingConfig {
    /// ATIONet (poll floor, prompt window, ...).
    pub ationet: payrig_ationet::rules::RuleConfig,
    /// TECS (cancel deadline, minimum client timeout, ...).
    pub tecs: payrig_tecs::rules::RuleConfig,
}

/// Protocols with client rules, as the journal names them.
pub const GRADED_PROTOCOLS: [&str; 2] = [
    payrig_ationet::rules::PROTOCOL,
    payrig_tecs::rules::PROTOCOL,
];

/// One rule's verdict, ready for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    /// Requirement id (`ATN-C-004`).
    pub id: String,
    /// Protocol as the journal names it (`ationet`, `tecs`).
    pub protocol: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Journal seqs proving it.
    pub evidence: Vec<u64>,
    /// What was seen or missing.
    pub note: String,
    /// A measured quantity, when the rule has one.
    pub measured: Option<serde_json::Value>,
    /// The requirement text from the protocol's catalogue (`""` if the id is not in it).
    pub requirement: String,
}

/// The rules of one protocol (empty for a protocol without client rules).
pub fn rules_for(protocol: &str, cfg: &GradingConfig) -> Vec<Box<dyn ClientRule>> {
    match protocol {
        payrig_ationet::rules::PROTOCOL => payrig_ationet::rules::all_rules(&cfg.ationet),
        payrig_tecs::rules::PROTOCOL => payrig_tecs::rules::all_rules(&cfg.tecs),
        _ => Vec::new(),
    }
}

fn requirement_text(protocol: &str, id: &str) -> String {
    let r = match protocol {
        payrig_ationet::rules::PROTOCOL => payrig_ationet::requirements::requirement(id),
        payrig_tecs::rules::PROTOCOL => payrig_tecs::requirements::requirement(id),
        _ => None,
    };
    r.map(|r| r.text.to_owned()).unwrap_or_default()
}

/// Grades `entries` with default thresholds: every rule of `protocols` is fed the journal in
/// order and judged at `end`. Results come per protocol, in the order given, rules in id order.
pub fn grade(entries: &[JournalEntry], protocols: &[&str], end: Timestamp) -> Vec<RuleResult> {
    grade_with(entries, protocols, end, &GradingConfig::default())
}

/// [`grade`] with explicit thresholds.
pub fn grade_with(
    entries: &[JournalEntry],
    protocols: &[&str],
    end: Timestamp,
    cfg: &GradingConfig,
) -> Vec<RuleResult> {
    let mut out = Vec::new();
    for p in protocols {
        let mut rules = rules_for(p, cfg);
        let mut sorted: Vec<&JournalEntry> = entries.iter().collect();
        sorted.sort_by_key(|e| e.seq);
        for e in sorted {
            for r in rules.iter_mut() {
                r.observe(e);
            }
        }
        for r in &rules {
            let v = r.verdict(end);
            out.push(RuleResult {
                id: r.id().to_owned(),
                protocol: (*p).to_owned(),
                verdict: v.verdict,
                evidence: v.evidence,
                note: v.note,
                measured: v.measured,
                requirement: requirement_text(p, r.id()),
            });
        }
    }
    out
}

/// The time of the last journal entry (a session's natural `end`), if any parses.
pub fn journal_end(entries: &[JournalEntry]) -> Option<Timestamp> {
    entries
        .iter()
        .filter_map(payrig_core::grading::entry_time)
        .max()
}

/// Merges per-scenario results rule by rule: the verdict is [`combine`]d; evidence, notes and
/// measurements come from the scenarios that decide it. Rules keep their first-seen order.
pub fn combine_runs(runs: &[Vec<RuleResult>]) -> Vec<RuleResult> {
    let mut order: Vec<(String, String)> = Vec::new();
    for r in runs.iter().flatten() {
        let k = (r.protocol.clone(), r.id.clone());
        if !order.contains(&k) {
            order.push(k);
        }
    }
    order
        .into_iter()
        .filter_map(|(p, id)| {
            let all: Vec<&RuleResult> = runs
                .iter()
                .flatten()
                .filter(|r| r.protocol == p && r.id == id)
                .collect();
            let verdict = combine(all.iter().map(|r| r.verdict));
            let deciding: Vec<&&RuleResult> = all.iter().filter(|r| r.verdict == verdict).collect();
            let first = all.first()?;
            let pick: Vec<&RuleResult> = if deciding.is_empty() {
                vec![*first]
            } else {
                deciding.into_iter().copied().collect()
            };
            let mut evidence = Vec::new();
            let mut notes: Vec<String> = Vec::new();
            let mut measured = Vec::new();
            for r in pick {
                evidence.extend(r.evidence.iter().copied());
                if !r.note.is_empty() && !notes.contains(&r.note) {
                    notes.push(r.note.clone());
                }
                measured.extend(r.measured.clone());
            }
            Some(RuleResult {
                id,
                protocol: p,
                verdict,
                evidence,
                note: notes.join("; "),
                measured: match measured.len() {
                    0 => None,
                    1 => measured.pop(),
                    _ => Some(serde_json::Value::Array(measured)),
                },
                requirement: first.requirement.clone(),
            })
        })
        .collect()
}

/// What a JUnit test case needs, without rendering it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JunitCaseData {
    /// Test suite / class name: `client.<protocol>`.
    pub classname: String,
    /// Test name: `<id> <requirement text>`.
    pub name: String,
    /// `Some(message)` for a failure (`fail`).
    pub failure: Option<String>,
    /// `Some(reason)` for a skipped case (`not_applicable`, `inconclusive`).
    pub skipped: Option<String>,
    /// Details for `system-out`: verdict, evidence seqs, note, measured.
    pub system_out: String,
}

/// One JUnit case per rule result: fail → failure; not applicable / inconclusive → skipped.
pub fn junit_cases(results: &[RuleResult]) -> Vec<JunitCaseData> {
    results
        .iter()
        .map(|r| {
            let evidence = r
                .evidence
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let mut out = format!(
                "verdict={} evidence=[{evidence}] note={}",
                r.verdict.as_str(),
                r.note
            );
            if let Some(m) = &r.measured {
                out.push_str(&format!(" measured={m}"));
            }
            let msg = format!("{}: {} (evidence seq {evidence})", r.id, r.note);
            JunitCaseData {
                classname: format!("client.{}", r.protocol),
                name: if r.requirement.is_empty() {
                    r.id.clone()
                } else {
                    format!("{} {}", r.id, r.requirement)
                },
                failure: (r.verdict == Verdict::Fail).then(|| msg.clone()),
                skipped: matches!(r.verdict, Verdict::NotApplicable | Verdict::Inconclusive)
                    .then(|| format!("{}: {}", r.verdict.as_str(), r.note)),
                system_out: out,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn grades_an_empty_journal_as_not_applicable_with_texts() {
        let r = grade(&[], &["ationet", "tecs", "nope"], Timestamp(0));
        assert_eq!(r.len(), 20);
        assert!(r.iter().all(|x| x.verdict == Verdict::NotApplicable));
        assert_eq!(r[0].id, "ATN-C-001");
        assert_eq!(
            r[0].requirement,
            "Sends `Authorization: Bearer` on every request."
        );
        assert_eq!(r[9].id, "TEC-C-001");
        assert_eq!(r[9].protocol, "tecs");
        assert!(r.iter().all(|x| !x.requirement.is_empty()));
        let j = serde_json::to_value(&r[0]).unwrap();
        assert_eq!(j["verdict"], "not_applicable");
    }

    #[test]
    fn combines_runs_and_builds_junit_data() {
        let mk = |v: Verdict, ev: Vec<u64>, note: &str| RuleResult {
            id: "TEC-C-002".into(),
            protocol: "tecs".into(),
            verdict: v,
            evidence: ev,
            note: note.into(),
            measured: None,
            requirement: "text".into(),
        };
        let runs = vec![
            vec![mk(Verdict::Pass, vec![1, 2], "ok")],
            vec![mk(Verdict::Fail, vec![7, 9], "bad")],
            vec![mk(Verdict::NotApplicable, vec![], "none")],
        ];
        let c = combine_runs(&runs);
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].verdict, c[0].evidence.clone(), c[0].note.as_str()),
            (Verdict::Fail, vec![7, 9], "bad")
        );
        let j = junit_cases(&c);
        assert_eq!(j[0].classname, "client.tecs");
        assert_eq!(j[0].name, "TEC-C-002 text");
        assert!(j[0].failure.as_ref().unwrap().contains("7,9"));
        assert!(j[0].skipped.is_none());
        let na = junit_cases(&runs[2]);
        assert!(na[0]
            .skipped
            .as_ref()
            .unwrap()
            .starts_with("not_applicable"));
    }
}

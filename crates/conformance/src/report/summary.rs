//! `summary.json`: conformance index and score, per protocol, and the coverage matrix.
//!
//! Definitions (conformance spec, section 6): R is the set of catalogue requirements of the
//! selected protocols on the run's side (`server` run: `<P>-S-nnn`), `optional` ones only when
//! their extension is on. A requirement is *covered* when a scenario of the run that was not
//! skipped targets it; its verdict is `fail` if any targeting scenario failed, `pass` if one
//! passed and none failed, else `not_run`. Index = covered / |R|, score = passed / |R| (never
//! above the index).
//!
//! Skipped scenarios (e.g. `target lacks control API` against a vendor server) do not cover:
//! the index is the best score the suite can reach *against this target*, so a run that could
//! exercise 2 of 21 requirements shows an index of 2/21, not 21/21.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use payrig_core::requirement::Level;
use payrig_core::{Requirement, Side};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{write_file, ReportError, CAVEAT, SUMMARY_FILE};
use crate::results::{RunResults, ScenarioStatus, TargetInfo};

/// One protocol's requirement catalogue, as [`summarize`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue<'a> {
    /// Protocol folder name (`ationet`), as in [`RunResults::protocols`].
    pub protocol: &'a str,
    /// Every requirement of the protocol, both sides.
    pub requirements: &'a [Requirement],
    /// The extension that switches this catalogue's `optional` requirements on (`prompting`).
    /// They count when [`RunResults::extensions`] holds `prompting` or `ationet.prompting`.
    /// `None`: optional requirements never count.
    pub extension: Option<&'a str>,
}

/// An exact fraction, written `"41/48"` in JSON and as a one-decimal percentage elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator.
    pub num: usize,
    /// Denominator (|R|).
    pub den: usize,
}

impl Fraction {
    /// `num / den`.
    pub fn new(num: usize, den: usize) -> Fraction {
        Fraction { num, den }
    }

    /// The value in 0..=1; an empty denominator counts as 0 (nothing was proven).
    pub fn ratio(&self) -> f64 {
        if self.den == 0 {
            0.0
        } else {
            self.num as f64 / self.den as f64
        }
    }

    /// `85.4%`, rounded half-up to one decimal in integer arithmetic; `n/a` when `den` is 0.
    pub fn percent(&self) -> String {
        if self.den == 0 {
            return "n/a".to_owned();
        }
        // tenths of a percent, rounded half-up: (num * 1000 + den / 2) / den, exactly
        let tenths = (self.num as u128 * 1000 + self.den as u128 / 2) / self.den as u128;
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parse = |t: &str| t.trim().parse::<usize>().ok();
        match text.split_once('/') {
            Some((n, m)) => match (parse(n), parse(m)) {
                (Some(num), Some(den)) => Ok(Fraction { num, den }),
                _ => Err(serde::de::Error::custom(format!("bad fraction `{text}`"))),
            },
            None => Err(serde::de::Error::custom(format!("bad fraction `{text}`"))),
        }
    }
}

/// A requirement's final verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A targeting scenario passed and none failed.
    Pass,
    /// A targeting scenario failed.
    Fail,
    /// Not targeted, or every targeting scenario was skipped.
    NotRun,
}

/// Scenario tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioCounts {
    /// Scenarios in the run.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped (not run).
    pub skipped: usize,
}

/// Requirement tallies over R.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementCounts {
    /// |R|.
    pub total: usize,
    /// Targeted by at least one scenario that ran (skipped ones do not cover).
    pub covered: usize,
    /// Verdict `pass`.
    pub passed: usize,
    /// Verdict `fail`.
    pub failed: usize,
    /// Verdict `not_run`, uncovered ones included: `total - passed - failed`.
    pub not_run: usize,
}

/// Index and score of one protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolSummary {
    /// Scenario tallies for this protocol.
    pub scenarios: ScenarioCounts,
    /// Requirement tallies for this protocol.
    pub requirements: RequirementCounts,
    /// covered / |R|.
    pub index: Fraction,
    /// passed / |R|.
    pub score: Fraction,
}

/// A scenario that targets a requirement, with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRef {
    /// `<protocol>.<feature stem>`.
    pub feature: String,
    /// Scenario name.
    pub name: String,
    /// `passed`, `failed` or `skipped`.
    pub status: String,
}

/// One row of the coverage matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    /// `ATN-S-012`.
    pub id: String,
    /// Protocol folder name.
    pub protocol: String,
    /// The spec's text.
    pub text: String,
    /// The spec's source tags.
    pub source: String,
    /// `must` or `should`.
    pub level: String,
    /// Counted only because its extension is on.
    pub optional: bool,
    /// Scenarios that target it, in run order.
    pub scenarios: Vec<ScenarioRef>,
    /// Final verdict.
    pub verdict: Verdict,
}

/// The contents of `summary.json`, the source every other report is rendered from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// payrig version.
    pub payrig: String,
    /// Git commit payrig was built from (`unknown` outside a checkout); set by the caller.
    pub commit: String,
    /// Where the run pointed.
    pub target: TargetInfo,
    /// Run seed.
    pub seed: u64,
    /// `server` or `client`.
    pub direction: String,
    /// Protocols selected.
    pub protocols: Vec<String>,
    /// Extensions switched on.
    pub extensions: Vec<String>,
    /// Start, RFC 3339 UTC.
    pub started_at: String,
    /// Total wall time, ms.
    pub duration_ms: u64,
    /// Scenario tallies over the whole run.
    pub scenarios: ScenarioCounts,
    /// Requirement tallies over R.
    pub requirements: RequirementCounts,
    /// Conformance index: covered / |R|.
    pub index: Fraction,
    /// Conformance score: passed / |R|.
    pub score: Fraction,
    /// The same per protocol.
    pub by_protocol: BTreeMap<String, ProtocolSummary>,
    /// Client-grading rule verdicts (empty for server runs, for now).
    pub rules: Vec<serde_json::Value>,
    /// The certification caveat.
    pub caveat: String,
    /// The coverage matrix: one row per requirement of R, in catalogue order.
    pub coverage: Vec<CoverageRow>,
}

fn status_word(s: &ScenarioStatus) -> &'static str {
    match s {
        ScenarioStatus::Passed => "passed",
        ScenarioStatus::Failed { .. } => "failed",
        ScenarioStatus::Skipped { .. } => "skipped",
    }
}

fn side_of(direction: &str) -> Side {
    if direction.eq_ignore_ascii_case("client") {
        Side::Client
    } else {
        Side::Server
    }
}

fn extension_on(results: &RunResults, protocol: &str, extension: &str) -> bool {
    results.extensions.iter().any(|e| {
        e == extension
            || e.split_once('.')
                .is_some_and(|(p, x)| p == protocol && x == extension)
    })
}

fn count_scenarios<'a>(it: impl Iterator<Item = &'a ScenarioStatus>) -> ScenarioCounts {
    let mut c = ScenarioCounts::default();
    for s in it {
        c.total += 1;
        match s {
            ScenarioStatus::Passed => c.passed += 1,
            ScenarioStatus::Failed { .. } => c.failed += 1,
            ScenarioStatus::Skipped { .. } => c.skipped += 1,
        }
    }
    c
}

fn tally(rows: &[&CoverageRow]) -> RequirementCounts {
    let mut c = RequirementCounts {
        total: rows.len(),
        ..RequirementCounts::default()
    };
    for r in rows {
        if r.scenarios.iter().any(|s| s.status != "skipped") {
            c.covered += 1;
        }
        match r.verdict {
            Verdict::Pass => c.passed += 1,
            Verdict::Fail => c.failed += 1,
            Verdict::NotRun => c.not_run += 1,
        }
    }
    c
}

/// Joins a run's results with the catalogues of its protocols. Catalogues of protocols the run
/// did not select are ignored. `commit` is `unknown`; the binary sets the one it was built from.
pub fn summarize(results: &RunResults, catalogues: &[Catalogue<'_>]) -> Summary {
    let side = side_of(&results.direction);
    let mut coverage = Vec::new();
    for cat in catalogues {
        if !results.protocols.iter().any(|p| p == cat.protocol) {
            continue;
        }
        let optional_on = cat
            .extension
            .is_some_and(|x| extension_on(results, cat.protocol, x));
        for req in cat.requirements {
            if req.side != side || (req.optional && !optional_on) {
                continue;
            }
            let targeting: Vec<_> = results
                .scenarios
                .iter()
                .filter(|s| s.requirements.iter().any(|id| id == req.id))
                .collect();
            let failed = targeting
                .iter()
                .any(|s| matches!(s.status, ScenarioStatus::Failed { .. }));
            let passed = targeting
                .iter()
                .any(|s| matches!(s.status, ScenarioStatus::Passed));
            let verdict = if failed {
                Verdict::Fail
            } else if passed {
                Verdict::Pass
            } else {
                Verdict::NotRun
            };
            coverage.push(CoverageRow {
                id: req.id.to_owned(),
                protocol: cat.protocol.to_owned(),
                text: req.text.to_owned(),
                source: req.source.to_owned(),
                level: match req.level {
                    Level::Must => "must",
                    Level::Should => "should",
                }
                .to_owned(),
                optional: req.optional,
                scenarios: targeting
                    .iter()
                    .map(|s| ScenarioRef {
                        feature: format!("{}.{}", s.protocol, s.feature),
                        name: s.name.clone(),
                        status: status_word(&s.status).to_owned(),
                    })
                    .collect(),
                verdict,
            });
        }
    }

    let mut by_protocol = BTreeMap::new();
    for p in &results.protocols {
        let rows: Vec<&CoverageRow> = coverage.iter().filter(|r| &r.protocol == p).collect();
        let requirements = tally(&rows);
        by_protocol.insert(
            p.clone(),
            ProtocolSummary {
                scenarios: count_scenarios(
                    results
                        .scenarios
                        .iter()
                        .filter(|s| &s.protocol == p)
                        .map(|s| &s.status),
                ),
                index: Fraction::new(requirements.covered, requirements.total),
                score: Fraction::new(requirements.passed, requirements.total),
                requirements,
            },
        );
    }
    let requirements = tally(&coverage.iter().collect::<Vec<_>>());

    Summary {
        payrig: env!("CARGO_PKG_VERSION").to_owned(),
        commit: "unknown".to_owned(),
        target: results.target.clone(),
        seed: results.seed,
        direction: results.direction.clone(),
        protocols: results.protocols.clone(),
        extensions: results.extensions.clone(),
        started_at: results.started_at.clone(),
        duration_ms: results.duration_ms,
        scenarios: count_scenarios(results.scenarios.iter().map(|s| &s.status)),
        index: Fraction::new(requirements.covered, requirements.total),
        score: Fraction::new(requirements.passed, requirements.total),
        requirements,
        by_protocol,
        rules: Vec::new(),
        caveat: CAVEAT.to_owned(),
        coverage,
    }
}

/// Writes `dir/summary.json` (pretty, with a final newline), creating `dir` if needed.
pub fn write_summary(dir: &Path, summary: &Summary) -> Result<PathBuf, ReportError> {
    let mut text = serde_json::to_string_pretty(summary)?;
    text.push('\n');
    write_file(dir, SUMMARY_FILE, text.as_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::report::fixtures::{catalogue, results, scenario, CATALOGUE};

    fn cat() -> Vec<Catalogue<'static>> {
        vec![catalogue()]
    }

    #[test]
    fn fractions_print_exactly() {
        let f = Fraction::new(41, 48);
        assert_eq!(f.to_string(), "41/48");
        assert_eq!(f.percent(), "85.4%");
        assert_eq!(Fraction::new(1, 8).percent(), "12.5%");
        assert_eq!(Fraction::new(1, 3).percent(), "33.3%");
        assert_eq!(Fraction::new(2, 3).percent(), "66.7%");
        assert_eq!(Fraction::new(3, 3).percent(), "100.0%");
        assert_eq!(Fraction::new(0, 0).percent(), "n/a");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, "\"41/48\"");
        assert_eq!(serde_json::from_str::<Fraction>(&json).unwrap(), f);
        assert!(serde_json::from_str::<Fraction>("\"41\"").is_err());
    }

    #[test]
    fn index_and_score_count_over_the_server_requirements() {
        // 4 mandatory server requirements (S-001..S-004), S-005 optional, C-001 client.
        let r = results(vec![
            scenario("basics", "a", &["ATN-S-001"], ScenarioStatus::Passed),
            scenario(
                "basics",
                "b",
                &["ATN-S-001", "ATN-S-002"],
                ScenarioStatus::Passed,
            ),
            scenario(
                "cancel",
                "c",
                &["ATN-S-003"],
                ScenarioStatus::Skipped {
                    reason: "target lacks control API".into(),
                },
            ),
        ]);
        let s = summarize(&r, &cat());
        assert_eq!(s.requirements.total, 4);
        // S-003 is targeted only by a skipped scenario: not covered, not run.
        assert_eq!(s.requirements.covered, 2);
        assert_eq!(s.requirements.passed, 2);
        assert_eq!(s.requirements.failed, 0);
        assert_eq!(s.requirements.not_run, 2);
        assert_eq!(s.index.to_string(), "2/4");
        assert_eq!(s.score.to_string(), "2/4");
        assert_eq!(s.index.percent(), "50.0%");
        assert_eq!(s.by_protocol["ationet"].index, s.index);
        assert_eq!(s.by_protocol["ationet"].scenarios.skipped, 1);
        assert_eq!(s.scenarios.total, 3);
        let ids: Vec<_> = s.coverage.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["ATN-S-001", "ATN-S-002", "ATN-S-003", "ATN-S-004"]);
        assert_eq!(s.coverage[0].scenarios.len(), 2);
        assert_eq!(s.coverage[2].scenarios[0].status, "skipped");
        assert_eq!(s.coverage[2].verdict, Verdict::NotRun);
        assert_eq!(s.coverage[3].verdict, Verdict::NotRun);
        assert!(s.coverage[3].scenarios.is_empty());
        assert_eq!(s.caveat, CAVEAT);
        assert!(s.rules.is_empty());
    }

    #[test]
    fn optional_requirements_count_only_with_their_extension() {
        let scenarios = vec![scenario(
            "prompting",
            "p",
            &["ATN-S-005"],
            ScenarioStatus::Passed,
        )];
        let off = summarize(&results(scenarios.clone()), &cat());
        assert_eq!(off.requirements.total, 4);
        assert!(off.coverage.iter().all(|r| r.id != "ATN-S-005"));
        assert_eq!(off.score.to_string(), "0/4");

        for ext in ["prompting", "ationet.prompting"] {
            let mut r = results(scenarios.clone());
            r.extensions = vec![ext.to_owned()];
            let on = summarize(&r, &cat());
            assert_eq!(on.requirements.total, 5, "{ext}");
            assert_eq!(on.score.to_string(), "1/5");
            assert!(on
                .coverage
                .iter()
                .any(|r| r.id == "ATN-S-005" && r.optional));
        }

        // another protocol's extension of the same name does not switch it on
        let mut r = results(scenarios);
        r.extensions = vec!["tecs.prompting".to_owned()];
        assert_eq!(summarize(&r, &cat()).requirements.total, 4);
    }

    #[test]
    fn a_failure_dominates_passes() {
        let r = results(vec![
            scenario("basics", "a", &["ATN-S-001"], ScenarioStatus::Passed),
            scenario(
                "basics",
                "b",
                &["ATN-S-001"],
                ScenarioStatus::Failed {
                    message: "state 18, expected 10".into(),
                },
            ),
            scenario("basics", "c", &["ATN-S-001"], ScenarioStatus::Passed),
        ]);
        let s = summarize(&r, &cat());
        assert_eq!(s.coverage[0].verdict, Verdict::Fail);
        assert_eq!(s.requirements.failed, 1);
        assert_eq!(s.requirements.passed, 0);
        assert_eq!(s.index.to_string(), "1/4");
        assert_eq!(s.score.to_string(), "0/4");
    }

    #[test]
    fn client_runs_count_client_requirements() {
        let mut r = results(vec![scenario(
            "grading",
            "g",
            &["ATN-C-001"],
            ScenarioStatus::Passed,
        )]);
        r.direction = "client".to_owned();
        let s = summarize(&r, &cat());
        assert_eq!(s.index.to_string(), "1/1");
        assert_eq!(s.score.to_string(), "1/1");
    }

    #[test]
    fn unselected_protocols_are_ignored() {
        let mut r = results(Vec::new());
        r.protocols = vec!["tecs".to_owned()];
        let s = summarize(&r, &cat());
        assert_eq!(s.requirements.total, 0);
        assert_eq!(s.index.percent(), "n/a");
        assert_eq!(s.by_protocol["tecs"].requirements.total, 0);
        assert_eq!(CATALOGUE.len(), 6);
    }

    #[test]
    fn summary_json_has_the_spec_fields_and_round_trips() {
        let r = results(vec![scenario(
            "basics",
            "a",
            &["ATN-S-001"],
            ScenarioStatus::Passed,
        )]);
        let s = summarize(&r, &cat());
        let dir = tempfile::tempdir().unwrap();
        let path = write_summary(&dir.path().join("out"), &s).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for key in [
            "payrig",
            "commit",
            "target",
            "seed",
            "direction",
            "requirements",
            "index",
            "score",
            "by_protocol",
            "rules",
            "caveat",
            "coverage",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["index"], "1/4");
        assert_eq!(v["target"]["kind"], "embedded");
        assert_eq!(v["requirements"]["not_run"], 3);
        assert_eq!(v["by_protocol"]["ationet"]["score"], "1/4");
        assert_eq!(v["coverage"][0]["verdict"], "pass");
        let back: Summary = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
    }
}

//! `junit.xml`: one `<testsuite>` per feature file, one `<testcase>` per scenario (conformance
//! spec, section 6). Steps are not testcases.
//!
//! Suite and class name are `<protocol>.<feature stem>`; each testcase carries `requirement`,
//! `direction` and `seed` properties and repeats its requirement ids in `system-out` for tools
//! that ignore properties. Names never repeat: if lint was bypassed, a duplicate gets ` #2`
//! (` #3`, ...) and a warning.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite, XmlString};

use super::{write_file, ReportError, Summary, JUNIT_FILE};
use crate::results::{RunResults, ScenarioResult, ScenarioStatus};

/// At most this much text in one testcase's `system-out`.
const SYSTEM_OUT_MAX: usize = 64 * 1024;

/// What [`write_junit`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JunitWritten {
    /// Path of `junit.xml`.
    pub path: PathBuf,
    /// Duplicate scenario names that were renamed.
    pub warnings: Vec<String>,
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
fn truncate(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut end = max.saturating_sub(16);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str("\n[truncated]");
    s
}

fn system_out(s: &ScenarioResult) -> String {
    let mut out = format!("requirements: {}", s.requirements.join(", "));
    if !s.steps.is_empty() {
        out.push_str("\nsteps:");
        for step in &s.steps {
            out.push_str(&format!(
                "\n  {} {} [{}]",
                step.keyword.trim(),
                step.text,
                step.status
            ));
        }
    }
    truncate(out, SYSTEM_OUT_MAX)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn testcase(results: &RunResults, s: &ScenarioResult, name: String, class: &str) -> TestCase {
    let status = match &s.status {
        ScenarioStatus::Passed => TestCaseStatus::success(),
        ScenarioStatus::Failed { message } => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_type("assertion")
                .set_message(first_line(message))
                .set_description(message.as_str());
            st
        }
        ScenarioStatus::Skipped { reason } => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(reason.as_str());
            st
        }
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(class)
        .set_time(Duration::from_millis(s.duration_ms));
    for id in &s.requirements {
        tc.add_property(("requirement", id.as_str()));
    }
    tc.add_property(("direction", results.direction.as_str()));
    tc.add_property(("seed", results.seed.to_string().as_str()));
    tc.set_system_out(system_out(s));
    tc
}

/// Builds the JUnit report; the second value lists duplicate names that were renamed.
pub fn junit_report(results: &RunResults, summary: &Summary) -> (Report, Vec<String>) {
    // suites in order of first appearance
    let mut order: Vec<String> = Vec::new();
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut warnings = Vec::new();

    for s in &results.scenarios {
        let class = format!("{}.{}", s.protocol, s.feature);
        let n = seen.entry(s.name.clone()).or_insert(0);
        *n += 1;
        let name = if *n == 1 {
            s.name.clone()
        } else {
            warnings.push(format!(
                "duplicate scenario name `{}` in {class}: reported as `{} #{n}`",
                s.name, s.name
            ));
            format!("{} #{n}", s.name)
        };
        let suite = suites.entry(class.clone()).or_insert_with(|| {
            order.push(class.clone());
            let mut suite = TestSuite::new(class.as_str());
            suite.add_property(("payrig.caveat", summary.caveat.as_str()));
            suite
        });
        suite.add_test_case(testcase(results, s, name, &class));
    }

    let mut report = Report::new("payrig");
    report.set_time(Duration::from_millis(results.duration_ms));
    for class in order {
        if let Some(mut suite) = suites.remove(&class) {
            let skipped = suite
                .test_cases
                .iter()
                .filter(|t| matches!(t.status, TestCaseStatus::Skipped { .. }))
                .count();
            let ms: u64 = results
                .scenarios
                .iter()
                .filter(|s| format!("{}.{}", s.protocol, s.feature) == class)
                .map(|s| s.duration_ms)
                .sum();
            suite.set_time(Duration::from_millis(ms));
            suite.extra.insert(
                XmlString::new("skipped"),
                XmlString::new(skipped.to_string()),
            );
            report.add_test_suite(suite);
        }
    }
    (report, warnings)
}

/// Writes `dir/junit.xml`, creating `dir` if needed.
pub fn write_junit(
    dir: &Path,
    results: &RunResults,
    summary: &Summary,
) -> Result<JunitWritten, ReportError> {
    let (report, warnings) = junit_report(results, summary);
    let text = report.to_string()?;
    let path = write_file(dir, JUNIT_FILE, text.as_bytes())?;
    Ok(JunitWritten { path, warnings })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::report::fixtures::{catalogue, results, scenario};
    use crate::report::{summarize, CAVEAT};

    fn prop<'a>(props: &'a [quick_junit::Property], name: &str) -> Vec<&'a str> {
        props
            .iter()
            .filter(|p| p.name.as_str() == name)
            .map(|p| p.value.as_str())
            .collect()
    }

    #[test]
    fn junit_has_the_spec_layout_and_parses_back() {
        let r = results(vec![
            scenario(
                "basics",
                "happy <path> & \"quotes\"",
                &["ATN-S-001", "ATN-S-002"],
                ScenarioStatus::Passed,
            ),
            scenario(
                "cancel",
                "cancel while fueling",
                &["ATN-S-003"],
                ScenarioStatus::Failed {
                    message: "expected 04003, got 00000\njournal seq 12-14".into(),
                },
            ),
            scenario(
                "cancel",
                "times out",
                &["ATN-S-004"],
                ScenarioStatus::Skipped {
                    reason: "target lacks control API".into(),
                },
            ),
        ]);
        let s = summarize(&r, &[catalogue()]);
        let dir = tempfile::tempdir().unwrap();
        let written = write_junit(dir.path(), &r, &s).unwrap();
        assert!(written.warnings.is_empty());
        let xml = std::fs::read_to_string(&written.path).unwrap();
        assert!(xml.contains(r#"skipped="1""#), "{xml}");

        let back = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(back.tests, 3);
        assert_eq!(back.failures, 1);
        let names: Vec<_> = back.test_suites.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["ationet.basics", "ationet.cancel"]);

        let basics = &back.test_suites[0];
        assert_eq!(prop(&basics.properties, "payrig.caveat"), [CAVEAT]);
        let tc = &basics.test_cases[0];
        assert_eq!(tc.name.as_str(), "happy <path> & \"quotes\"");
        assert_eq!(tc.classname.as_ref().unwrap().as_str(), "ationet.basics");
        assert_eq!(
            prop(&tc.properties, "requirement"),
            ["ATN-S-001", "ATN-S-002"]
        );
        assert_eq!(prop(&tc.properties, "direction"), ["server"]);
        assert_eq!(prop(&tc.properties, "seed"), ["42"]);
        assert!(tc
            .system_out
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("requirements: ATN-S-001, ATN-S-002"));

        let cancel = &back.test_suites[1];
        assert_eq!(cancel.failures, 1);
        match &cancel.test_cases[0].status {
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                message,
                ty,
                ..
            } => {
                assert_eq!(
                    message.as_ref().unwrap().as_str(),
                    "expected 04003, got 00000"
                );
                assert_eq!(ty.as_ref().unwrap().as_str(), "assertion");
            }
            other => panic!("{other:?}"),
        }
        match &cancel.test_cases[1].status {
            TestCaseStatus::Skipped { message, .. } => {
                assert_eq!(
                    message.as_ref().unwrap().as_str(),
                    "target lacks control API"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_names_get_a_counter_and_a_warning() {
        let r = results(vec![
            scenario("basics", "same", &["ATN-S-001"], ScenarioStatus::Passed),
            scenario("other", "same", &["ATN-S-002"], ScenarioStatus::Passed),
            scenario("other", "same", &["ATN-S-002"], ScenarioStatus::Passed),
        ]);
        let s = summarize(&r, &[catalogue()]);
        let (report, warnings) = junit_report(&r, &s);
        assert_eq!(warnings.len(), 2);
        let names: Vec<_> = report
            .test_suites
            .iter()
            .flat_map(|t| t.test_cases.iter().map(|c| c.name.as_str().to_owned()))
            .collect();
        assert_eq!(names, ["same", "same #2", "same #3"]);
    }

    #[test]
    fn system_out_is_capped() {
        let long = "x".repeat(SYSTEM_OUT_MAX * 2);
        let t = truncate(long, SYSTEM_OUT_MAX);
        assert!(t.len() <= SYSTEM_OUT_MAX);
        assert!(t.ends_with("[truncated]"));
        let t = truncate("é".repeat(SYSTEM_OUT_MAX), SYSTEM_OUT_MAX);
        assert!(t.len() <= SYSTEM_OUT_MAX);
    }
}

//! `payrig certify client`: payrig serves the protocols, records the vendor client's traffic
//! and grades it rule by rule (conformance spec section 5), with journal evidence.
//!
//! Plan `observe` (the one implemented): serve for `--duration` (or until Ctrl-C), then grade
//! whatever happened. Scripted plans with drivers (`manual`, `exec:`, `http:`) are a later
//! step; the flag says so instead of pretending.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use anyhow::anyhow;
use payrig_conformance::grading::{self, RuleResult};
use payrig_conformance::report::{self, Catalogue};
use payrig_conformance::results::{
    RunResults, ScenarioResult, ScenarioStatus, StepResult, TargetInfo,
};
use payrig_core::grading::Verdict;
use payrig_core::journal::JournalEntry;

use crate::exit::{CliError, Exit};

/// Turns rule verdicts into report rows: one "scenario" per rule, so the summary, JUnit and
/// HTML writers of server runs render client grading too (suite `<protocol>.grading`).
pub(crate) fn as_results(
    rules: &[RuleResult],
    protocols: &[String],
    seed: u64,
    url: &str,
    started_at: String,
    duration_ms: u64,
) -> RunResults {
    let scenarios = rules
        .iter()
        .map(|r| {
            let status = match r.verdict {
                Verdict::Pass => ScenarioStatus::Passed,
                Verdict::Fail => ScenarioStatus::Failed {
                    message: format!("{} (evidence: journal seq {:?})", r.note, r.evidence),
                },
                Verdict::NotApplicable => ScenarioStatus::Skipped {
                    reason: format!("not applicable: {}", r.note),
                },
                _ => ScenarioStatus::Skipped {
                    reason: format!("inconclusive: {}", r.note),
                },
            };
            ScenarioResult {
                protocol: r.protocol.clone(),
                feature: "grading".to_owned(),
                feature_name: format!("{} client grading", r.protocol),
                name: format!("{} {}", r.id, r.requirement),
                tags: vec!["client".to_owned(), r.id.clone()],
                requirements: vec![r.id.clone()],
                status,
                duration_ms: 0,
                steps: vec![StepResult {
                    keyword: "Then".to_owned(),
                    text: format!("evidence: {:?}", r.evidence),
                    status: match r.verdict {
                        Verdict::Pass => "passed",
                        Verdict::Fail => "failed",
                        _ => "skipped",
                    }
                    .to_owned(),
                }],
            }
        })
        .collect();
    RunResults {
        target: TargetInfo::Remote {
            url: url.to_owned(),
            protocols: protocols.to_vec(),
            control: true,
        },
        seed,
        direction: "client".to_owned(),
        protocols: protocols.to_vec(),
        extensions: Vec::new(),
        scenarios,
        started_at,
        duration_ms,
    }
}

/// Grades `entries`, writes the reports into `dir`, prints a tally; exit 1 if a rule failed.
pub(crate) fn grade_and_report(
    entries: &[JournalEntry],
    protocols: &[String],
    seed: u64,
    url: &str,
    dir: &Path,
    catalogues: &[Catalogue<'static>],
    say: impl Fn(String),
) -> Result<Exit, CliError> {
    let end = grading::journal_end(entries).unwrap_or_default();
    let names: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let rules = grading::grade(entries, &names, end);
    let started = entries.first().map(|e| e.at.clone()).unwrap_or_default();
    let span = entries
        .first()
        .and_then(|e| payrig_core::Timestamp::parse_rfc3339(&e.at))
        .map(|t| end.since(t).as_millis())
        .unwrap_or(0);
    let results = as_results(&rules, protocols, seed, url, started, span);
    let mut summary = report::summarize(&results, catalogues);
    summary.commit = crate::COMMIT.to_owned();
    summary.rules = rules
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect();
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::setup(anyhow!("--out {}: {e}", dir.display())))?;
    report::write_summary(dir, &summary).map_err(CliError::internal)?;
    report::write_junit(dir, &results, &summary).map_err(CliError::internal)?;
    report::write_html(dir, &summary, &results)
        .map_err(|e| CliError::internal(anyhow!("report.html: {e}")))?;
    let journal = dir.join("journal.ndjson");
    let mut text = String::new();
    for e in entries {
        if let Ok(line) = serde_json::to_string(e) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    std::fs::write(&journal, text)
        .map_err(|e| CliError::internal(anyhow!("{}: {e}", journal.display())))?;
    let count = |v: Verdict| rules.iter().filter(|r| r.verdict == v).count();
    say(format!(
        "client grading: {} rules: {} pass, {} fail, {} not applicable, {} inconclusive",
        rules.len(),
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::NotApplicable),
        count(Verdict::Inconclusive)
    ));
    for r in rules.iter().filter(|r| r.verdict == Verdict::Fail) {
        say(format!(
            "  FAIL {}: {} (journal seq {:?})",
            r.id, r.note, r.evidence
        ));
    }
    say(format!(
        "index {} score {}  (client direction)",
        summary.index.percent(),
        summary.score.percent()
    ));
    say(format!("report: {}", dir.display()));
    say(report::CAVEAT.to_owned());
    Ok(if count(Verdict::Fail) > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

/// Parses `--duration` (`90s`, `5m`, `1h`).
pub(crate) fn parse_duration(text: &str) -> Result<StdDuration, CliError> {
    payrig_core::Duration::parse(text)
        .map(|d| StdDuration::from_millis(d.as_millis()))
        .map_err(|e| CliError::usage(anyhow!("--duration: {e}")))
}

/// The absolute report directory.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// `payrig certify client`.
pub(crate) async fn run(
    a: crate::args::CertifyClientArgs,
    out: crate::args::Output,
) -> Result<Exit, CliError> {
    if a.plan != "observe" {
        crate::args::not_implemented(&format!(
            "--plan {} (scripted client plans with drivers; use --plan observe)",
            a.plan
        ));
    }
    let protocols = crate::args::resolve_protocols(&a.protocol);
    let duration = parse_duration(&a.duration)?;
    let serve = crate::args::ServeArgs {
        protocols: a.protocol.clone(),
        listen: a.listen,
        scenario: a.scenario.clone(),
        seed: a.seed,
        clock: a.clock,
        control: true,
        no_control: false,
        control_token: None,
        journal: a.journal.clone(),
        // Grading reads the whole session: nothing may be dropped from memory.
        journal_capacity: 0,
    };
    let cfg = crate::serve::server_config(&serve)?;
    let server = payrig_server::start_with_journal(cfg, a.journal.as_deref())
        .await
        .map_err(CliError::setup)?;
    let url = server.base_url();
    out.say(format!(
        "payrig grading {} clients at {url} for {:?} (Ctrl-C ends early); plan observe",
        protocols.join(", "),
        duration
    ));
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = tokio::signal::ctrl_c() => { out.say("interrupted: grading what was recorded"); }
    }
    let entries = server.journal_snapshot();
    server.shutdown().await;
    let catalogues: Vec<Catalogue<'static>> = protocols
        .iter()
        .filter_map(|p| crate::certify::catalogue(p))
        .collect();
    grade_and_report(
        &entries,
        &protocols,
        a.seed,
        &url,
        &absolute(&a.out),
        &catalogues,
        |l| out.say(l),
    )
}

/// `payrig report DIR` or `payrig report --journal FILE`.
pub(crate) fn report(
    a: crate::args::ReportArgs,
    out: crate::args::Output,
) -> Result<Exit, CliError> {
    if let Some(db) = &a.journal {
        let entries =
            payrig_server::journal::read_sqlite(&db.to_string_lossy()).map_err(CliError::usage)?;
        let mut protocols = crate::args::resolve_protocols(&a.protocol);
        if a.protocol.is_empty() {
            protocols = ["ationet", "tecs"]
                .iter()
                .filter(|p| entries.iter().any(|e| e.protocol.as_deref() == Some(**p)))
                .map(|p| (*p).to_owned())
                .collect();
        }
        let catalogues: Vec<Catalogue<'static>> = protocols
            .iter()
            .filter_map(|p| crate::certify::catalogue(p))
            .collect();
        let dir = absolute(a.out.as_deref().unwrap_or(Path::new("payrig-report")));
        return grade_and_report(
            &entries,
            &protocols,
            0,
            &db.display().to_string(),
            &dir,
            &catalogues,
            |l| out.say(l),
        );
    }
    let Some(src) = &a.dir else {
        return Err(CliError::usage(anyhow!("give a run DIR or --journal FILE")));
    };
    let text = std::fs::read(src.join("results.json")).map_err(|e| {
        CliError::usage(anyhow!(
            "{}: {e} (only runs written by this payrig keep results.json)",
            src.join("results.json").display()
        ))
    })?;
    let results: RunResults =
        serde_json::from_slice(&text).map_err(|e| CliError::usage(anyhow!("results.json: {e}")))?;
    let catalogues: Vec<Catalogue<'static>> = results
        .protocols
        .iter()
        .filter_map(|p| crate::certify::catalogue(p))
        .collect();
    let mut summary = report::summarize(&results, &catalogues);
    summary.commit = crate::COMMIT.to_owned();
    let dir = absolute(a.out.as_deref().unwrap_or(src));
    report::write_summary(&dir, &summary).map_err(CliError::internal)?;
    report::write_junit(&dir, &results, &summary).map_err(CliError::internal)?;
    report::write_html(&dir, &summary, &results)
        .map_err(|e| CliError::internal(anyhow!("report.html: {e}")))?;
    out.say(format!(
        "re-rendered {} scenarios: index {} score {} -> {}",
        results.scenarios.len(),
        summary.index.percent(),
        summary.score.percent(),
        dir.display()
    ));
    Ok(if summary.requirements.failed > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

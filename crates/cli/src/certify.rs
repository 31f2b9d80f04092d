//! `payrig certify server`: run the feature suite against a server, write `summary.json` and
//! `junit.xml`, print a short summary and pick the exit code (conformance spec, sections 6-8).

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use payrig_conformance::report::{self, Catalogue, Summary, CAVEAT};
use payrig_conformance::results::{RunResults, ScenarioStatus};
use payrig_conformance::runner::{self, RunOptions};
use payrig_conformance::target::{TargetError, TargetSpec};

use crate::args::{self, resolve_protocols, CertifyServerArgs, Output};
use crate::exit::{CliError, Exit};
use crate::features;

/// The requirement catalogue of an implemented protocol.
pub(crate) fn catalogue(protocol: &str) -> Option<Catalogue<'static>> {
    match protocol {
        "ationet" => Some(Catalogue {
            protocol: "ationet",
            requirements: payrig_ationet::requirements::CATALOGUE,
            extension: Some("prompting"),
        }),
        "tecs" => Some(Catalogue {
            protocol: "tecs",
            requirements: payrig_tecs::requirements::CATALOGUE,
            extension: None,
        }),
        _ => None,
    }
}

/// Which report files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Formats {
    /// summary.json.
    pub(crate) json: bool,
    /// junit.xml.
    pub(crate) junit: bool,
    /// messages.ndjson (Cucumber Messages).
    pub(crate) ndjson: bool,
    /// report.html.
    pub(crate) html: bool,
}

/// Parses `--format` (default: all four).
pub(crate) fn formats(given: &[String]) -> Formats {
    if given.is_empty() {
        return Formats {
            json: true,
            junit: true,
            ndjson: true,
            html: true,
        };
    }
    let mut f = Formats {
        json: false,
        junit: false,
        ndjson: false,
        html: false,
    };
    for name in given {
        match name.trim() {
            "json" => f.json = true,
            "junit" => f.junit = true,
            "ndjson" => f.ndjson = true,
            "html" => f.html = true,
            other => args::usage_error(&format!(
                "--format: unknown format `{other}` (json, junit, ndjson, html)"
            )),
        }
    }
    f
}

/// Progress on stderr: a bar on a terminal, one plain line per scenario otherwise.
fn progress(root: &Path, protocols: &[String], out: Output) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if out.quiet {
        return None;
    }
    if !std::io::stderr().is_terminal() {
        runner::set_progress(Some(Box::new(|r| {
            let word = match &r.status {
                payrig_conformance::results::ScenarioStatus::Passed => "ok  ",
                payrig_conformance::results::ScenarioStatus::Failed { .. } => "FAIL",
                _ => "skip",
            };
            eprintln!("{word} {}/{}: {}", r.protocol, r.feature, r.name);
        })));
        return None;
    }
    let total: u64 = protocols
        .iter()
        .filter_map(|p| runner::lint_features(&root.join(p)).ok())
        .map(|fs| fs.iter().map(|f| f.scenarios.len() as u64).sum::<u64>())
        .sum();
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let b = bar.clone();
    runner::set_progress(Some(Box::new(move |r| {
        b.inc(1);
        b.set_message(format!("{}/{}: {}", r.protocol, r.feature, r.name));
    })));
    Some(bar)
}

/// `embedded` or a URL.
pub(crate) fn target_spec(a: &CertifyServerArgs) -> Result<TargetSpec, CliError> {
    let t = a.target.trim();
    if t.eq_ignore_ascii_case("embedded") {
        if a.control_url.is_some() {
            return Err(CliError::usage(anyhow!(
                "--control-url needs a remote --target URL"
            )));
        }
        return Ok(TargetSpec::Embedded);
    }
    let check = |u: &str, flag: &str| -> Result<String, CliError> {
        let lower = u.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://"))
            || u.len() <= "http://".len()
        {
            return Err(CliError::usage(anyhow!(
                "{flag} `{u}`: expected `embedded` or an http(s):// URL"
            )));
        }
        Ok(u.trim_end_matches('/').to_owned())
    };
    Ok(TargetSpec::Remote {
        base_url: check(t, "--target")?,
        control_url: a
            .control_url
            .as_deref()
            .map(|u| check(u.trim(), "--control-url"))
            .transpose()?,
    })
}

/// Maps a runner error to its exit status: lint and configuration 2, target 3, else 5.
fn classify(e: anyhow::Error) -> CliError {
    if e.chain().any(|c| c.downcast_ref::<TargetError>().is_some()) {
        return CliError::setup(e);
    }
    if e.chain()
        .any(|c| c.downcast_ref::<runner::LintError>().is_some())
    {
        return CliError::usage(e);
    }
    CliError::internal(e)
}

/// Joins the results of one run per protocol.
fn merge(mut runs: Vec<RunResults>) -> Option<RunResults> {
    let mut first = if runs.is_empty() {
        return None;
    } else {
        runs.remove(0)
    };
    for r in runs {
        for p in r.protocols {
            if !first.protocols.contains(&p) {
                first.protocols.push(p);
            }
        }
        for x in r.extensions {
            if !first.extensions.contains(&x) {
                first.extensions.push(x);
            }
        }
        first.scenarios.extend(r.scenarios);
        first.duration_ms += r.duration_ms;
        first.target = match (first.target, r.target) {
            (
                payrig_conformance::results::TargetInfo::Embedded { mut protocols },
                payrig_conformance::results::TargetInfo::Embedded { protocols: more },
            ) => {
                protocols.extend(more);
                payrig_conformance::results::TargetInfo::Embedded { protocols }
            }
            (
                payrig_conformance::results::TargetInfo::Remote {
                    url,
                    mut protocols,
                    control,
                },
                payrig_conformance::results::TargetInfo::Remote {
                    protocols: more,
                    control: c2,
                    ..
                },
            ) => {
                for p in more {
                    if !protocols.contains(&p) {
                        protocols.push(p);
                    }
                }
                payrig_conformance::results::TargetInfo::Remote {
                    url,
                    protocols,
                    control: control && c2,
                }
            }
            (t, _) => t,
        };
    }
    Some(first)
}

/// The exit status of a finished run (gates included) and the gate messages.
pub(crate) fn verdict(a: &CertifyServerArgs, s: &Summary) -> (Exit, Vec<String>) {
    let mut exits = vec![Exit::Ok];
    let mut notes = Vec::new();
    if s.scenarios.failed > 0 {
        exits.push(Exit::Failed);
    }
    if let Some(g) = a.min_index {
        if !g.met_by(s.index) {
            exits.push(Exit::Gate);
            notes.push(format!(
                "gate missed: conformance index {} is below --min-index {}",
                s.index.percent(),
                g.percent()
            ));
        }
    }
    if let Some(g) = a.min_score {
        if !g.met_by(s.score) {
            exits.push(Exit::Gate);
            notes.push(format!(
                "gate missed: conformance score {} is below --min-score {}",
                s.score.percent(),
                g.percent()
            ));
        }
    }
    if a.fail_on_skip && s.scenarios.skipped > 0 {
        exits.push(Exit::Gate);
        notes.push(format!(
            "gate missed: {} scenario(s) skipped and --fail-on-skip is set",
            s.scenarios.skipped
        ));
    }
    (Exit::worst(exits), notes)
}

/// The printed summary.
pub(crate) fn render(
    results: &RunResults,
    s: &Summary,
    out_dir: &Path,
    files: &[&str],
    notes: &[String],
) -> String {
    let target = match &s.target {
        payrig_conformance::results::TargetInfo::Embedded { .. } => {
            "embedded reference server".to_owned()
        }
        payrig_conformance::results::TargetInfo::Remote { url, control, .. } => {
            format!(
                "{url}{}",
                if *control {
                    " (payrig control API)"
                } else {
                    ""
                }
            )
        }
    };
    let mut t = String::new();
    t.push_str(&format!(
        "payrig certify server: {} against {target}, seed {}\n",
        s.protocols.join(", "),
        s.seed
    ));
    t.push_str(&format!(
        "  scenarios  {} passed, {} failed, {} skipped ({} in {:.1} s)\n",
        s.scenarios.passed,
        s.scenarios.failed,
        s.scenarios.skipped,
        s.scenarios.total,
        s.duration_ms as f64 / 1000.0
    ));
    for (p, ps) in &s.by_protocol {
        t.push_str(&format!(
            "  {p:<10} conformance index {} ({}), score {} ({})\n",
            ps.index.percent(),
            ps.index,
            ps.score.percent(),
            ps.score
        ));
    }
    let failed: Vec<_> = results
        .scenarios
        .iter()
        .filter_map(|sc| match &sc.status {
            ScenarioStatus::Failed { message } => Some((sc, message)),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        t.push_str("  failed:\n");
        for (sc, message) in failed.iter().take(20) {
            let first = message.lines().next().unwrap_or_default();
            t.push_str(&format!(
                "    {}.{}: {} [{}]\n      {first}\n",
                sc.protocol,
                sc.feature,
                sc.name,
                sc.requirements.join(", ")
            ));
        }
        if failed.len() > 20 {
            t.push_str(&format!(
                "    ... and {} more (see junit.xml)\n",
                failed.len() - 20
            ));
        }
    }
    for n in notes {
        t.push_str(&format!("  {n}\n"));
    }
    t.push_str(&format!(
        "  report     {} ({})\n",
        out_dir.display(),
        files.join(", ")
    ));
    t.push('\n');
    t.push_str(&wrap(CAVEAT, 96));
    t
}

/// Wraps `text` at word boundaries to lines of at most `width` characters (longer words stay
/// whole).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if line_len > 0 && line_len + 1 + n > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += n;
    }
    out
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Runs `payrig certify server`.
pub(crate) async fn run_server(a: CertifyServerArgs, out: Output) -> Result<Exit, CliError> {
    let protocols = resolve_protocols(&a.protocol);
    let formats = formats(&a.format);
    let target = target_spec(&a)?;
    let root = features::resolve(a.features.as_deref(), &protocols).map_err(CliError::usage)?;
    tracing::info!(path = %root.path.display(), origin = root.origin, "feature files");
    let concurrency = a.concurrency.map(|c| c as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });

    let bar = progress(&root.path, &protocols, out);
    let mut runs = Vec::new();
    for p in &protocols {
        let opts = RunOptions {
            protocol: p.clone(),
            target: target.clone(),
            features_dir: root.path.clone(),
            tags: a.tags.clone(),
            seed: a.seed,
            concurrency,
        };
        let run = tokio::select! {
            r = runner::run_features(opts) => r,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted: no report written (results are collected at the end of a run)");
                return Ok(Exit::Interrupted);
            }
        };
        runs.push(run.map_err(classify)?);
    }
    runner::set_progress(None);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let results = merge(runs).ok_or_else(|| CliError::usage(anyhow!("no protocol selected")))?;

    let catalogues: Vec<Catalogue<'static>> =
        protocols.iter().filter_map(|p| catalogue(p)).collect();
    let mut summary = report::summarize(&results, &catalogues);
    summary.commit = crate::COMMIT.to_owned();

    let dir = absolute(&a.out);
    let mut files = Vec::new();
    if formats.json {
        report::write_summary(&dir, &summary).map_err(CliError::internal)?;
        files.push(report::SUMMARY_FILE);
    }
    if formats.junit {
        let w = report::write_junit(&dir, &results, &summary).map_err(CliError::internal)?;
        for warning in w.warnings {
            tracing::warn!("{warning}");
        }
        files.push(report::JUNIT_FILE);
    }
    // results.json lets `payrig report DIR` re-render every format later.
    if let Ok(text) = serde_json::to_vec_pretty(&results) {
        let _ = std::fs::create_dir_all(&dir);
        std::fs::write(dir.join("results.json"), text).map_err(|e| {
            CliError::internal(anyhow!("{}: {e}", dir.join("results.json").display()))
        })?;
    }
    if formats.ndjson {
        let sources = crate::features::sources(&root.path, &protocols);
        report::write_messages(&dir, &results, &sources)
            .map_err(|e| CliError::internal(anyhow!("messages.ndjson: {e}")))?;
        files.push(report::MESSAGES_FILE);
    }
    if formats.html {
        report::write_html(&dir, &summary, &results)
            .map_err(|e| CliError::internal(anyhow!("report.html: {e}")))?;
        files.push(report::HTML_FILE);
    }
    let (exit, notes) = verdict(&a, &summary);
    out.say(render(&results, &summary, &dir, &files, &notes));
    Ok(exit)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use clap::Parser;

    use super::*;
    use crate::args::{CertifyArgs, CertifyCommand, Cli, Command};

    fn certify_args(argv: &[&str]) -> CertifyServerArgs {
        let mut v = vec!["payrig", "certify", "server", "--protocol", "ationet"];
        v.extend_from_slice(argv);
        match Cli::try_parse_from(v).unwrap().command {
            Command::Certify(CertifyArgs {
                command: CertifyCommand::Server(a),
            }) => *a,
            _ => panic!("not certify server"),
        }
    }

    #[test]
    fn targets() {
        assert_eq!(
            target_spec(&certify_args(&[])).unwrap(),
            TargetSpec::Embedded
        );
        assert_eq!(
            target_spec(&certify_args(&["--target", "http://127.0.0.1:1/"])).unwrap(),
            TargetSpec::Remote {
                base_url: "http://127.0.0.1:1".to_owned(),
                control_url: None
            }
        );
        let e = target_spec(&certify_args(&["--target", "ftp://x"])).unwrap_err();
        assert_eq!(e.exit, Exit::Usage);
        let e = target_spec(&certify_args(&["--control-url", "http://x"])).unwrap_err();
        assert_eq!(e.exit, Exit::Usage);
    }

    #[test]
    fn the_catalogues_are_known_for_ationet_and_tecs() {
        let c = catalogue("ationet").unwrap();
        assert!(c.requirements.iter().any(|r| r.id == "ATN-S-001"));
        let t = catalogue("tecs").unwrap();
        assert!(t.requirements.iter().any(|r| r.id == "TEC-S-022"));
        assert!(catalogue("mobitef").is_none());
    }

    #[test]
    fn the_caveat_wraps_without_losing_words() {
        let w = wrap(CAVEAT, 96);
        assert!(w.lines().all(|l| l.chars().count() <= 96));
        assert_eq!(
            w.split_whitespace().collect::<Vec<_>>(),
            CAVEAT.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn formats_default_to_json_and_junit() {
        assert_eq!(
            formats(&[]),
            Formats {
                json: true,
                junit: true,
                ndjson: true,
                html: true,
            }
        );
        assert_eq!(
            formats(&["junit".to_owned()]),
            Formats {
                json: false,
                junit: true,
                ndjson: false,
                html: false,
            }
        );
    }
}

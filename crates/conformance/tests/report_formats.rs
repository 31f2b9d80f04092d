//! `messages.ndjson` and `report.html` from a real run: a small ATIONet subset against the
//! embedded reference server, plus a doctored copy of it with a failure, a skip and a result
//! whose feature file is missing. Structural facts are asserted here; when `node` is on PATH,
//! `scripts/check-reports.sh` validates both directories with the official Cucumber tooling
//! (and with headless Chromium when it is installed). Set `PAYRIG_REPORT_OUT=DIR` to keep the
//! rendered files, `PAYRIG_REPORT_TAGS=EXPR` to run another subset (`@server`: all).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use payrig_conformance::report::{self, Catalogue, Summary, CAVEAT};
use payrig_conformance::results::{
    RunResults, ScenarioResult, ScenarioStatus, StepResult, TargetInfo,
};
use payrig_conformance::runner::{lint_features, run_features, RunOptions};
use payrig_conformance::target::TargetSpec;
use serde_json::Value;

const TAGS: &str = "@ATN-S-009 or @ATN-S-014 or @ATN-S-015";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `features/<protocol>/*.feature` as `("<protocol>/<file>", text)`, as the CLI embeds them.
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(workspace().join("features")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let protocol = dir.file_name().unwrap().to_string_lossy().into_owned();
        for p in std::fs::read_dir(&dir).unwrap() {
            let p = p.unwrap().path();
            if p.extension().is_some_and(|x| x == "feature") {
                let uri = format!("{protocol}/{}", p.file_name().unwrap().to_string_lossy());
                out.push((uri, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn catalogue() -> Vec<Catalogue<'static>> {
    vec![Catalogue {
        protocol: "ationet",
        requirements: payrig_ationet::requirements::CATALOGUE,
        extension: Some("prompting"),
    }]
}

fn run() -> RunResults {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run_features(RunOptions {
        protocol: "ationet".into(),
        target: TargetSpec::Embedded,
        features_dir: workspace().join("features"),
        tags: Some(std::env::var("PAYRIG_REPORT_TAGS").unwrap_or_else(|_| TAGS.to_owned())),
        seed: 42,
        concurrency: 2,
    }))
    .unwrap()
}

/// Writes the four files the run produces into `dir`.
fn render(dir: &Path, results: &RunResults) -> Summary {
    let mut summary = report::summarize(results, &catalogue());
    summary.commit = "test".to_owned();
    report::write_summary(dir, &summary).unwrap();
    report::write_messages(dir, results, &sources()).unwrap();
    report::write_html(dir, &summary, results).unwrap();
    summary
}

fn envelopes(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(report::MESSAGES_FILE)).unwrap();
    assert!(text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("every line is JSON"))
        .collect()
}

fn kind(e: &Value) -> &str {
    let obj = e.as_object().unwrap();
    assert_eq!(obj.len(), 1, "one message per envelope: {e}");
    obj.keys().next().unwrap()
}

fn check_ndjson(dir: &Path, results: &RunResults) -> Vec<Value> {
    let env = envelopes(dir);
    assert_eq!(kind(&env[0]), "meta");
    assert_eq!(
        env[0]["meta"]["protocolVersion"],
        report::ndjson::PROTOCOL_VERSION
    );
    assert_eq!(kind(env.last().unwrap()), "testRunFinished");
    let of =
        |k: &str| -> Vec<&Value> { env.iter().filter(|e| kind(e) == k).map(|e| &e[k]).collect() };
    let pickles = of("pickle");
    assert_eq!(pickles.len(), results.scenarios.len());
    assert_eq!(of("testCase").len(), results.scenarios.len());
    assert_eq!(of("testCaseStarted").len(), results.scenarios.len());
    assert_eq!(of("testCaseFinished").len(), results.scenarios.len());
    // requirement tags stay pickle tags
    for s in &results.scenarios {
        let p = pickles
            .iter()
            .find(|p| p["name"] == s.name.as_str())
            .unwrap_or_else(|| panic!("no pickle named {}", s.name));
        let tags: Vec<&str> = p["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for r in &s.requirements {
            assert!(
                tags.contains(&format!("@{r}").as_str()),
                "{} lacks @{r}",
                s.name
            );
        }
    }
    // ids are unique counters
    let mut ids: Vec<u64> = Vec::new();
    for k in ["pickle", "testCase", "testCaseStarted", "stepDefinition"] {
        for m in of(k) {
            ids.push(m["id"].as_str().unwrap().parse().unwrap());
        }
    }
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "ids repeat");
    let failed = results
        .scenarios
        .iter()
        .any(|s| matches!(s.status, ScenarioStatus::Failed { .. }));
    assert_eq!(of("testRunFinished")[0]["success"], !failed);
    env
}

fn check_html(dir: &Path, summary: &Summary) -> String {
    let html = std::fs::read_to_string(dir.join(report::HTML_FILE)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // the caveat verbatim (it holds an apostrophe, which is escaped)
    assert!(
        html.contains(&CAVEAT.replace('\'', "&#39;")),
        "caveat missing"
    );
    assert!(html.contains("id=\"coverage-matrix\""));
    for row in &summary.coverage {
        assert!(
            html.contains(&format!("<tr id=\"req-{}\"", row.id)),
            "no matrix row for {}",
            row.id
        );
    }
    let rows = html.matches("<tr id=\"req-").count();
    assert_eq!(rows, summary.coverage.len());
    // self-contained: no fetches
    for bad in ["src=\"http", "href=\"http", "<link ", "@import", "url(http"] {
        assert!(!html.contains(bad), "external reference `{bad}`");
    }
    for p in summary.by_protocol.values() {
        assert!(html.contains(&p.index.percent()));
        assert!(html.contains(&p.score.percent()));
    }
    html
}

fn on_path(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// The two tests may both reach `npm ci` on a fresh checkout: one at a time.
static CHECK_LOCK: Mutex<()> = Mutex::new(());

fn official_check(dir: &Path) {
    let _one_at_a_time = CHECK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if on_path("node").is_none() {
        println!(
            "SKIP official validation of {}: node is not on PATH",
            dir.display()
        );
        return;
    }
    let browser = Path::new("/usr/bin/chromium").exists();
    let mut cmd = Command::new("bash");
    cmd.arg(workspace().join("scripts/check-reports.sh"))
        .arg(dir);
    if !browser {
        println!(
            "(chromium absent: PAYRIG_SKIP_BROWSER=1 for {})",
            dir.display()
        );
        cmd.env("PAYRIG_SKIP_BROWSER", "1");
    }
    let out = cmd.output().unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "scripts/check-reports.sh {} failed",
        dir.display()
    );
}

fn out_dir(name: &str, tmp: &Path) -> PathBuf {
    match std::env::var_os("PAYRIG_REPORT_OUT") {
        Some(d) => PathBuf::from(d).join(name),
        None => tmp.join(name),
    }
}

#[test]
fn a_real_run_and_a_doctored_one_render_valid_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let results = run();
    assert!(results.scenarios.len() >= 5, "subset too small");
    let outline_rows = results
        .scenarios
        .iter()
        .filter(|s| s.name.ends_with(']'))
        .count();
    assert!(outline_rows > 0, "the subset should hold outline rows");

    // 1. as run
    let real = out_dir("real", tmp.path());
    let summary = render(&real, &results);
    check_ndjson(&real, &results);
    check_html(&real, &summary);

    // the same inputs give the same stream (timestamps come from the results)
    let again = tmp.path().join("again");
    report::write_messages(&again, &results, &sources()).unwrap();
    assert_eq!(
        std::fs::read(real.join(report::MESSAGES_FILE)).unwrap(),
        std::fs::read(again.join(report::MESSAGES_FILE)).unwrap()
    );

    // 2. doctored: one failure mid-scenario, one skip, one result without a feature file
    let mut bad = results.clone();
    let s = &mut bad.scenarios[0];
    let failing = s.steps.len().clamp(1, 2) - 1;
    s.steps.truncate(failing + 1);
    s.steps[failing].status = "failed".to_owned();
    s.status = ScenarioStatus::Failed {
        message: format!(
            "step `{}` failed: expected <200>, got 500 & \"x\"",
            s.steps[failing].text
        ),
    };
    let s = &mut bad.scenarios[1];
    s.steps.clear();
    s.status = ScenarioStatus::Skipped {
        reason: "target lacks control API".to_owned(),
    };
    let mut ghost = bad.scenarios[2].clone();
    ghost.feature = "removed_feature".to_owned();
    ghost.feature_name = "A feature <not> on disk".to_owned();
    ghost.name = "A ghost & its steps".to_owned();
    ghost.steps.push(StepResult {
        keyword: "Then".to_owned(),
        text: "nothing <script>alert(1)</script> happens".to_owned(),
        status: "skipped".to_owned(),
    });
    ghost.status = ScenarioStatus::Failed {
        message: "step `nothing` matches no step definition".to_owned(),
    };
    bad.scenarios.push(ghost);
    let doctored = out_dir("doctored", tmp.path());
    std::fs::create_dir_all(doctored.join("journal")).unwrap();
    let slug = report::ndjson::scenario_slug(&bad.scenarios[0].name);
    std::fs::write(
        doctored.join("journal").join(format!("{slug}.ndjson")),
        "{\"seq\":1,\"dir\":\"in\"}\n{\"seq\":2,\"dir\":\"out\"}\n",
    )
    .unwrap();
    let summary = render(&doctored, &bad);
    let env = check_ndjson(&doctored, &bad);
    let attachments: Vec<&Value> = env
        .iter()
        .filter(|e| kind(e) == "attachment")
        .map(|e| &e["attachment"])
        .collect();
    assert!(attachments
        .iter()
        .any(|a| a["mediaType"] == report::ndjson::JOURNAL_MEDIA_TYPE));
    assert!(attachments.iter().any(|a| a["mediaType"] == "text/plain"));
    let statuses: Vec<&str> = env
        .iter()
        .filter(|e| kind(e) == "testStepFinished")
        .map(|e| {
            e["testStepFinished"]["testStepResult"]["status"]
                .as_str()
                .unwrap()
        })
        .collect();
    for st in ["PASSED", "FAILED", "SKIPPED", "UNDEFINED"] {
        assert!(statuses.contains(&st), "no {st} step");
    }
    let html = check_html(&doctored, &summary);
    assert!(html.contains("id=\"failures\""));
    assert!(!html.contains("<script>alert(1)"), "unescaped text");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("class=\"verdict fail\""));

    official_check(&real);
    official_check(&doctored);
}

/// Every scenario of every feature file of every protocol folder that lints (not run: all
/// skipped), so that each file's gherkinDocument and pickles are compared with the official
/// parser and compiler.
#[test]
fn every_feature_file_streams_as_the_official_parser_reads_it() {
    let mut features = Vec::new();
    let mut protocols = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workspace().join("features"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        match lint_features(&dir) {
            Ok(f) if !f.is_empty() => {
                protocols.push(f[0].protocol.clone());
                features.extend(f);
            }
            Ok(_) => {}
            Err(e) => println!("SKIP {}: does not lint: {e}", dir.display()),
        }
    }
    assert!(protocols.iter().any(|p| p == "ationet"));
    let scenarios: Vec<ScenarioResult> = features
        .iter()
        .flat_map(|f| {
            f.scenarios.iter().map(|s| ScenarioResult {
                protocol: f.protocol.clone(),
                feature: f.stem.clone(),
                feature_name: f.name.clone(),
                name: s.name.clone(),
                tags: s.tags.clone(),
                requirements: s.requirements.clone(),
                status: ScenarioStatus::Skipped {
                    reason: "not run".to_owned(),
                },
                duration_ms: 0,
                steps: Vec::new(),
            })
        })
        .collect();
    let total = scenarios.len();
    let results = RunResults {
        target: TargetInfo::Embedded {
            protocols: protocols.clone(),
        },
        seed: 1,
        direction: "server".to_owned(),
        protocols,
        extensions: vec!["prompting".to_owned()],
        scenarios,
        started_at: "2026-01-15T09:00:00Z".to_owned(),
        duration_ms: 0,
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = out_dir("all-features", tmp.path());
    render(&dir, &results);
    let env = check_ndjson(&dir, &results);
    let sources = env.iter().filter(|e| kind(e) == "source").count();
    assert_eq!(sources, features.len(), "one source per feature file");
    assert!(total > 50);
    official_check(&dir);
}

//! Runs every TECS feature against the embedded reference server and checks the coverage
//! bars: every TEC-S-001..022 requirement tagged by a passing scenario, and every response
//! code and message kind of the bar (tecs_world::coverage_bar) produced by a passing scenario,
//! gathered from the requests sent and the answers received during the run, not from the
//! feature text.
//!
//! `harness = false`: prints one line per scenario and ends with `N passed, M failed`; exits 1
//! on any failure or missed bar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use payrig_conformance::results::ScenarioStatus;
use payrig_conformance::runner::{run_features_with_facts, RunOptions};
use payrig_conformance::target::TargetSpec;
use payrig_conformance::tecs_world::coverage_bar;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../features");
    let tags = std::env::var("PAYRIG_TAGS").ok();
    let filtered = tags.is_some();
    let opts = RunOptions {
        protocol: "tecs".to_owned(),
        target: TargetSpec::Embedded,
        features_dir: root,
        tags,
        seed: 42,
        concurrency: 2,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let out = match rt.block_on(run_features_with_facts(opts)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("run failed: {e:#}");
            std::process::exit(2);
        }
    };
    let mut passed = 0;
    let mut failed = 0;
    let mut skipped = 0;
    let mut covered = BTreeSet::new();
    let mut codes = BTreeSet::new();
    let mut messages = BTreeSet::new();
    for s in &out.results.scenarios {
        let label = format!("{}/{}", s.feature, s.name);
        match &s.status {
            ScenarioStatus::Passed => {
                passed += 1;
                println!("ok    {label} ({} ms)", s.duration_ms);
                covered.extend(s.requirements.iter().cloned());
                if let Some(f) = out.facts.get(&s.name) {
                    codes.extend(f.codes.iter().cloned());
                    messages.extend(f.messages.iter().cloned());
                }
            }
            ScenarioStatus::Failed { message } => {
                failed += 1;
                println!("FAIL  {label}\n      {}", message.replace('\n', "\n      "));
            }
            ScenarioStatus::Skipped { reason } => {
                skipped += 1;
                println!("skip  {label}: {reason}");
            }
        }
    }
    let mut bars_ok = true;
    if !filtered {
        let (want_codes, want_messages) = coverage_bar();
        let missing_reqs: Vec<String> = (1..=22)
            .map(|n| format!("TEC-S-{n:03}"))
            .filter(|r| !covered.contains(r))
            .collect();
        let missing_codes: Vec<&str> = want_codes
            .iter()
            .copied()
            .filter(|c| !codes.contains(*c))
            .collect();
        let missing_messages: Vec<&str> = want_messages
            .iter()
            .copied()
            .filter(|m| !messages.contains(*m))
            .collect();
        println!(
            "coverage: requirements {}/22, response codes {}/{}, message kinds {}/{}",
            22 - missing_reqs.len(),
            want_codes.len() - missing_codes.len(),
            want_codes.len(),
            want_messages.len() - missing_messages.len(),
            want_messages.len()
        );
        if !missing_reqs.is_empty() {
            println!("missed requirements (no passing scenario): {missing_reqs:?}");
            bars_ok = false;
        }
        if !missing_codes.is_empty() {
            println!("missed response codes: {missing_codes:?}");
            bars_ok = false;
        }
        if !missing_messages.is_empty() {
            println!("missed message kinds: {missing_messages:?}");
            bars_ok = false;
        }
    }
    if skipped > 0 {
        println!("{skipped} skipped");
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || !bars_ok {
        std::process::exit(1);
    }
}

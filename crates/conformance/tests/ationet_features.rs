//! Runs every ATIONet feature against the embedded reference server and checks the coverage
//! bars: every ATN-S-001..022 requirement tagged by a passing scenario, every state id reached
//! and every Cancel code produced by a passing scenario (facts gathered from the journal and
//! the answers during the run, not from the feature text).
//!
//! `harness = false`: prints one line per scenario and ends with `N passed, M failed`; exits 1
//! on any failure or missed bar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use payrig_conformance::results::ScenarioStatus;
use payrig_conformance::runner::{run_features_with_facts, RunOptions};
use payrig_conformance::target::TargetSpec;

const STATES: [u8; 23] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 24, 25, 27, 28,
];
const CANCEL_CODES: [&str; 11] = [
    "00000", "-10000", "04001", "02001", "04003", "04004", "04007", "04008", "04009", "04010",
    "04011",
];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../features");
    let tags = std::env::var("PAYRIG_TAGS").ok();
    let filtered = tags.is_some();
    let opts = RunOptions {
        protocol: "ationet".to_owned(),
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
    let mut covered_reqs = BTreeSet::new();
    let mut states = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for s in &out.results.scenarios {
        let label = format!("{}/{}", s.feature, s.name);
        match &s.status {
            ScenarioStatus::Passed => {
                passed += 1;
                println!("ok    {label} ({} ms)", s.duration_ms);
                covered_reqs.extend(s.requirements.iter().cloned());
                if let Some(f) = out.facts.get(&s.name) {
                    states.extend(f.states.iter().copied());
                    codes.extend(f.cancel_codes.iter().cloned());
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
        let missing_reqs: Vec<String> = (1..=22)
            .map(|n| format!("ATN-S-{n:03}"))
            .filter(|r| !covered_reqs.contains(r))
            .collect();
        let missing_states: Vec<u8> = STATES
            .iter()
            .copied()
            .filter(|s| !states.contains(s))
            .collect();
        let missing_codes: Vec<&str> = CANCEL_CODES
            .iter()
            .copied()
            .filter(|c| !codes.contains(*c))
            .collect();
        println!(
            "coverage: requirements {}/22, states {}/{}, cancel codes {}/{}",
            22 - missing_reqs.len(),
            STATES.len() - missing_states.len(),
            STATES.len(),
            CANCEL_CODES.len() - missing_codes.len(),
            CANCEL_CODES.len()
        );
        if !missing_reqs.is_empty() {
            println!("missed requirements (no passing scenario): {missing_reqs:?}");
            bars_ok = false;
        }
        if !missing_states.is_empty() {
            println!("missed states: {missing_states:?}");
            bars_ok = false;
        }
        if !missing_codes.is_empty() {
            println!("missed cancel codes: {missing_codes:?}");
            bars_ok = false;
        }
        println!("extensions: {:?}", out.results.extensions);
    }
    if skipped > 0 {
        println!("{skipped} skipped");
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || !bars_ok {
        std::process::exit(1);
    }
}

//! What the cucumber harness tests share: run one protocol's features on the embedded target,
//! print a line per scenario, gather the facts of passing scenarios, check coverage bars and
//! end with `N passed, M failed` (exit 1 on any failure or missed bar, 2 if the run fails).

use std::collections::BTreeSet;
use std::path::PathBuf;

use payrig_conformance::results::ScenarioStatus;
use payrig_conformance::runner::{run_features_with_facts, RunOptions};
use payrig_conformance::target::TargetSpec;
use payrig_conformance::world::ScenarioFacts;

/// Tallies of one run, with what its passing scenarios proved.
pub(crate) struct Tally {
    /// Scenarios passed.
    pub(crate) passed: usize,
    /// Scenarios failed.
    pub(crate) failed: usize,
    /// Scenarios skipped.
    pub(crate) skipped: usize,
    /// Requirement tags of passing scenarios.
    pub(crate) covered: BTreeSet<String>,
    /// The merged facts of passing scenarios.
    pub(crate) facts: ScenarioFacts,
    /// True when `PAYRIG_TAGS` narrowed the run (coverage bars are then not checked).
    pub(crate) filtered: bool,
    bars_ok: bool,
}

/// Runs every feature of `protocol` (or those `PAYRIG_TAGS` selects) and prints the scenarios.
pub(crate) fn run(protocol: &str) -> Tally {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../features");
    let tags = std::env::var("PAYRIG_TAGS").ok();
    let filtered = tags.is_some();
    let opts = RunOptions {
        protocol: protocol.to_owned(),
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
    let mut t = Tally {
        passed: 0,
        failed: 0,
        skipped: 0,
        covered: BTreeSet::new(),
        facts: ScenarioFacts::default(),
        filtered,
        bars_ok: true,
    };
    for s in &out.results.scenarios {
        let label = format!("{}/{}", s.feature, s.name);
        match &s.status {
            ScenarioStatus::Passed => {
                t.passed += 1;
                println!("ok    {label} ({} ms)", s.duration_ms);
                t.covered.extend(s.requirements.iter().cloned());
                if let Some(f) = out.facts.get(&s.name) {
                    t.facts.states.extend(f.states.iter().copied());
                    t.facts.cancel_codes.extend(f.cancel_codes.iter().cloned());
                    t.facts.codes.extend(f.codes.iter().cloned());
                    t.facts.messages.extend(f.messages.iter().cloned());
                }
            }
            ScenarioStatus::Failed { message } => {
                t.failed += 1;
                println!("FAIL  {label}\n      {}", message.replace('\n', "\n      "));
            }
            ScenarioStatus::Skipped { reason } => {
                t.skipped += 1;
                println!("skip  {label}: {reason}");
            }
        }
    }
    t
}

impl Tally {
    /// The `prefix-S-001..=n` requirements no passing scenario covered.
    pub(crate) fn missing_requirements(&self, prefix: &str, n: u32) -> Vec<String> {
        (1..=n)
            .map(|i| format!("{prefix}-S-{i:03}"))
            .filter(|r| !self.covered.contains(r))
            .collect()
    }

    /// Records a bar: prints what is missing and marks the run failed if anything is.
    pub(crate) fn bar<T: std::fmt::Debug>(&mut self, what: &str, missing: &[T]) {
        if !missing.is_empty() {
            println!("missed {what}: {missing:?}");
            self.bars_ok = false;
        }
    }

    /// Prints the closing line and exits 1 on any failure or missed bar.
    pub(crate) fn finish(self) {
        if self.skipped > 0 {
            println!("{} skipped", self.skipped);
        }
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed > 0 || !self.bars_ok {
            std::process::exit(1);
        }
    }
}

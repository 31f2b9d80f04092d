//! Runs every TECS feature against the embedded reference server and checks the coverage
//! bars: every TEC-S-001..022 requirement tagged by a passing scenario, and every response
//! code and message kind of the bar (tecs_world::coverage_bar) produced by a passing scenario,
//! gathered from the requests sent and the answers received during the run, not from the
//! feature text.
//!
//! `harness = false`: prints one line per scenario and ends with `N passed, M failed`; exits 1
//! on any failure or missed bar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use payrig_conformance::tecs_world::coverage_bar;

fn main() {
    let mut t = common::run("tecs");
    if !t.filtered {
        let (want_codes, want_messages) = coverage_bar();
        let missing_reqs = t.missing_requirements("TEC", 22);
        let missing_codes: Vec<&str> = want_codes
            .iter()
            .copied()
            .filter(|c| !t.facts.codes.contains(*c))
            .collect();
        let missing_messages: Vec<&str> = want_messages
            .iter()
            .copied()
            .filter(|m| !t.facts.messages.contains(*m))
            .collect();
        println!(
            "coverage: requirements {}/22, response codes {}/{}, message kinds {}/{}",
            22 - missing_reqs.len(),
            want_codes.len() - missing_codes.len(),
            want_codes.len(),
            want_messages.len() - missing_messages.len(),
            want_messages.len()
        );
        t.bar("requirements (no passing scenario)", &missing_reqs);
        t.bar("response codes", &missing_codes);
        t.bar("message kinds", &missing_messages);
    }
    t.finish();
}

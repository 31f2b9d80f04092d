//! Runs every ATIONet feature against the embedded reference server and checks the coverage
//! bars: every ATN-S-001..022 requirement tagged by a passing scenario, every state id reached
//! and every Cancel code produced by a passing scenario (facts gathered from the journal and
//! the answers during the run, not from the feature text).
//!
//! `harness = false`: prints one line per scenario and ends with `N passed, M failed`; exits 1
//! on any failure or missed bar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

const STATES: [u8; 23] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 24, 25, 27, 28,
];
const CANCEL_CODES: [&str; 11] = [
    "00000", "-10000", "04001", "02001", "04003", "04004", "04007", "04008", "04009", "04010",
    "04011",
];

fn main() {
    let mut t = common::run("ationet");
    if !t.filtered {
        let missing_reqs = t.missing_requirements("ATN", 22);
        let missing_states: Vec<u8> = STATES
            .iter()
            .copied()
            .filter(|s| !t.facts.states.contains(s))
            .collect();
        let missing_codes: Vec<&str> = CANCEL_CODES
            .iter()
            .copied()
            .filter(|c| !t.facts.cancel_codes.contains(*c))
            .collect();
        println!(
            "coverage: requirements {}/22, states {}/{}, cancel codes {}/{}",
            22 - missing_reqs.len(),
            STATES.len() - missing_states.len(),
            STATES.len(),
            CANCEL_CODES.len() - missing_codes.len(),
            CANCEL_CODES.len()
        );
        t.bar("requirements (no passing scenario)", &missing_reqs);
        t.bar("states", &missing_states);
        t.bar("cancel codes", &missing_codes);
    }
    t.finish();
}

//! Resident memory of live ATIONet transactions: builds an `AtionetWorld::without_trace` on the
//! default configuration (site 1524, pumps 1-4), creates N MobilePayments transactions with
//! distinct UUID-shaped keys at one instant and never advances the clock, so every one stays
//! live in its first, non-terminal state with its Reserve step scheduled. Prints VmRSS (from
//! `/proc/self/status`) before and after and the bytes per transaction.
//!
//! Usage: `atn-resident [N]` (default 1000000). Linux only (reads `/proc`).

use payrig_ationet::domain::CreateKind;
use payrig_ationet::wire::decode_create;
use payrig_core::Timestamp;
use payrig_world::ationet::{AtionetConfig, AtionetWorld};

/// The spec's MobilePayments sample (section 3.1), as in `fixtures/`.
const SAMPLE: &[u8] = include_bytes!("../../../../fixtures/ationet/mobile_payments.request.json");

/// 2026-01-15T09:00:00Z, the instant every world test and bench starts at.
const T0: Timestamp = Timestamp(1_768_467_600_000);

/// `VmRSS` of this process in bytes, or 0 where `/proc` is absent.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

/// Creates N live transactions and prints the resident memory they take.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 1_000_000,
    };
    let template = decode_create(CreateKind::MobilePayments, SAMPLE)
        .map_err(|e| format!("the fixture no longer decodes: {e:?}"))?;
    let mut world = AtionetWorld::without_trace(AtionetConfig::default(), 42, T0);
    let before = rss_bytes();
    let started = std::time::Instant::now();
    for i in 0..n {
        let mut req = template.clone();
        // Distinct keys, shaped like the UUIDs real clients send (36 characters).
        req.potency_key_id = format!("{:08x}-0000-4000-8000-{:012x}", i >> 48, i);
        req.pump_number = u8::try_from(i % 4).unwrap_or(0) + 1;
        world
            .create(T0, req)
            .map_err(|p| format!("create {i} refused: {p:?}"))?;
    }
    let elapsed = started.elapsed();
    let after = rss_bytes();
    let live = world.len() as u64;
    let per = after.saturating_sub(before) / live.max(1);
    println!(
        "atn-resident: {live} live transactions in {:.2} s; VmRSS before {:.1} MiB, after {:.1} MiB \
         (+{:.1} MiB); {per} bytes per transaction",
        elapsed.as_secs_f64(),
        mib(before),
        mib(after),
        mib(after.saturating_sub(before)),
    );
    Ok(())
}

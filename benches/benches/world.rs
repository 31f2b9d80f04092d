//! Complete ATIONet fuellings per second in virtual time, and one pump delivery alone.
//!
//! A flow: a MobilePayments create for 9 L of Diesel at its own pump, then every event to
//! state 10 (Reserve, PFEP preauth, Authorize, lift, motor, flow with `Progress` every second,
//! Finalize, completion). The world and the decoded requests are built in the untimed setup;
//! the timed part is every `create` plus `next_deadline`/`advance` until nothing is scheduled.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use payrig_benches::{
    flow_rounds, nine_litre_segment, pump_delivery, pump_template, run_rounds, wide_config, SEED,
    T0,
};
use payrig_world::ationet::{AtionetConfig, AtionetWorld};

/// (name, sites, pumps per site, rounds): the spec's default site (4 pumps) running 16 rounds
/// of 4 flows, and a wide forecourt (4 sites x 64 pumps) running 256 flows at once.
const SHAPES: [(&str, u16, u8, usize); 2] =
    [("1x4_pumps_16_rounds", 1, 4, 16), ("4x64_pumps", 4, 64, 1)];

fn flows(c: &mut Criterion, group: &str, traced: bool) {
    let mut g = c.benchmark_group(group);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, sites, pumps, rounds) in SHAPES {
        let cfg: AtionetConfig = wide_config(sites, pumps);
        let n = usize::from(sites) * usize::from(pumps) * rounds;
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("flows", name), &cfg, |b, cfg| {
            b.iter_batched(
                || {
                    let w = if traced {
                        AtionetWorld::new(cfg.clone(), SEED, T0, false)
                    } else {
                        AtionetWorld::without_trace(cfg.clone(), SEED, T0)
                    };
                    (w, flow_rounds(cfg, rounds))
                },
                |(mut w, reqs)| {
                    black_box(run_rounds(&mut w, reqs));
                    w
                },
                BatchSize::LargeInput,
            );
        });
    }
    g.finish();
}

fn world(c: &mut Criterion) {
    flows(c, "world", false);
    flows(c, "world_trace_hash", true);

    let mut g = c.benchmark_group("pump");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));
    let template = pump_template();
    g.bench_function("delivery_9l", |b| {
        b.iter_batched(
            || template.clone(),
            |mut fp| {
                black_box(pump_delivery(&mut fp, T0));
                fp
            },
            BatchSize::SmallInput,
        );
    });
    // The search `FuelPoint::next_due` runs for the limit instant on every `poll_timeout` while
    // fuelling (the world's top hot spot): one call.
    let seg = nine_litre_segment();
    g.bench_function("limit_search_9l", |b| {
        b.iter(|| black_box(&seg).elapsed_to_limit());
    });
    g.finish();
}

criterion_group!(benches, world);
criterion_main!(benches);

//! ATIONet transaction machine: transitions per second on one core.
//!
//! One element = one `handle_input` call with its outputs drained (the drain rule). The
//! iteration also pays `Transaction::create` and the synthetic events (see
//! `payrig_benches::happy_path`); the `CreateRequest` is cloned in the untimed setup.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use payrig_benches::{
    cancel_path, happy_path, sample_request, CANCEL_PATH_INPUTS, HAPPY_PATH_INPUTS, T0,
};

fn machine(c: &mut Criterion) {
    let req = sample_request();
    let mut g = c.benchmark_group("machine");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    g.throughput(Throughput::Elements(HAPPY_PATH_INPUTS));
    g.bench_function("happy_path_1_5_2_4_7_9_10", |b| {
        b.iter_batched(
            || req.clone(),
            |r| black_box(happy_path(black_box(T0), r)),
            BatchSize::SmallInput,
        );
    });

    g.throughput(Throughput::Elements(CANCEL_PATH_INPUTS));
    g.bench_function("cancel_path_1_5_2_12_15_13", |b| {
        b.iter_batched(
            || req.clone(),
            |r| black_box(cancel_path(black_box(T0), r)),
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

criterion_group!(benches, machine);
criterion_main!(benches);

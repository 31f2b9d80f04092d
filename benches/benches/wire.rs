//! ATIONet wire codecs, per message: decode a create, encode a GetTransaction body and a
//! problem body.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use payrig_ationet::domain::CreateKind;
use payrig_ationet::wire::{decode_create, encode_problem, encode_transaction};
use payrig_benches::{
    amount_problem, complete_snapshot, empty_body_problem, MOBILE_PAYMENTS_SAMPLE,
    SEED_MOBILE_PAYMENTS_SAMPLE,
};

fn wire(c: &mut Criterion) {
    let mut g = c.benchmark_group("wire");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));

    g.bench_function("decode_create/spec_sample", |b| {
        b.iter(|| {
            decode_create(
                CreateKind::MobilePayments,
                black_box(MOBILE_PAYMENTS_SAMPLE),
            )
            .unwrap()
        });
    });
    g.bench_function("decode_create/seed_sample_pretty", |b| {
        b.iter(|| {
            decode_create(
                CreateKind::MobilePayments,
                black_box(SEED_MOBILE_PAYMENTS_SAMPLE),
            )
            .unwrap()
        });
    });

    let snap = complete_snapshot();
    g.bench_function("encode_transaction/complete", |b| {
        b.iter(|| encode_transaction(black_box(&snap)));
    });

    let one = amount_problem();
    g.bench_function("encode_problem/one_field", |b| {
        b.iter(|| encode_problem(black_box(&one)));
    });
    let all = empty_body_problem();
    g.bench_function("encode_problem/every_field_missing", |b| {
        b.iter(|| encode_problem(black_box(&all)));
    });
    g.finish();
}

criterion_group!(benches, wire);
criterion_main!(benches);

//! TECS: the Terminal machine (transitions per second), the wire codecs (per message), and
//! complete sales per second in a `TecsWorld` in virtual time.
//!
//! Machine: one element is one `Terminal::handle_input` call with its outputs drained (the
//! drain rule). The fresh terminal and the decoded requests come from the untimed
//! `iter_batched` setup; the synthetic card and acquirer answers are built in the timed part
//! (see `payrig_benches::tecs::sale`). World: one element is one sale from `submit` to its
//! `0000` response written; building the world and the requests is untimed.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use payrig_benches::tecs::{
    awaiting_card, busy, full_approval, preauth_capture, request, run_sales, sale, sale_queues,
    terminal, BUSY_SAMPLE, CAPTURE_SAMPLE, PREAUTH_CAPTURE_INPUTS, PREAUTH_SAMPLE, SALE_INPUTS,
    SALE_SAMPLE,
};
use payrig_benches::{SEED, T0};
use payrig_tecs::wire::decode_request;
use payrig_world::tecs::{TecsConfig, TecsWorld, DEFAULT_TERMINALS};

fn machine(c: &mut Criterion) {
    let sale_req = request(SALE_SAMPLE);
    let preauth_req = request(PREAUTH_SAMPLE);
    let capture_req = request(CAPTURE_SAMPLE);
    let busy_req = request(BUSY_SAMPLE);

    let mut g = c.benchmark_group("tecs_machine");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    g.throughput(Throughput::Elements(SALE_INPUTS));
    g.bench_function("sale_t1_t3_t6_t8", |b| {
        b.iter_batched(
            || (terminal(), sale_req.clone()),
            |(mut t, r)| {
                black_box(sale(&mut t, 1, r));
                t
            },
            BatchSize::SmallInput,
        );
    });

    g.throughput(Throughput::Elements(PREAUTH_CAPTURE_INPUTS));
    g.bench_function("preauth_then_capture", |b| {
        b.iter_batched(
            || (terminal(), preauth_req.clone(), capture_req.clone()),
            |(mut t, p, c)| {
                black_box(preauth_capture(&mut t, p, c));
                t
            },
            BatchSize::SmallInput,
        );
    });

    // T11: the refusal changes nothing, so one terminal in awaiting_card serves every input.
    g.throughput(Throughput::Elements(1));
    let mut waiting = awaiting_card();
    g.bench_function("busy_refusal_3003", |b| {
        b.iter_batched(
            || busy_req.clone(),
            |r| black_box(busy(&mut waiting, 2, r)),
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

fn wire(c: &mut Criterion) {
    let mut g = c.benchmark_group("tecs_wire");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));
    g.bench_function("decode_request/spec_sale", |b| {
        b.iter(|| decode_request(black_box(SALE_SAMPLE)).unwrap());
    });
    let approval = full_approval();
    g.bench_function("encode_response/full_approval", |b| {
        b.iter(|| black_box(&approval).encode());
    });
    g.finish();
}

/// (name, terminals, sales per terminal).
const SHAPES: [(&str, usize, usize); 2] = [("1_terminal_x64", 1, 64), ("3_terminals_x64", 3, 64)];

/// How the world of a group traces: `tecs_world` hashes every line (the determinism check),
/// `tecs_world_journaled` keeps events unhashed for a journal as `payrig serve` does (deferred
/// data, dropped with the world, untimed), `tecs_world_untraced` records nothing.
fn world(c: &mut Criterion) {
    world_group(c, "tecs_world", |cfg| TecsWorld::new(cfg, SEED, T0, false));
    world_group(c, "tecs_world_journaled", |cfg| {
        TecsWorld::journaled(cfg, SEED, T0)
    });
    world_group(c, "tecs_world_untraced", |cfg| {
        TecsWorld::without_trace(cfg, SEED, T0)
    });
}

fn world_group(c: &mut Criterion, group: &str, make: fn(TecsConfig) -> TecsWorld) {
    let mut g = c.benchmark_group(group);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, terminals, per) in SHAPES {
        let terminals = &DEFAULT_TERMINALS[..terminals];
        g.throughput(Throughput::Elements((terminals.len() * per) as u64));
        g.bench_with_input(BenchmarkId::new("sales", name), &per, |b, &per| {
            b.iter_batched(
                || (make(TecsConfig::default()), sale_queues(terminals, per)),
                |(mut w, queues)| {
                    black_box(run_sales(&mut w, T0, queues));
                    w
                },
                BatchSize::LargeInput,
            );
        });
    }
    g.finish();
}

criterion_group!(benches, machine, wire, world);
criterion_main!(benches);

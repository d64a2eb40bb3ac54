//! Criterion benches of the per-check latency of every engine on the small
//! and large workloads (`cargo bench -p rbacc-bench --features rbacc`).
//! Each iteration is one check; the query stream (prepared in each engine's
//! own form) is walked cyclically so that caches see a realistic spread.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rbacc_bench::baseline::Baseline;
use rbacc_bench::workload::{Params, Workload};
use rbacc_bench::{casbin_engine, cedar_engine};
use std::hint::black_box;
use std::time::Duration;

const STREAM: usize = 1 << 16;

/// Benches `check` on `queries` (a power-of-two count), one check per iteration.
fn cyclic<Q>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    engine: &str,
    size: &str,
    queries: &[Q],
    check: impl Fn(&Q) -> bool,
) {
    g.bench_function(BenchmarkId::new(engine, size), |b| {
        let mut i = 0usize;
        b.iter(|| {
            let q = &queries[i & (queries.len() - 1)]; // the length is a power of two
            i += 1;
            check(black_box(q))
        })
    });
}

fn checks(c: &mut Criterion) {
    for params in [Params::small(), Params::large()] {
        let size = params.name.clone();
        let w = Workload::generate(&params);
        let stream = w.queries(STREAM, params.seed ^ 0x5eed);
        let mut g = c.benchmark_group("check");
        g.throughput(Throughput::Elements(1));
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(3));
        g.sample_size(50);

        let baseline = Baseline::new(&w);
        let prepared: Vec<_> = stream.iter().map(|q| baseline.prepare(q)).collect();
        cyclic(&mut g, "baseline", &size, &prepared, |q| baseline.check(q));

        #[cfg(feature = "rbacc")]
        {
            let r = rbacc_bench::rbacc_engine::setup_from_text(
                rbacc_bench::rbacc_input::POLICY,
                &rbacc_bench::rbacc_input::members_yaml(&w),
            )
            .expect("rbacc set-up");
            let prepared: Vec<_> = stream
                .iter()
                .map(|q| r.prepare(q, &w).expect("rbacc query"))
                .collect();
            cyclic(&mut g, "rbacc", &size, &prepared, |q| r.check(q));
        }

        let cedar = cedar_engine::setup(cedar_engine::input(&w).expect("cedar input"), &w)
            .expect("cedar set-up");
        let prepared: Vec<_> = stream
            .iter()
            .map(|q| cedar.prepare(q).expect("cedar request"))
            .collect();
        cyclic(&mut g, "cedar", &size, &prepared, |q| cedar.check(q));
        drop(prepared);
        drop(cedar);

        let casbin = casbin_engine::setup(casbin_engine::input(&w), &w).expect("casbin set-up");
        let prepared: Vec<_> = stream.iter().map(|q| casbin.prepare(q)).collect();
        cyclic(&mut g, "casbin", &size, &prepared, |q| casbin.check(q));
        g.finish();
    }
}

criterion_group!(benches, checks);
criterion_main!(benches);

//! `spawn_blocking`: 10 000 tiny closures on the blocking pool, every handle awaited.
//!
//! Both pools keep their threads alive between iterations (default keep-alive), so after the
//! first iteration this measures hand-off to idle pool threads, not thread creation.

use std::hint::black_box;

use conductor_benches::{Conductor, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

const NUM_CALLS: usize = 10_000;

fn spawn_blocking<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let handles: Vec<_> = (0..NUM_CALLS)
                    .map(|i| E::spawn_blocking(move || black_box(i)))
                    .collect();
                for handle in handles {
                    handle.await;
                }
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_blocking");
    // Tens of milliseconds per iteration: flat sampling keeps the run to a few seconds.
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(NUM_CALLS as u64));
    spawn_blocking::<Conductor>(&mut group);
    spawn_blocking::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

//! `yield_many`: 200 tasks each yield to the scheduler 1 000 times.
//!
//! Measures the cost of a self-wake plus a trip through the run queue, with enough tasks that
//! both workers stay busy.

use conductor_benches::{Conductor, Countdown, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const NUM_TASKS: usize = 200;
const NUM_YIELDS: usize = 1_000;

fn yield_many<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (countdown, all_done) = Countdown::new(NUM_TASKS);
                for _ in 0..NUM_TASKS {
                    let countdown = countdown.clone();
                    drop(E::spawn(async move {
                        for _ in 0..NUM_YIELDS {
                            E::yield_now().await;
                        }
                        countdown.done();
                    }));
                }
                all_done.await.unwrap();
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("yield_many");
    group.throughput(Throughput::Elements((NUM_TASKS * NUM_YIELDS) as u64));
    yield_many::<Conductor>(&mut group);
    yield_many::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

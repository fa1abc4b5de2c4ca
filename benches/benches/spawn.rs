//! Spawning many tiny tasks, from inside the runtime and from outside it.
//!
//! - `spawn_many_local`: a task spawns 10 000 tasks (they land in its worker's local queue);
//!   each records its completion on a [`Countdown`], the last one wakes the `block_on` body.
//! - `spawn_many_remote`: the bench thread spawns 10 000 tasks through the runtime (they go
//!   through the global queue) and then awaits every `JoinHandle` in `block_on`.

use std::hint::black_box;

use conductor_benches::{Conductor, Countdown, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const NUM_SPAWN: usize = 10_000;

fn spawn_many_local<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (countdown, all_done) = Countdown::new(NUM_SPAWN);
                drop(E::spawn(async move {
                    for _ in 0..NUM_SPAWN {
                        let countdown = countdown.clone();
                        drop(E::spawn(async move { countdown.done() }));
                    }
                }));
                all_done.await.unwrap();
            })
        })
    });
}

fn spawn_many_remote<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            let handles: Vec<_> = (0..NUM_SPAWN)
                .map(|i| E::spawn_on(&rt, async move { black_box(i) }))
                .collect();
            E::block_on(&rt, async {
                for handle in handles {
                    handle.await;
                }
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_many_local");
    group.throughput(Throughput::Elements(NUM_SPAWN as u64));
    spawn_many_local::<Conductor>(&mut group);
    spawn_many_local::<Tokio>(&mut group);
    group.finish();

    let mut group = c.benchmark_group("spawn_many_remote");
    group.throughput(Throughput::Elements(NUM_SPAWN as u64));
    spawn_many_remote::<Conductor>(&mut group);
    spawn_many_remote::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

//! `chained_spawn`: each task spawns the next, 1 000 deep; the last one signals completion.
//!
//! Only one task is runnable at a time, so this measures spawn-to-first-poll latency on a
//! worker's own queue (and how eagerly idle workers are woken for nothing).

use conductor_benches::{Conductor, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use futures::channel::oneshot;

const DEPTH: usize = 1_000;

fn chain<E: Executor>(done: oneshot::Sender<()>, remaining: usize) {
    if remaining == 0 {
        done.send(()).unwrap();
    } else {
        drop(E::spawn(async move { chain::<E>(done, remaining - 1) }));
    }
}

fn chained_spawn<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (done_tx, done_rx) = oneshot::channel();
                drop(E::spawn(async move { chain::<E>(done_tx, DEPTH) }));
                done_rx.await.unwrap();
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("chained_spawn");
    group.throughput(Throughput::Elements(DEPTH as u64));
    chained_spawn::<Conductor>(&mut group);
    chained_spawn::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

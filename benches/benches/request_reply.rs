//! `request_reply`: 10 000 round trips between the `block_on` body and one spawned task.
//!
//! Requests go in and replies come out over two `futures::channel::mpsc` channels. Every round
//! trip wakes a worker from outside and the `block_on` thread from inside, the path a program
//! takes when a plain thread talks to the runtime.

use conductor_benches::{Conductor, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use futures::StreamExt;
use futures::channel::mpsc;

const NUM_ROUND_TRIPS: usize = 10_000;

fn request_reply<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (request_tx, mut request_rx) = mpsc::unbounded::<usize>();
                let (reply_tx, mut reply_rx) = mpsc::unbounded::<usize>();
                let server = E::spawn(async move {
                    while let Some(request) = request_rx.next().await {
                        reply_tx.unbounded_send(request + 1).unwrap();
                    }
                });
                for i in 0..NUM_ROUND_TRIPS {
                    request_tx.unbounded_send(i).unwrap();
                    assert_eq!(reply_rx.next().await, Some(i + 1));
                }
                drop(request_tx);
                server.await;
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("request_reply");
    // Tens of milliseconds per iteration: flat sampling keeps the run to a few seconds.
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(NUM_ROUND_TRIPS as u64));
    request_reply::<Conductor>(&mut group);
    request_reply::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

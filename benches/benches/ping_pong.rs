//! `ping_pong`: 1 000 pairs of tasks each exchange one message.
//!
//! A task spawns 1 000 tasks; each spawns a partner, sends it a ping over a oneshot channel and
//! awaits the pong on another. Message passing between two tasks is what the LIFO slot is for.

use conductor_benches::{Conductor, Countdown, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use futures::channel::oneshot;

const NUM_PAIRS: usize = 1_000;

fn ping_pong<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (countdown, all_done) = Countdown::new(NUM_PAIRS);
                drop(E::spawn(async move {
                    for _ in 0..NUM_PAIRS {
                        let countdown = countdown.clone();
                        drop(E::spawn(async move {
                            let (ping_tx, ping_rx) = oneshot::channel::<()>();
                            let (pong_tx, pong_rx) = oneshot::channel::<()>();
                            drop(E::spawn(async move {
                                ping_rx.await.unwrap();
                                pong_tx.send(()).unwrap();
                            }));
                            ping_tx.send(()).unwrap();
                            pong_rx.await.unwrap();
                            countdown.done();
                        }));
                    }
                }));
                all_done.await.unwrap();
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping_pong");
    group.throughput(Throughput::Elements(NUM_PAIRS as u64));
    ping_pong::<Conductor>(&mut group);
    ping_pong::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

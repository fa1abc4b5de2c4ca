//! `sync_channels`: conductor's channels (`conductor::sync`) on conductor against tokio's
//! channels (`tokio::sync`) on tokio, both runtimes with 2 workers.
//!
//! - `mpsc_bounded_{1,4,16}`: that many producer tasks send 20 000 `u64`s in total through a
//!   bounded channel of capacity 128 to one consumer task.
//! - `mpsc_unbounded_{1,4,16}`: the same through an unbounded channel.
//! - `oneshot_ping_pong`: 1 000 pairs of tasks each exchange a ping and a pong over two
//!   oneshot channels (`ping_pong`'s workload with the runtime's own oneshot).

use std::future::Future;

use conductor_benches::{Conductor, Countdown, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const MESSAGES: u64 = 20_000;
const CAPACITY: usize = 128;
const NUM_PAIRS: usize = 1_000;

/// The channels of a runtime, for `u64` payloads.
trait Channels: Executor {
    type Tx: Clone + Send + Sync + 'static;
    type Rx: Send + 'static;
    type UTx: Clone + Send + Sync + 'static;
    type URx: Send + 'static;
    type OTx: Send + 'static;
    type ORx: Future<Output = Option<u64>> + Send + 'static;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, v: u64) -> impl Future<Output = ()> + Send + '_;
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = Option<u64>> + Send + '_;
    fn unbounded() -> (Self::UTx, Self::URx);
    fn usend(tx: &Self::UTx, v: u64);
    fn urecv(rx: &mut Self::URx) -> impl Future<Output = Option<u64>> + Send + '_;
    fn oneshot() -> (Self::OTx, Self::ORx);
    fn osend(tx: Self::OTx, v: u64);
}

impl Channels for Conductor {
    type Tx = conductor::sync::mpsc::Sender<u64>;
    type Rx = conductor::sync::mpsc::Receiver<u64>;
    type UTx = conductor::sync::mpsc::UnboundedSender<u64>;
    type URx = conductor::sync::mpsc::UnboundedReceiver<u64>;
    type OTx = conductor::sync::oneshot::Sender<u64>;
    type ORx = OkOr<conductor::sync::oneshot::Receiver<u64>>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        conductor::sync::mpsc::channel(capacity)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).await.unwrap()
    }
    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().await
    }
    fn unbounded() -> (Self::UTx, Self::URx) {
        conductor::sync::mpsc::unbounded_channel()
    }
    fn usend(tx: &Self::UTx, v: u64) {
        tx.send(v).unwrap()
    }
    async fn urecv(rx: &mut Self::URx) -> Option<u64> {
        rx.recv().await
    }
    fn oneshot() -> (Self::OTx, Self::ORx) {
        let (tx, rx) = conductor::sync::oneshot::channel();
        (tx, OkOr(rx))
    }
    fn osend(tx: Self::OTx, v: u64) {
        tx.send(v).unwrap()
    }
}

impl Channels for Tokio {
    type Tx = tokio::sync::mpsc::Sender<u64>;
    type Rx = tokio::sync::mpsc::Receiver<u64>;
    type UTx = tokio::sync::mpsc::UnboundedSender<u64>;
    type URx = tokio::sync::mpsc::UnboundedReceiver<u64>;
    type OTx = tokio::sync::oneshot::Sender<u64>;
    type ORx = OkOr<tokio::sync::oneshot::Receiver<u64>>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(capacity)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).await.unwrap()
    }
    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().await
    }
    fn unbounded() -> (Self::UTx, Self::URx) {
        tokio::sync::mpsc::unbounded_channel()
    }
    fn usend(tx: &Self::UTx, v: u64) {
        tx.send(v).unwrap()
    }
    async fn urecv(rx: &mut Self::URx) -> Option<u64> {
        rx.recv().await
    }
    fn oneshot() -> (Self::OTx, Self::ORx) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        (tx, OkOr(rx))
    }
    fn osend(tx: Self::OTx, v: u64) {
        tx.send(v).unwrap()
    }
}

/// A oneshot receiver as a future of `Option` (both runtimes' errors erased).
struct OkOr<F>(F);

impl<F: Future<Output = Result<u64, E>> + Unpin, E> Future for OkOr<F> {
    type Output = Option<u64>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u64>> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(Result::ok)
    }
}

fn mpsc_bounded<E: Channels>(group: &mut BenchmarkGroup<'_, WallTime>, producers: u64) {
    let rt = E::runtime();
    let per = MESSAGES / producers;
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (tx, mut rx) = E::bounded(CAPACITY);
                for _ in 0..producers {
                    let tx = tx.clone();
                    drop(E::spawn(async move {
                        for i in 0..per {
                            E::send(&tx, i).await;
                        }
                    }));
                }
                drop(tx);
                let consumer = E::spawn(async move {
                    let mut n = 0;
                    while E::recv(&mut rx).await.is_some() {
                        n += 1;
                    }
                    n
                });
                assert_eq!(consumer.await, per * producers);
            })
        })
    });
}

fn mpsc_unbounded<E: Channels>(group: &mut BenchmarkGroup<'_, WallTime>, producers: u64) {
    let rt = E::runtime();
    let per = MESSAGES / producers;
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (tx, mut rx) = E::unbounded();
                for _ in 0..producers {
                    let tx = tx.clone();
                    drop(E::spawn(async move {
                        for i in 0..per {
                            E::usend(&tx, i);
                            if i % 64 == 63 {
                                E::yield_now().await;
                            }
                        }
                    }));
                }
                drop(tx);
                let consumer = E::spawn(async move {
                    let mut n = 0;
                    while E::urecv(&mut rx).await.is_some() {
                        n += 1;
                    }
                    n
                });
                assert_eq!(consumer.await, per * producers);
            })
        })
    });
}

fn oneshot_ping_pong<E: Channels>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let (countdown, all_done) = Countdown::new(NUM_PAIRS);
                drop(E::spawn(async move {
                    for _ in 0..NUM_PAIRS {
                        let countdown = countdown.clone();
                        drop(E::spawn(async move {
                            let (ping_tx, ping_rx) = E::oneshot();
                            let (pong_tx, pong_rx) = E::oneshot();
                            drop(E::spawn(async move {
                                let v = ping_rx.await.unwrap();
                                E::osend(pong_tx, v + 1);
                            }));
                            E::osend(ping_tx, 1);
                            assert_eq!(pong_rx.await, Some(2));
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
    for producers in [1, 4, 16] {
        let mut group = c.benchmark_group(format!("mpsc_bounded_{producers}"));
        group.throughput(Throughput::Elements(MESSAGES / producers * producers));
        mpsc_bounded::<Conductor>(&mut group, producers);
        mpsc_bounded::<Tokio>(&mut group, producers);
        group.finish();
    }
    for producers in [1, 4, 16] {
        let mut group = c.benchmark_group(format!("mpsc_unbounded_{producers}"));
        group.throughput(Throughput::Elements(MESSAGES / producers * producers));
        mpsc_unbounded::<Conductor>(&mut group, producers);
        mpsc_unbounded::<Tokio>(&mut group, producers);
        group.finish();
    }
    let mut group = c.benchmark_group("oneshot_ping_pong");
    group.throughput(Throughput::Elements(NUM_PAIRS as u64));
    oneshot_ping_pong::<Conductor>(&mut group);
    oneshot_ping_pong::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

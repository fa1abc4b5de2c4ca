//! Timers: `timer_cancel`, `timer_fire` and `timeout_ready`, conductor and tokio side by side.
//!
//! - `timer_cancel`: 100 000 sleeps created, polled once (registered), dropped (cancelled).
//! - `timer_fire`: 10 000 tasks each sleep a random 1..20 ms; wall time per batch. Mean
//!   lateness past the deadline (how long after its deadline each sleep returned) is printed
//!   for both runtimes before the criterion group.
//! - `timeout_ready`: a `timeout` around an already-ready future, 1 000 000 times.
//! - `timer_contended`: 8 tasks at once (4 per worker), each registering and cancelling
//!   10 000 sleeps: the timer's lock under contention from every worker.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use conductor_benches::{Conductor, Countdown, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const CANCEL_SLEEPS: usize = 100_000;
const FIRE_TASKS: usize = 10_000;
const TIMEOUTS: usize = 1_000_000;
const CONTENDED_TASKS: usize = 8;
const CONTENDED_SLEEPS: usize = 10_000;

fn timer_contended<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let tasks: Vec<_> = (0..CONTENDED_TASKS)
                    .map(|_| {
                        E::spawn(async {
                            for _ in 0..CONTENDED_SLEEPS {
                                let mut s = pin!(E::sleep(Duration::from_secs(60)));
                                assert!(futures::poll!(s.as_mut()).is_pending());
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
            })
        })
    });
}

fn timer_cancel<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                for _ in 0..CANCEL_SLEEPS {
                    let mut s = pin!(E::sleep(Duration::from_secs(60)));
                    assert!(futures::poll!(s.as_mut()).is_pending());
                }
            })
        })
    });
}

/// Random 1..20 ms delays, the same sequence for both runtimes.
fn delays() -> Vec<Duration> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..FIRE_TASKS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_micros(1_000 + x % 19_000)
        })
        .collect()
}

/// Runs one batch; returns the summed lateness in nanoseconds.
fn fire_batch<E: Executor>(rt: &E::Runtime, delays: &[Duration]) -> u64 {
    let late = Arc::new(AtomicU64::new(0));
    E::block_on(rt, async {
        let (countdown, all_done) = Countdown::new(delays.len());
        for &d in delays {
            let countdown = countdown.clone();
            let late = late.clone();
            drop(E::spawn(async move {
                let deadline = Instant::now() + d;
                E::sleep(d).await;
                let l = Instant::now().saturating_duration_since(deadline);
                late.fetch_add(l.as_nanos() as u64, Ordering::Relaxed);
                countdown.done();
            }));
        }
        all_done.await.unwrap();
    });
    late.load(Ordering::Relaxed)
}

fn print_lateness<E: Executor>(delays: &[Duration]) {
    let rt = E::runtime();
    const BATCHES: usize = 10;
    let mut total = 0;
    fire_batch::<E>(&rt, delays); // warm up
    for _ in 0..BATCHES {
        total += fire_batch::<E>(&rt, delays);
    }
    let mean = Duration::from_nanos(total / (BATCHES * delays.len()) as u64);
    println!("timer_fire/{}: mean lateness {:?}", E::NAME, mean);
}

fn timer_fire<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>, delays: &[Duration]) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| b.iter(|| fire_batch::<E>(&rt, delays)));
}

fn timeout_ready<E: Executor>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let mut sum = 0u64;
                for i in 0..TIMEOUTS as u64 {
                    sum += E::timeout(Duration::from_secs(1), async move { i })
                        .await
                        .unwrap();
                }
                sum
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("timer_cancel");
    group.throughput(Throughput::Elements(CANCEL_SLEEPS as u64));
    timer_cancel::<Conductor>(&mut group);
    timer_cancel::<Tokio>(&mut group);
    group.finish();

    let delays = delays();
    print_lateness::<Conductor>(&delays);
    print_lateness::<Tokio>(&delays);
    let mut group = c.benchmark_group("timer_fire");
    group.throughput(Throughput::Elements(FIRE_TASKS as u64));
    timer_fire::<Conductor>(&mut group, &delays);
    timer_fire::<Tokio>(&mut group, &delays);
    group.finish();

    let mut group = c.benchmark_group("timer_contended");
    group.throughput(Throughput::Elements(
        (CONTENDED_TASKS * CONTENDED_SLEEPS) as u64,
    ));
    timer_contended::<Conductor>(&mut group);
    timer_contended::<Tokio>(&mut group);
    group.finish();

    let mut group = c.benchmark_group("timeout_ready");
    group.throughput(Throughput::Elements(TIMEOUTS as u64));
    timeout_ready::<Conductor>(&mut group);
    timeout_ready::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

//! `sync_locks`: conductor's `Mutex` and `Semaphore` against tokio's, each on its own runtime.
//!
//! - `mutex_contended`: 16 tasks each lock a shared counter 1 000 times (2 workers, so the
//!   two workers contend and hand the lock to each other's queued tasks).
//! - `semaphore_uncontended`: one task acquires and releases one permit 10 000 times.
//! - `semaphore_contended`: 16 tasks share 4 permits; each acquires, yields while holding the
//!   permit (so others queue), and releases, 1 000 times.

use std::future::Future;
use std::sync::Arc;

use conductor_benches::{Conductor, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const TASKS: usize = 16;
const LOCKS_PER_TASK: usize = 1_000;
const UNCONTENDED_OPS: usize = 10_000;
const CONTENDED_PERMITS: usize = 4;

/// The runtime's own lock types.
trait Locks: Executor {
    type Mutex: Send + Sync + 'static;
    type Semaphore: Send + Sync + 'static;
    fn mutex() -> Self::Mutex;
    fn increment(m: &Self::Mutex) -> impl Future<Output = ()> + Send + '_;
    fn get(m: &Self::Mutex) -> impl Future<Output = u64> + Send + '_;
    fn semaphore(permits: usize) -> Self::Semaphore;
    /// Acquires one permit, awaits `hold` with it, releases it.
    fn with_permit<'a, F: Future<Output = ()> + Send + 'a>(
        s: &'a Self::Semaphore,
        hold: F,
    ) -> impl Future<Output = ()> + Send + 'a;
}

impl Locks for Conductor {
    type Mutex = conductor::sync::Mutex<u64>;
    type Semaphore = conductor::sync::Semaphore;
    fn mutex() -> Self::Mutex {
        conductor::sync::Mutex::new(0)
    }
    async fn increment(m: &Self::Mutex) {
        *m.lock().await += 1;
    }
    async fn get(m: &Self::Mutex) -> u64 {
        *m.lock().await
    }
    fn semaphore(permits: usize) -> Self::Semaphore {
        conductor::sync::Semaphore::new(permits)
    }
    async fn with_permit<'a, F: Future<Output = ()> + Send + 'a>(s: &'a Self::Semaphore, hold: F) {
        let _permit = s.acquire().await.unwrap();
        hold.await;
    }
}

impl Locks for Tokio {
    type Mutex = tokio::sync::Mutex<u64>;
    type Semaphore = tokio::sync::Semaphore;
    fn mutex() -> Self::Mutex {
        tokio::sync::Mutex::new(0)
    }
    async fn increment(m: &Self::Mutex) {
        *m.lock().await += 1;
    }
    async fn get(m: &Self::Mutex) -> u64 {
        *m.lock().await
    }
    fn semaphore(permits: usize) -> Self::Semaphore {
        tokio::sync::Semaphore::new(permits)
    }
    async fn with_permit<'a, F: Future<Output = ()> + Send + 'a>(s: &'a Self::Semaphore, hold: F) {
        let _permit = s.acquire().await.unwrap();
        hold.await;
    }
}

fn mutex_contended<E: Locks>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let m = Arc::new(E::mutex());
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let m = m.clone();
                        E::spawn(async move {
                            for _ in 0..LOCKS_PER_TASK {
                                E::increment(&m).await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
                assert_eq!(E::get(&m).await, (TASKS * LOCKS_PER_TASK) as u64);
            })
        })
    });
}

fn semaphore_uncontended<E: Locks>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let s = Arc::new(E::semaphore(1));
                E::spawn(async move {
                    for _ in 0..UNCONTENDED_OPS {
                        E::with_permit(&s, async {}).await;
                    }
                })
                .await;
            })
        })
    });
}

fn semaphore_contended<E: Locks>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            E::block_on(&rt, async {
                let s = Arc::new(E::semaphore(CONTENDED_PERMITS));
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let s = s.clone();
                        E::spawn(async move {
                            for _ in 0..LOCKS_PER_TASK {
                                E::with_permit(&s, E::yield_now()).await;
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

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("mutex_contended");
    group.throughput(Throughput::Elements((TASKS * LOCKS_PER_TASK) as u64));
    mutex_contended::<Conductor>(&mut group);
    mutex_contended::<Tokio>(&mut group);
    group.finish();

    let mut group = c.benchmark_group("semaphore_uncontended");
    group.throughput(Throughput::Elements(UNCONTENDED_OPS as u64));
    semaphore_uncontended::<Conductor>(&mut group);
    semaphore_uncontended::<Tokio>(&mut group);
    group.finish();

    let mut group = c.benchmark_group("semaphore_contended");
    group.throughput(Throughput::Elements((TASKS * LOCKS_PER_TASK) as u64));
    semaphore_contended::<Conductor>(&mut group);
    semaphore_contended::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

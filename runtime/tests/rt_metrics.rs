//! `RuntimeMetrics`: worker counts, task counts, per-worker counters.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use conductor::runtime::{Builder, Handle, RuntimeMetrics};
use conductor::task::{self, JoinHandle};
use support::{DropCounter, Flavor, Gate, pending_forever, with_timeout};

fn sum_per_worker(m: &RuntimeMetrics, f: impl Fn(&RuntimeMetrics, usize) -> u64) -> u64 {
    (0..m.num_workers()).map(|i| f(m, i)).sum()
}

#[test]
fn num_workers() {
    with_timeout(|| {
        for n in [1, 2, 3] {
            let rt = support::multi_thread(n);
            assert_eq!(rt.metrics().num_workers(), n);
            assert_eq!(rt.handle().metrics().num_workers(), n);
        }
        assert_eq!(support::current_thread().metrics().num_workers(), 1);
    });
}

#[test]
fn spawned_tasks_count_counts_every_spawn() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            assert_eq!(rt.metrics().spawned_tasks_count(), 0);
            let outside: Vec<JoinHandle<()>> = (0..10).map(|_| rt.spawn(async {})).collect();
            rt.block_on(async {
                for h in outside {
                    h.await.unwrap();
                }
                let inside: Vec<JoinHandle<()>> =
                    (0..15).map(|_| conductor::spawn(async {})).collect();
                for h in inside {
                    h.await.unwrap();
                }
                conductor::spawn(async {
                    conductor::spawn(async {}).await.unwrap();
                })
                .await
                .unwrap();
            });
            assert_eq!(rt.metrics().spawned_tasks_count(), 27);
        });
    }
}

#[test]
fn num_alive_tasks_goes_back_to_zero() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let metrics = rt.metrics();
            assert_eq!(metrics.num_alive_tasks(), 0);
            let release = Arc::new(AtomicBool::new(false));
            let handles: Vec<JoinHandle<()>> = (0..10)
                .map(|_| {
                    let release = release.clone();
                    rt.spawn(async move {
                        while !release.load(Ordering::SeqCst) {
                            task::yield_now().await;
                        }
                    })
                })
                .collect();
            assert_eq!(rt.metrics().num_alive_tasks(), 10);
            release.store(true, Ordering::SeqCst);
            rt.block_on(async {
                for h in handles {
                    h.await.unwrap();
                }
            });
            assert!(
                support::eventually(|| rt.metrics().num_alive_tasks() == 0),
                "{} tasks still alive",
                rt.metrics().num_alive_tasks()
            );
        });
    }
}

rt_test! {
    async fn num_alive_tasks_after_abort_and_detach() {
        let metrics = Handle::current().metrics();
        let drops = DropCounter::new();
        let (fut, _polled) = pending_forever(&drops);
        let aborted = conductor::spawn(fut);
        drop(conductor::spawn(async {}));
        aborted.abort();
        assert!(aborted.await.unwrap_err().is_cancelled());
        assert!(support::eventually_async(|| metrics.num_alive_tasks() == 0).await);
    }
}

#[test]
fn worker_poll_count_covers_every_polled_task() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            const N: u64 = 500;
            let work = async {
                let handles: Vec<JoinHandle<()>> =
                    (0..N).map(|_| conductor::spawn(async {})).collect();
                for h in handles {
                    h.await.unwrap();
                }
            };
            match flavor {
                // Not under block_on: its guest's polls are not per-worker polls.
                Flavor::MultiThread => support::run_on_workers(&rt, work),
                Flavor::CurrentThread => rt.block_on(work),
            }
            let m = rt.metrics();
            assert!(
                support::eventually(|| sum_per_worker(&m, RuntimeMetrics::worker_poll_count) >= N),
                "polls: {}",
                sum_per_worker(&m, RuntimeMetrics::worker_poll_count)
            );
        });
    }
}

#[test]
fn yields_count_as_polls() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        support::run_on_workers(&rt, async {
            for _ in 0..100 {
                task::yield_now().await;
            }
        });
        let m = rt.metrics();
        assert!(
            support::eventually(|| m.worker_poll_count(0) >= 101),
            "polls: {}",
            m.worker_poll_count(0)
        );
    });
}

#[test]
fn idle_workers_park() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        rt.block_on(async { conductor::spawn(async {}).await.unwrap() });
        let m = rt.metrics();
        assert!(support::eventually(|| sum_per_worker(
            &m,
            RuntimeMetrics::worker_park_count
        ) > 0));
    });
}

#[test]
fn spawns_from_a_worker_are_local_schedules() {
    with_timeout(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .disable_lifo_slot()
            .build()
            .unwrap();
        support::run_on_workers(&rt, async {
            let handles: Vec<JoinHandle<()>> =
                (0..100).map(|_| conductor::spawn(async {})).collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        let m = rt.metrics();
        assert!(support::eventually(|| sum_per_worker(
            &m,
            RuntimeMetrics::worker_local_schedule_count
        ) > 0));
    });
}

#[test]
fn a_stolen_task_counts_as_a_steal() {
    with_timeout(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .disable_lifo_slot()
            .build()
            .unwrap();
        let stolen = support::run_on_workers(&rt, async {
            // This task holds its worker until the task it spawned has started elsewhere.
            let started = Arc::new(AtomicBool::new(false));
            let s = started.clone();
            let h = conductor::spawn(async move { s.store(true, Ordering::Release) });
            let ok = support::spin_until(&started);
            h.await.unwrap();
            ok
        });
        assert!(
            stolen,
            "the spawned task never ran while its worker was busy"
        );
        let m = rt.metrics();
        assert!(support::eventually(|| sum_per_worker(
            &m,
            RuntimeMetrics::worker_steal_count
        ) > 0));
    });
}

#[test]
fn budget_yields_are_counted() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        support::run_on_workers(&rt, async {
            for _ in 0..10_000 {
                task::consume_budget().await;
            }
        });
        let m = rt.metrics();
        assert!(support::eventually(|| m.worker_budget_yield_count(0) > 0));
    });
}

#[test]
fn global_queue_depth_counts_remote_spawns_not_yet_run() {
    with_timeout(|| {
        let rt = support::current_thread();
        assert_eq!(rt.metrics().global_queue_depth(), 0);
        let handles: Vec<JoinHandle<()>> = (0..5).map(|_| rt.spawn(async {})).collect();
        assert_eq!(rt.metrics().global_queue_depth(), 5);
        rt.block_on(async {
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(rt.metrics().global_queue_depth(), 0);
    });
}

#[test]
fn global_queue_depth_while_workers_are_busy() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let release = Gate::new();
        let barrier = support::BoundedBarrier::new(3);
        let blockers: Vec<JoinHandle<bool>> = (0..2)
            .map(|_| {
                let (release, barrier) = (release.clone(), barrier.clone());
                rt.spawn(async move { barrier.wait() && release.wait() })
            })
            .collect();
        assert!(barrier.wait(), "the two blockers did not both start");
        let queued: Vec<JoinHandle<()>> = (0..5).map(|_| rt.spawn(async {})).collect();
        let depth = rt.metrics().global_queue_depth();
        release.open();
        for h in blockers.into_iter() {
            assert!(rt.block_on(h).unwrap());
        }
        for h in queued {
            rt.block_on(h).unwrap();
        }
        assert_eq!(depth, 5);
        assert!(support::eventually(
            || rt.metrics().global_queue_depth() == 0
        ));
    });
}

#[test]
fn every_per_worker_counter_is_readable() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            rt.block_on(async {
                let handles: Vec<JoinHandle<()>> = (0..100)
                    .map(|_| conductor::spawn(async { task::yield_now().await }))
                    .collect();
                for h in handles {
                    h.await.unwrap();
                }
            });
            let m = rt.metrics();
            for i in 0..m.num_workers() {
                let _ = m.worker_poll_count(i);
                let _ = m.worker_steal_count(i);
                let _ = m.worker_park_count(i);
                let _ = m.worker_local_schedule_count(i);
                let _ = m.worker_overflow_count(i);
                let _ = m.worker_lifo_count(i);
                let _ = m.worker_budget_yield_count(i);
            }
            let _ = m.num_blocking_threads();
            let _ = m.blocking_queue_depth();
            let _ = m.global_queue_depth();
            assert!(m.spawned_tasks_count() >= 100);
        });
    }
}

#[test]
fn metrics_from_the_handle_match_the_runtime() {
    with_timeout(|| {
        let rt = support::multi_thread(3);
        rt.block_on(async {
            for _ in 0..7 {
                conductor::spawn(async {}).await.unwrap();
            }
        });
        assert_eq!(rt.handle().metrics().spawned_tasks_count(), 7);
        assert_eq!(rt.metrics().spawned_tasks_count(), 7);
        let m = rt.block_on(async { Handle::current().metrics() });
        assert_eq!(m.num_workers(), 3);
        assert_eq!(m.spawned_tasks_count(), 7);
    });
}

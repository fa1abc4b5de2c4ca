//! The blocking pool: `spawn_blocking` from everywhere, concurrency, limits, queueing, thread
//! names and keep-alive.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use conductor::runtime::{Builder, Handle};
use conductor::task::{self, JoinHandle};
use support::{BoundedBarrier, Flavor, Gate, with_timeout};

fn builder(flavor: Flavor) -> Builder {
    match flavor {
        Flavor::MultiThread => {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
        Flavor::CurrentThread => Builder::new_current_thread(),
    }
}

#[test]
fn eight_closures_run_concurrently() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = builder(flavor).max_blocking_threads(8).build().unwrap();
            let barrier = BoundedBarrier::new(8);
            let handles: Vec<JoinHandle<bool>> = (0..8)
                .map(|_| {
                    let barrier = barrier.clone();
                    rt.spawn_blocking(move || barrier.wait())
                })
                .collect();
            for h in handles {
                assert!(
                    rt.block_on(h).unwrap(),
                    "8 blocking closures did not all run at once"
                );
            }
            assert!(rt.metrics().num_blocking_threads() > 0);
        });
    }
}

rt_test! {
    async fn spawn_blocking_from_a_task_and_from_block_on() {
        let caller = std::thread::current().id();
        let (thread, value) = task::spawn_blocking(|| (std::thread::current().id(), 6 * 7)).await.unwrap();
        assert_eq!(value, 42);
        assert_ne!(thread, caller, "spawn_blocking ran on the calling thread");
        let from_task = conductor::spawn(async {
            let worker = std::thread::current().id();
            let (thread, value) = task::spawn_blocking(|| (std::thread::current().id(), "x")).await.unwrap();
            (worker != thread, value)
        })
        .await
        .unwrap();
        assert_eq!(from_task, (true, "x"));
        let via_handle = Handle::current().spawn_blocking(|| 1).await.unwrap();
        assert_eq!(via_handle, 1);
        assert!(Handle::current().metrics().num_blocking_threads() > 0);
    }
}

#[test]
fn spawn_blocking_from_outside_the_runtime() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = builder(flavor).build().unwrap();
            let h1 = rt.spawn_blocking(|| 1u32);
            let handle = rt.handle().clone();
            let h2 = std::thread::spawn(move || handle.spawn_blocking(|| 2u32))
                .join()
                .unwrap();
            let sum = rt.block_on(async move { h1.await.unwrap() + h2.await.unwrap() });
            assert_eq!(sum, 3);
            assert!(rt.metrics().num_blocking_threads() > 0);
        });
    }
}

#[test]
fn blocking_closures_can_block_on_the_runtime_handle() {
    // A blocking thread is not a runtime thread: Handle::block_on is allowed there.
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let out = rt.block_on(async {
            let handle = Handle::current();
            task::spawn_blocking(move || {
                handle.block_on(async { conductor::spawn(async { 9 }).await.unwrap() })
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 9);
    });
}

#[test]
fn max_blocking_threads_bounds_concurrency_and_queues_the_rest() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = builder(flavor).max_blocking_threads(2).build().unwrap();
            let running = Arc::new(AtomicUsize::new(0));
            let max_running = Arc::new(AtomicUsize::new(0));
            let handles: Vec<JoinHandle<()>> = (0..8)
                .map(|_| {
                    let (running, max_running) = (running.clone(), max_running.clone());
                    rt.spawn_blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        max_running.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(2));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                })
                .collect();
            for h in handles {
                rt.block_on(h).unwrap();
            }
            assert!(
                max_running.load(Ordering::SeqCst) <= 2,
                "ran {} at once",
                max_running.load(Ordering::SeqCst)
            );
            assert!(rt.metrics().num_blocking_threads() <= 2);
        });
    }
}

#[test]
fn blocking_queue_depth_counts_waiting_closures() {
    with_timeout(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .build()
            .unwrap();
        let release = Gate::new();
        let started = Gate::new();
        let first = {
            let (release, started) = (release.clone(), started.clone());
            rt.spawn_blocking(move || {
                started.open();
                release.wait()
            })
        };
        assert!(started.wait());
        let queued: Vec<JoinHandle<u32>> = (0..3).map(|i| rt.spawn_blocking(move || i)).collect();
        assert_eq!(rt.metrics().blocking_queue_depth(), 3);
        release.open();
        assert!(rt.block_on(first).unwrap());
        let mut sum = 0;
        for h in queued {
            sum += rt.block_on(h).unwrap();
        }
        assert_eq!(sum, 3);
        assert_eq!(rt.metrics().blocking_queue_depth(), 0);
    });
}

#[test]
fn idle_blocking_threads_exit_after_keep_alive() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = builder(flavor)
                .max_blocking_threads(4)
                .thread_keep_alive(Duration::from_millis(50))
                .build()
                .unwrap();
            let barrier = BoundedBarrier::new(4);
            let handles: Vec<JoinHandle<bool>> = (0..4)
                .map(|_| {
                    let barrier = barrier.clone();
                    rt.spawn_blocking(move || barrier.wait())
                })
                .collect();
            for h in handles {
                assert!(rt.block_on(h).unwrap());
            }
            assert!(rt.metrics().num_blocking_threads() > 0);
            assert!(
                support::eventually(|| rt.metrics().num_blocking_threads() == 0),
                "{} blocking threads still alive",
                rt.metrics().num_blocking_threads()
            );
            // The pool starts threads again on demand.
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 5)).unwrap(), 5);
        });
    }
}

#[test]
fn blocking_threads_are_reused() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        for _ in 0..50 {
            rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        }
        // Sequential closures need one thread, not fifty (keep-alive default is long). A
        // closure's result can be seen before its thread is back in the idle list, so the
        // next spawn now and then starts a thread: allow some, not one per closure.
        assert!(
            rt.metrics().num_blocking_threads() <= 10,
            "{}",
            rt.metrics().num_blocking_threads()
        );
    });
}

#[test]
fn blocking_threads_have_default_names() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = builder(flavor).build().unwrap();
            let name = rt
                .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned)))
                .unwrap()
                .expect("blocking threads are named");
            assert!(name.starts_with("conductor-blocking-"), "{name}");
        });
    }
}

#[test]
fn many_blocking_closures_all_complete() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let total = rt.block_on(async {
            let handles: Vec<JoinHandle<u64>> = (0..1000u64)
                .map(|i| task::spawn_blocking(move || i))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(total, (0..1000u64).sum::<u64>());
    });
}

#[test]
fn blocking_closure_output_is_dropped_once_when_detached() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let drops = support::DropCounter::new();
        let token = drops.token();
        drop(rt.spawn_blocking(move || token));
        assert!(support::eventually(|| drops.get() == 1));
        drop(rt);
        assert_eq!(drops.get(), 1);
    });
}

#[test]
fn blocking_closures_see_their_runtime() {
    // Inside spawn_blocking the runtime is current: Handle::current, spawn and
    // Handle::block_on work there (a common way to call async code from blocking code).
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = builder(flavor).build().unwrap();
            let workers = rt.metrics().num_workers();
            let (seen_workers, out) = rt
                .block_on(rt.spawn_blocking(|| {
                    let handle = Handle::current();
                    let h = conductor::spawn(async { 20 });
                    let out = handle.block_on(async move { h.await.unwrap() + 1 });
                    (handle.metrics().num_workers(), out)
                }))
                .unwrap();
            assert_eq!(seen_workers, workers);
            assert_eq!(out, 21);
        });
    }
}

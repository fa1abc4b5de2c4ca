//! `Builder`: thread names, start/stop hooks, stack size, and the tuning knobs.

#[macro_use]
mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use conductor::runtime::Builder;
use conductor::task::{self, JoinHandle};
use support::{BoundedBarrier, with_timeout};

/// Runs one task per worker at the same time (they meet at a barrier) and returns the names of
/// the threads they ran on.
///
/// The results come back over a plain channel, not through `block_on`: on the multi-thread
/// flavor the thread in `block_on` runs tasks too (a guest worker), and it is not one of the
/// runtime's threads.
fn worker_thread_names(rt: &conductor::runtime::Runtime, workers: usize) -> HashSet<String> {
    let barrier = BoundedBarrier::new(workers);
    let (tx, rx) = mpsc::channel();
    for _ in 0..workers {
        let barrier = barrier.clone();
        let tx = tx.clone();
        rt.spawn(async move {
            let met = barrier.wait();
            tx.send((met, std::thread::current().name().map(str::to_owned)))
                .unwrap();
        });
    }
    (0..workers)
        .map(|_| {
            let (met, name) = rx
                .recv_timeout(support::EVENTUALLY)
                .expect("the tasks never ran");
            assert!(met, "the workers did not all run at once");
            name.expect("worker threads are named")
        })
        .collect()
}

/// Runs `f` in a task on one of `rt`'s workers (not on a `block_on` guest) and returns its
/// output.
fn on_a_worker<T: Send + 'static>(
    rt: &conductor::runtime::Runtime,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    rt.spawn(async move { tx.send(f()).unwrap() });
    rx.recv_timeout(support::EVENTUALLY)
        .expect("the task never ran")
}

#[test]
fn default_worker_thread_names() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let names = worker_thread_names(&rt, 2);
        assert_eq!(names.len(), 2, "{names:?}");
        for name in &names {
            assert!(name.starts_with("conductor-worker-"), "{name}");
        }
        let blocking = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned)))
            .unwrap()
            .unwrap();
        assert!(blocking.starts_with("conductor-blocking-"), "{blocking}");
    });
}

#[test]
fn thread_name_overrides_worker_and_blocking_names() {
    with_timeout(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("my-pool")
            .build()
            .unwrap();
        let names = worker_thread_names(&rt, 2);
        assert_eq!(names, HashSet::from(["my-pool".to_owned()]));
        let blocking = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned)))
            .unwrap();
        assert_eq!(blocking.as_deref(), Some("my-pool"));
    });
}

#[test]
fn thread_name_on_current_thread_names_blocking_threads() {
    with_timeout(|| {
        let rt = Builder::new_current_thread()
            .thread_name(String::from("ct-pool"))
            .build()
            .unwrap();
        // Tasks run on the thread that calls block_on, whatever its name.
        let caller = std::thread::current().name().map(str::to_owned);
        let task_thread = rt
            .block_on(async {
                conductor::spawn(async { std::thread::current().name().map(str::to_owned) }).await
            })
            .unwrap();
        assert_eq!(task_thread, caller);
        let blocking = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned)))
            .unwrap();
        assert_eq!(blocking.as_deref(), Some("ct-pool"));
    });
}

#[test]
fn on_thread_start_and_stop_hooks_run_for_every_thread() {
    with_timeout(|| {
        let started = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicUsize::new(0));
        let start_names = Arc::new(Mutex::new(Vec::new()));
        let rt = {
            let (started, stopped, start_names) =
                (started.clone(), stopped.clone(), start_names.clone());
            Builder::new_multi_thread()
                .worker_threads(2)
                .on_thread_start(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    start_names
                        .lock()
                        .unwrap()
                        .push(std::thread::current().name().map(str::to_owned));
                })
                .on_thread_stop(move || {
                    stopped.fetch_add(1, Ordering::SeqCst);
                })
                .build()
                .unwrap()
        };
        rt.block_on(async {
            conductor::spawn(async {}).await.unwrap();
            task::spawn_blocking(|| ()).await.unwrap();
        });
        // Two workers and at least one blocking thread.
        assert!(
            support::eventually(|| started.load(Ordering::SeqCst) >= 3),
            "{}",
            started.load(Ordering::SeqCst)
        );
        drop(rt);
        let n = started.load(Ordering::SeqCst);
        assert!(
            support::eventually(|| stopped.load(Ordering::SeqCst) == n),
            "started {n}, stopped {}",
            stopped.load(Ordering::SeqCst)
        );
        // The hooks run on the new threads themselves.
        let names = start_names.lock().unwrap();
        assert!(names.iter().any(|n| {
            n.as_deref()
                .is_some_and(|n| n.starts_with("conductor-worker-"))
        }));
        assert!(names.iter().any(|n| {
            n.as_deref()
                .is_some_and(|n| n.starts_with("conductor-blocking-"))
        }));
    });
}

#[test]
fn hooks_run_for_blocking_threads_of_a_current_thread_runtime() {
    with_timeout(|| {
        let started = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicUsize::new(0));
        let rt = {
            let (started, stopped) = (started.clone(), stopped.clone());
            Builder::new_current_thread()
                .on_thread_start(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                })
                .on_thread_stop(move || {
                    stopped.fetch_add(1, Ordering::SeqCst);
                })
                .build()
                .unwrap()
        };
        rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        assert!(started.load(Ordering::SeqCst) >= 1);
        drop(rt);
        let n = started.load(Ordering::SeqCst);
        assert!(support::eventually(|| stopped.load(Ordering::SeqCst) == n));
    });
}

#[test]
fn stop_hooks_run_when_idle_blocking_threads_exit() {
    with_timeout(|| {
        let stopped = Arc::new(AtomicUsize::new(0));
        let rt = {
            let stopped = stopped.clone();
            Builder::new_multi_thread()
                .worker_threads(1)
                .thread_keep_alive(Duration::from_millis(20))
                .on_thread_stop(move || {
                    stopped.fetch_add(1, Ordering::SeqCst);
                })
                .build()
                .unwrap()
        };
        rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        assert!(support::eventually(|| stopped.load(Ordering::SeqCst) >= 1));
        assert!(support::eventually(
            || rt.metrics().num_blocking_threads() == 0
        ));
    });
}

#[test]
fn thread_stack_size_allows_deep_recursion() {
    fn depth(n: u32) -> u32 {
        let pad = [n as u8; 1024];
        if n == 0 {
            0
        } else {
            std::hint::black_box(&pad);
            1 + depth(n - 1)
        }
    }
    with_timeout(|| {
        // Over 4 MiB of stack needed (more than the usual 2 MiB default); 16 MiB given to
        // workers and blocking threads.
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_stack_size(16 * 1024 * 1024)
            .build()
            .unwrap();
        assert_eq!(on_a_worker(&rt, || depth(4000)), 4000);
        assert_eq!(
            rt.block_on(rt.spawn_blocking(|| depth(4000))).unwrap(),
            4000
        );
    });
}

#[test]
fn tuning_knobs_build_working_runtimes() {
    with_timeout(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .global_queue_interval(7)
            .event_interval(3)
            .disable_lifo_slot()
            .max_blocking_threads(3)
            .thread_keep_alive(Duration::from_secs(1))
            .build()
            .unwrap();
        let sum = rt.block_on(async {
            let handles: Vec<JoinHandle<u32>> = (0..1000u32)
                .map(|i| {
                    conductor::spawn(async move {
                        task::yield_now().await;
                        i
                    })
                })
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, (0..1000u32).sum::<u32>());
        let rt = Builder::new_current_thread()
            .global_queue_interval(2)
            .event_interval(1)
            .build()
            .unwrap();
        assert_eq!(
            rt.block_on(async { conductor::spawn(async { 4 }).await.unwrap() }),
            4
        );
    });
}

#[test]
fn global_queue_interval_one_still_runs_local_work() {
    with_timeout(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .global_queue_interval(1)
            .build()
            .unwrap();
        let out = rt.block_on(async {
            conductor::spawn(async {
                let hs: Vec<JoinHandle<u8>> =
                    (0..100).map(|_| conductor::spawn(async { 1 })).collect();
                let mut n = 0u32;
                for h in hs {
                    n += u32::from(h.await.unwrap());
                }
                n
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 100);
    });
}

#[test]
#[should_panic(expected = "worker_threads")]
fn zero_worker_threads_panics() {
    Builder::new_multi_thread().worker_threads(0);
}

#[test]
#[should_panic(expected = "max_blocking_threads")]
fn zero_max_blocking_threads_panics() {
    Builder::new_multi_thread().max_blocking_threads(0);
}

#[test]
fn builder_methods_chain_on_a_named_builder() {
    with_timeout(|| {
        let mut builder = Builder::new_multi_thread();
        builder.worker_threads(1);
        builder.thread_name("chained");
        let rt = builder.build().unwrap();
        let names = worker_thread_names(&rt, 1);
        assert_eq!(names, HashSet::from(["chained".to_owned()]));
        // The builder can build a second runtime.
        let rt2 = builder.build().unwrap();
        assert_eq!(rt2.metrics().num_workers(), 1);
    });
}

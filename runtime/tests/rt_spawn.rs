//! Spawning tasks: many, nested, remote, through handles and enter guards; task ids.

#[macro_use]
mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::ThreadId;

use conductor::runtime::Handle;
use conductor::task::{self, JoinHandle};
use support::{Flavor, with_timeout};

const MANY: u64 = 100_000;

rt_test! {
    async fn spawn_one_and_join() {
        let value = conductor::spawn(async { 40 + 2 }).await.unwrap();
        assert_eq!(value, 42);
    }
}

rt_test! {
    async fn spawn_many_from_block_on_and_sum() {
        let handles: Vec<JoinHandle<u64>> =
            (0..MANY).map(|i| conductor::spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        assert_eq!(sum, MANY * (MANY - 1) / 2);
    }
}

rt_test! {
    async fn spawn_many_from_a_task_and_sum() {
        let sum = conductor::spawn(async {
            let handles: Vec<JoinHandle<u64>> =
                (0..MANY).map(|i| conductor::spawn(async move { i * 2 })).collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.unwrap();
            }
            sum
        })
        .await
        .unwrap();
        assert_eq!(sum, MANY * (MANY - 1));
    }
}

rt_test! {
    async fn nested_spawns_three_levels() {
        // 10 tasks, each spawning 10, each spawning 10: 1000 leaves with distinct values.
        let top: Vec<JoinHandle<u64>> = (0..10u64)
            .map(|a| {
                conductor::spawn(async move {
                    let mid: Vec<JoinHandle<u64>> = (0..10u64)
                        .map(|b| {
                            task::spawn(async move {
                                let leaves: Vec<JoinHandle<u64>> = (0..10u64)
                                    .map(|c| conductor::spawn(async move { a * 100 + b * 10 + c }))
                                    .collect();
                                let mut sum = 0;
                                for leaf in leaves {
                                    sum += leaf.await.unwrap();
                                }
                                sum
                            })
                        })
                        .collect();
                    let mut sum = 0;
                    for m in mid {
                        sum += m.await.unwrap();
                    }
                    sum
                })
            })
            .collect();
        let mut sum = 0;
        for t in top {
            sum += t.await.unwrap();
        }
        assert_eq!(sum, (0..1000u64).sum::<u64>());
    }
}

rt_test! {
    async fn spawn_returns_values_of_any_type() {
        let s = conductor::spawn(async { String::from("hello") }).await.unwrap();
        assert_eq!(s, "hello");
        let v = conductor::spawn(async { vec![1u8; 1000] }).await.unwrap();
        assert_eq!(v.len(), 1000);
        conductor::spawn(async {}).await.unwrap();
        // A large future is fine too.
        let big = [7u8; 16 * 1024];
        let total = conductor::spawn(async move {
            task::yield_now().await;
            big.iter().map(|&b| u64::from(b)).sum::<u64>()
        })
        .await
        .unwrap();
        assert_eq!(total, 7 * 16 * 1024);
    }
}

/// Four foreign threads spawn through cloned handles while the runtime's `block_on` is waiting
/// for their join handles; on the current-thread flavor that also checks that a remote spawn
/// wakes the thread inside `block_on`.
fn remote_spawns_from_four_threads(flavor: Flavor) {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 1000;
    with_timeout(move || {
        let rt = support::runtime(flavor);
        let handle = rt.handle().clone();
        let (tx, rx) = futures::channel::mpsc::unbounded::<Vec<JoinHandle<u64>>>();
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let handle = handle.clone();
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let handles: Vec<JoinHandle<u64>> = (0..PER_THREAD)
                        .map(|i| handle.spawn(async move { t * PER_THREAD + i }))
                        .collect();
                    tx.unbounded_send(handles).unwrap();
                })
            })
            .collect();
        drop(tx);
        let values = rt.block_on(async move {
            use futures::StreamExt;
            let batches: Vec<Vec<JoinHandle<u64>>> = rx.collect().await;
            let mut values = Vec::new();
            for batch in batches {
                for handle in batch {
                    values.push(handle.await.unwrap());
                }
            }
            values
        });
        for thread in threads {
            thread.join().unwrap();
        }
        let values: HashSet<u64> = values.into_iter().collect();
        assert_eq!(values, (0..THREADS * PER_THREAD).collect::<HashSet<_>>());
    });
}

#[test]
fn remote_spawns_from_four_threads_multi_thread() {
    remote_spawns_from_four_threads(Flavor::MultiThread);
}

#[test]
fn remote_spawns_from_four_threads_current_thread() {
    remote_spawns_from_four_threads(Flavor::CurrentThread);
}

#[test]
fn remote_spawns_joined_from_the_spawning_threads() {
    // Multi-thread: each foreign thread joins its own tasks with `Handle::block_on`.
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let handle = rt.handle().clone();
                std::thread::spawn(move || {
                    let handles: Vec<JoinHandle<u64>> = (0..500u64)
                        .map(|i| handle.spawn(async move { t + i }))
                        .collect();
                    handle.block_on(async move {
                        let mut sum = 0;
                        for h in handles {
                            sum += h.await.unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        for (t, thread) in threads.into_iter().enumerate() {
            let t = t as u64;
            assert_eq!(thread.join().unwrap(), 500 * t + (0..500u64).sum::<u64>());
        }
    });
}

#[test]
fn runtime_spawn_before_block_on() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let handles: Vec<JoinHandle<u32>> =
                (0..100).map(|i| rt.spawn(async move { i })).collect();
            let sum = rt.block_on(async move {
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            assert_eq!(sum, (0..100).sum::<u32>());
        });
    }
}

#[test]
fn runtime_new_builds_a_working_runtime() {
    with_timeout(|| {
        let rt = conductor::runtime::Runtime::new().unwrap();
        assert!(rt.metrics().num_workers() >= 1);
        assert_eq!(
            rt.block_on(async { conductor::spawn(async { 5 }).await.unwrap() }),
            5
        );
    });
}

#[test]
fn block_on_returns_the_output_without_spawning() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            assert_eq!(rt.block_on(async { 7 }), 7);
            // block_on can be called again, and takes &self.
            let rt_ref = &rt;
            assert_eq!(rt_ref.block_on(async { "again" }), "again");
        });
    }
}

rt_test! {
    async fn dropping_a_join_handle_detaches_the_task() {
        let (tx, rx) = futures::channel::oneshot::channel();
        let handle = conductor::spawn(async move {
            task::yield_now().await;
            tx.send(99).unwrap();
        });
        drop(handle);
        assert_eq!(rx.await.unwrap(), 99);
    }
}

rt_test! {
    async fn handle_current_inside_a_task_spawns_on_the_same_runtime() {
        let outer_workers = Handle::current().metrics().num_workers();
        let (workers, value) = conductor::spawn(async {
            let handle = Handle::current();
            let value = handle.spawn(async { 3 }).await.unwrap();
            (handle.metrics().num_workers(), value)
        })
        .await
        .unwrap();
        assert_eq!(workers, outer_workers);
        assert_eq!(value, 3);
    }
}

#[test]
fn handle_current_inside_block_on() {
    with_timeout(|| {
        let rt = support::multi_thread(3);
        let workers = rt.block_on(async { Handle::current().metrics().num_workers() });
        assert_eq!(workers, 3);
    });
}

#[test]
fn handle_try_current() {
    with_timeout(|| {
        assert!(Handle::try_current().is_err());
        let rt = support::current_thread();
        assert!(rt.block_on(async { Handle::try_current().is_ok() }));
        assert!(rt.block_on(async {
            conductor::spawn(async { Handle::try_current().is_ok() })
                .await
                .unwrap()
        }));
        assert!(Handle::try_current().is_err());
    });
}

#[test]
fn handle_block_on_from_a_foreign_thread() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let handle = rt.handle().clone();
        let out = std::thread::spawn(move || {
            handle.block_on(async {
                let a = conductor::spawn(async { 20 }).await.unwrap();
                let b = Handle::current().spawn(async { 22 }).await.unwrap();
                a + b
            })
        })
        .join()
        .unwrap();
        assert_eq!(out, 42);
    });
}

#[test]
fn handle_block_on_a_plain_future_on_current_thread() {
    with_timeout(|| {
        let rt = support::current_thread();
        let handle = rt.handle().clone();
        let out =
            std::thread::spawn(move || handle.block_on(async { Handle::try_current().is_ok() }))
                .join()
                .unwrap();
        assert!(out);
    });
}

#[test]
fn enter_guard_lets_a_plain_thread_spawn() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let handle = {
                let _guard = rt.handle().enter();
                assert!(Handle::try_current().is_ok());
                let _ = Handle::current();
                conductor::spawn(async { 11 })
            };
            assert!(
                Handle::try_current().is_err(),
                "the guard's drop must leave the runtime"
            );
            assert_eq!(rt.block_on(handle).unwrap(), 11);
        });
    }
}

#[test]
fn enter_guards_nest() {
    with_timeout(|| {
        let rt1 = support::multi_thread(1);
        let rt2 = support::multi_thread(3);
        let g1 = rt1.handle().enter();
        assert_eq!(Handle::current().metrics().num_workers(), 1);
        {
            let _g2 = rt2.handle().enter();
            assert_eq!(Handle::current().metrics().num_workers(), 3);
        }
        assert_eq!(Handle::current().metrics().num_workers(), 1);
        drop(g1);
        assert!(Handle::try_current().is_err());
    });
}

rt_test! {
    async fn task_id_inside_a_task_equals_the_join_handle_id() {
        let (tx, rx) = futures::channel::oneshot::channel();
        let handle = conductor::spawn(async move {
            let id = rx.await.unwrap();
            assert_eq!(task::id(), id);
            assert_eq!(task::try_id(), Some(id));
            task::id()
        });
        let id = handle.id();
        assert_eq!(handle.abort_handle().id(), id);
        tx.send(id).unwrap();
        assert_eq!(handle.await.unwrap(), id);
    }
}

rt_test! {
    async fn task_ids_are_unique() {
        let handles: Vec<_> = (0..200).map(|_| conductor::spawn(async { task::id() })).collect();
        let from_handles: HashSet<_> = handles.iter().map(|h| h.id()).collect();
        let mut from_tasks = HashSet::new();
        for h in handles {
            from_tasks.insert(h.await.unwrap());
        }
        assert_eq!(from_handles.len(), 200);
        assert_eq!(from_tasks, from_handles);
    }
}

#[test]
fn try_id_is_none_outside_a_task() {
    assert!(task::try_id().is_none());
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let inside =
            rt.block_on(async { conductor::spawn(async { task::try_id() }).await.unwrap() });
        assert!(inside.is_some());
        // The id does not leak out of the task onto the thread that ran or joined it.
        assert!(task::try_id().is_none());
        let on_blocking = rt.block_on(async {
            conductor::spawn(async {
                let id = task::try_id();
                conductor::task::spawn_blocking(task::try_id).await.unwrap() == id
            })
            .await
            .unwrap()
        });
        assert!(
            !on_blocking,
            "a blocking closure must not see the spawning task's id"
        );
    });
}

/// Where the two CPU-bound tasks are spawned from and joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// `Runtime::spawn` from a plain thread, joined without `block_on`: only workers run them.
    Outside,
    /// Spawned by a task on a worker (no `block_on` anywhere): the second sits in that worker's
    /// queue while the first spins, so the other worker must steal it.
    WorkerTask,
    /// Spawned and joined inside `block_on`, whose thread may run one of them as a guest.
    BlockOn,
}

/// Two CPU-bound tasks run at the same time on two threads: each records its thread and sets
/// its flag, then spins (holding its thread) until the other's flag is set.
fn two_cpu_bound_tasks(origin: Origin, disable_lifo: bool) {
    with_timeout(move || {
        let mut builder = conductor::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        if disable_lifo {
            builder.disable_lifo_slot();
        }
        let rt = builder.build().unwrap();
        let a = Arc::new(AtomicBool::new(false));
        let b = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<(ThreadId, Option<String>)>();
        let spinner = |mine: Arc<AtomicBool>, other: Arc<AtomicBool>, tx: mpsc::Sender<_>| async move {
            let me = std::thread::current();
            tx.send((me.id(), me.name().map(str::to_owned))).unwrap();
            mine.store(true, Ordering::Release);
            support::spin_until(&other)
        };
        let (ok_a, ok_b) = match origin {
            Origin::Outside => {
                let ha = rt.spawn(spinner(a.clone(), b.clone(), tx.clone()));
                let hb = rt.spawn(spinner(b, a, tx));
                futures::executor::block_on(async { (ha.await.unwrap(), hb.await.unwrap()) })
            }
            Origin::WorkerTask | Origin::BlockOn => {
                let both = async move {
                    let ha = conductor::spawn(spinner(a.clone(), b.clone(), tx.clone()));
                    let hb = conductor::spawn(spinner(b, a, tx));
                    (ha.await.unwrap(), hb.await.unwrap())
                };
                if origin == Origin::WorkerTask {
                    support::run_on_workers(&rt, both)
                } else {
                    rt.block_on(both)
                }
            }
        };
        assert!(
            ok_a && ok_b,
            "the two tasks never ran at the same time (a: {ok_a}, b: {ok_b})"
        );
        let threads: Vec<(ThreadId, Option<String>)> = rx.try_iter().collect();
        assert_eq!(threads.len(), 2);
        assert_ne!(
            threads[0].0, threads[1].0,
            "both tasks ran on the same thread"
        );
        if origin != Origin::BlockOn {
            for (_, name) in &threads {
                let name = name.as_deref().unwrap_or_default();
                assert!(name.starts_with("conductor-worker-"), "ran on {name:?}");
            }
        }
    });
}

#[test]
fn two_cpu_bound_tasks_run_on_two_workers_at_once() {
    two_cpu_bound_tasks(Origin::Outside, false);
}

#[test]
fn two_cpu_bound_tasks_spawned_from_a_worker_are_stolen() {
    two_cpu_bound_tasks(Origin::WorkerTask, true);
}

#[test]
fn two_cpu_bound_tasks_spawned_from_a_worker_with_the_lifo_slot() {
    two_cpu_bound_tasks(Origin::WorkerTask, false);
}

#[test]
fn two_cpu_bound_tasks_under_block_on() {
    two_cpu_bound_tasks(Origin::BlockOn, false);
}

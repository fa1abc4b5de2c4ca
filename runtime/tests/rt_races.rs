//! Bounded stress of the races the task state machine and the parking protocol must get right:
//! wake-ups that must not be lost, abort against completion, handles dropped against
//! completion, shutdown against spawning. Each runs a fixed number of rounds; a lost wake-up
//! shows as a bounded wait that fails.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use conductor::task::{self, JoinHandle};
use support::{DropCounter, Flavor, with_timeout};

#[test]
fn remote_spawns_wake_idle_workers() {
    // Between rounds every worker goes idle (and parks); each remote spawn must wake one.
    for workers in [1, 2, 3] {
        with_timeout(move || {
            let rt = support::multi_thread(workers);
            let (tx, rx) = mpsc::channel();
            for round in 0..500u32 {
                let tx = tx.clone();
                rt.spawn(async move { tx.send(round).unwrap() });
                assert_eq!(
                    rx.recv_timeout(support::EVENTUALLY),
                    Ok(round),
                    "round {round}: a remote spawn did not wake a worker ({workers} workers)"
                );
            }
        });
    }
}

#[test]
fn foreign_wakes_reach_idle_tasks() {
    // A task parks on a channel; a plain thread sends. Ping-pong between the two: every wake
    // comes from outside the runtime while the workers are idle.
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let (to_task, mut from_outside) = futures::channel::mpsc::unbounded::<u32>();
            let (to_outside, from_task) = mpsc::channel::<u32>();
            let task = rt.spawn(async move {
                use futures::StreamExt;
                while let Some(x) = from_outside.next().await {
                    to_outside.send(x + 1).unwrap();
                }
            });
            let pinger = std::thread::spawn(move || {
                for i in 0..2000u32 {
                    to_task.unbounded_send(i).unwrap();
                    match from_task.recv_timeout(support::EVENTUALLY) {
                        Ok(v) => assert_eq!(v, i + 1),
                        Err(e) => panic!("round {i}: lost wake-up ({e})"),
                    }
                }
            });
            if flavor == Flavor::CurrentThread {
                // Someone has to drive the current-thread runtime.
                rt.block_on(async {
                    while !pinger.is_finished() {
                        task::yield_now().await;
                    }
                });
            }
            pinger.join().unwrap();
            // Dropping the sender (inside the pinger) ends the task.
            rt.block_on(task).unwrap();
        });
    }
}

#[test]
fn wakes_while_the_task_is_running_are_not_lost() {
    // A plain thread wakes the task again and again, often while it is being polled: it must
    // be polled again after each wake that it did not yet see.
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let counter = Arc::new(AtomicUsize::new(0));
        let slot = support::WakerSlot::new();
        let target = 20_000;
        let handle = {
            let (counter, slot) = (counter.clone(), slot.clone());
            rt.spawn(futures::future::poll_fn(move |cx| {
                slot.store(cx.waker());
                if counter.load(Ordering::SeqCst) >= target {
                    std::task::Poll::Ready(())
                } else {
                    std::task::Poll::Pending
                }
            }))
        };
        assert!(support::eventually(|| slot.get().is_some()));
        let waker = slot.get().unwrap();
        let waker_thread = std::thread::spawn(move || {
            for _ in 0..target {
                counter.fetch_add(1, Ordering::SeqCst);
                waker.wake_by_ref();
            }
        });
        waker_thread.join().unwrap();
        // The last increment was followed by a wake: the task sees the target and finishes.
        futures::executor::block_on(handle).unwrap();
    });
}

#[test]
fn abort_races_with_completion() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let drops = DropCounter::new();
            const N: usize = 2000;
            let handles: Vec<JoinHandle<support::DropToken>> = (0..N)
                .map(|i| {
                    let token = drops.token();
                    rt.spawn(async move {
                        for _ in 0..i % 3 {
                            task::yield_now().await;
                        }
                        token
                    })
                })
                .collect();
            // Abort from a plain thread while the tasks run.
            let aborts: Vec<_> = handles.iter().map(|h| h.abort_handle()).collect();
            let aborter = std::thread::spawn(move || {
                for a in aborts.iter().rev() {
                    a.abort();
                }
            });
            let (ok, cancelled) = rt.block_on(async {
                let (mut ok, mut cancelled) = (0, 0);
                for h in handles {
                    match h.await {
                        Ok(token) => {
                            drop(token);
                            ok += 1;
                        }
                        Err(e) => {
                            assert!(e.is_cancelled(), "{e:?}");
                            cancelled += 1;
                        }
                    }
                }
                (ok, cancelled)
            });
            aborter.join().unwrap();
            assert_eq!(ok + cancelled, N);
            // Every token (future or output) dropped exactly once.
            assert!(support::eventually(|| drops.get() >= N));
            assert_eq!(drops.get(), N);
        });
    }
}

#[test]
fn join_handles_dropped_while_tasks_complete() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let drops = DropCounter::new();
        const N: usize = 5000;
        let handles: Vec<JoinHandle<support::DropToken>> = (0..N)
            .map(|i| {
                let token = drops.token();
                rt.spawn(async move {
                    if i % 2 == 0 {
                        task::yield_now().await;
                    }
                    token
                })
            })
            .collect();
        // Drop the handles from a plain thread, racing the completions.
        std::thread::spawn(move || drop(handles)).join().unwrap();
        assert!(
            support::eventually(|| drops.get() >= N),
            "{} of {N}",
            drops.get()
        );
        drop(rt);
        assert_eq!(drops.get(), N);
    });
}

#[test]
fn join_handles_awaited_from_other_threads() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let handles: Vec<JoinHandle<u64>> = (0..1000u64)
            .map(|i| {
                rt.spawn(async move {
                    task::yield_now().await;
                    i
                })
            })
            .collect();
        let mut chunks: Vec<Vec<JoinHandle<u64>>> = Vec::new();
        let mut it = handles.into_iter().peekable();
        while it.peek().is_some() {
            chunks.push(it.by_ref().take(250).collect());
        }
        let joiners: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                std::thread::spawn(move || {
                    futures::executor::block_on(async move {
                        let mut sum = 0;
                        for h in chunk {
                            sum += h.await.unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        let total: u64 = joiners.into_iter().map(|j| j.join().unwrap()).sum();
        assert_eq!(total, (0..1000u64).sum::<u64>());
    });
}

#[test]
fn shutdown_while_tasks_keep_spawning() {
    // Every task spawns a successor before it ends; the runtime is dropped in the middle.
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let drops = DropCounter::new();
            let created = Arc::new(AtomicUsize::new(0));
            fn chain(
                drops: DropCounter,
                created: Arc<AtomicUsize>,
            ) -> impl std::future::Future<Output = ()> + Send {
                created.fetch_add(1, Ordering::SeqCst);
                let token = drops.token();
                async move {
                    let _token = token;
                    task::yield_now().await;
                    drop(conductor::spawn(chain(drops, created)));
                }
            }
            for _ in 0..8 {
                rt.spawn(chain(drops.clone(), created.clone()));
            }
            rt.block_on(async {
                assert!(support::eventually_async(|| created.load(Ordering::SeqCst) > 1000).await);
            });
            drop(rt);
            // Every future created was dropped once (run to the end, or dropped at shutdown).
            let made = created.load(Ordering::SeqCst);
            assert!(support::eventually(|| drops.get() >= made));
            assert_eq!(drops.get(), created.load(Ordering::SeqCst));
        });
    }
}

#[test]
fn shutdown_while_foreign_threads_spawn() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let drops = DropCounter::new();
        let spawned = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let handle = rt.handle().clone();
                let (drops, spawned, stop) = (drops.clone(), spawned.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let token = drops.token();
                        spawned.fetch_add(1, Ordering::SeqCst);
                        drop(handle.spawn(async move {
                            let _token = token;
                            task::yield_now().await;
                        }));
                    }
                })
            })
            .collect();
        assert!(support::eventually(|| spawned.load(Ordering::SeqCst) > 2000));
        drop(rt);
        stop.store(true, Ordering::SeqCst);
        for t in threads {
            t.join().unwrap();
        }
        let n = spawned.load(Ordering::SeqCst);
        assert!(
            support::eventually(|| drops.get() >= n),
            "{} of {n} futures dropped",
            drops.get()
        );
        assert_eq!(drops.get(), n);
    });
}

#[test]
fn join_set_dropped_while_its_tasks_complete() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let drops = DropCounter::new();
            for round in 0..20usize {
                rt.block_on(async {
                    let mut set = conductor::task::JoinSet::new();
                    for i in 0..100usize {
                        let token = drops.token();
                        set.spawn(async move {
                            for _ in 0..(i + round) % 3 {
                                task::yield_now().await;
                            }
                            token
                        });
                    }
                    task::yield_now().await;
                    drop(set);
                });
            }
            rt.block_on(async {
                assert!(
                    support::eventually_async(|| drops.get() == 2000).await,
                    "{}",
                    drops.get()
                );
            });
            drop(rt);
            assert_eq!(drops.get(), 2000);
        });
    }
}

#[test]
fn aborting_a_future_whose_drop_panics() {
    // Dropping the aborted future panics: the runtime must survive it, and the handle must
    // still resolve (as a cancellation or as that panic).
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("drop panics");
            }
        }
    }
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let polled = Arc::new(AtomicBool::new(false));
            let p = polled.clone();
            let handle = rt.spawn(async move {
                let _bomb = PanicOnDrop;
                p.store(true, Ordering::SeqCst);
                std::future::pending::<()>().await;
            });
            rt.block_on(async {
                assert!(support::eventually_async(|| polled.load(Ordering::SeqCst)).await);
            });
            handle.abort();
            let err = rt.block_on(handle).unwrap_err();
            assert!(err.is_cancelled() || err.is_panic(), "{err:?}");
            // The runtime still works.
            let out = rt.block_on(async {
                let hs: Vec<JoinHandle<u32>> = (0..10)
                    .map(|i| conductor::spawn(async move { i }))
                    .collect();
                let mut sum = 0;
                for h in hs {
                    sum += h.await.unwrap();
                }
                sum
            });
            assert_eq!(out, 45);
        });
    }
}

//! `block_on` on the multi-thread flavor, whose calling thread runs tasks as a guest worker
//! while it waits: nothing may be stranded on it, and its results must be right.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use conductor::task::{self, JoinHandle};
use support::{Flavor, with_timeout};

#[test]
fn a_task_woken_by_a_finishing_block_on_still_runs() {
    // The block_on future wakes a task and returns at once: the woken task must not stay
    // behind on the thread that left block_on.
    with_timeout(|| {
        let rt = support::multi_thread(2);
        for round in 0..50u32 {
            let (tx, rx) = futures::channel::oneshot::channel::<u32>();
            let (done_tx, done_rx) = mpsc::channel();
            let polled = Arc::new(AtomicUsize::new(0));
            let p = polled.clone();
            rt.spawn(async move {
                p.fetch_add(1, Ordering::SeqCst);
                let v = rx.await.unwrap();
                done_tx.send(v).unwrap();
            });
            assert!(support::eventually(|| polled.load(Ordering::SeqCst) == 1));
            rt.block_on(async move { tx.send(round).unwrap() });
            assert_eq!(
                done_rx.recv_timeout(support::EVENTUALLY),
                Ok(round),
                "the task woken by block_on never ran"
            );
        }
    });
}

#[test]
fn a_task_spawned_by_a_finishing_block_on_still_runs() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let (tx, rx) = mpsc::channel();
        for i in 0..50u32 {
            let tx = tx.clone();
            rt.block_on(async move {
                drop(conductor::spawn(async move { tx.send(i).unwrap() }));
            });
        }
        let mut got: Vec<u32> = (0..50)
            .map(|_| {
                rx.recv_timeout(support::EVENTUALLY)
                    .expect("a spawned task never ran")
            })
            .collect();
        got.sort_unstable();
        assert_eq!(got, (0..50).collect::<Vec<_>>());
    });
}

rt_test! {
    async fn request_reply_between_block_on_and_a_task() {
        use futures::{SinkExt, StreamExt};
        let (mut req_tx, mut req_rx) = futures::channel::mpsc::channel::<u64>(1);
        let (mut rep_tx, mut rep_rx) = futures::channel::mpsc::channel::<u64>(1);
        let server = conductor::spawn(async move {
            while let Some(x) = req_rx.next().await {
                rep_tx.send(x * 2).await.unwrap();
            }
        });
        for i in 0..2000u64 {
            req_tx.send(i).await.unwrap();
            assert_eq!(rep_rx.next().await, Some(i * 2));
        }
        drop(req_tx);
        server.await.unwrap();
    }
}

#[test]
fn block_on_from_several_threads_at_once() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = Arc::new(support::runtime(flavor));
            let threads: Vec<_> = (0..4u64)
                .map(|t| {
                    let rt = rt.clone();
                    std::thread::spawn(move || {
                        rt.block_on(async move {
                            let hs: Vec<JoinHandle<u64>> = (0..500u64)
                                .map(|i| {
                                    conductor::spawn(async move {
                                        task::yield_now().await;
                                        t * 1000 + i
                                    })
                                })
                                .collect();
                            let mut sum = 0;
                            for h in hs {
                                sum += h.await.unwrap();
                            }
                            sum
                        })
                    })
                })
                .collect();
            for (t, th) in threads.into_iter().enumerate() {
                let t = t as u64;
                assert_eq!(
                    th.join().unwrap(),
                    500 * t * 1000 + (0..500u64).sum::<u64>()
                );
            }
        });
    }
}

#[test]
fn handle_block_on_from_several_foreign_threads_with_spawns() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let handle = rt.handle().clone();
                std::thread::spawn(move || {
                    handle.block_on(async move {
                        let mut set = conductor::task::JoinSet::new();
                        for i in 0..200u64 {
                            set.spawn(async move { i + t });
                        }
                        let mut sum = 0;
                        while let Some(r) = set.join_next().await {
                            sum += r.unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        for (t, th) in threads.into_iter().enumerate() {
            assert_eq!(
                th.join().unwrap(),
                (0..200u64).sum::<u64>() + 200 * t as u64
            );
        }
    });
}

#[test]
fn block_on_runs_while_the_workers_are_all_busy() {
    // With every worker held by a task, block_on's own future and the tasks it spawns still
    // make progress on the calling thread.
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let release = support::Gate::new();
        let barrier = support::BoundedBarrier::new(3);
        let blockers: Vec<JoinHandle<bool>> = (0..2)
            .map(|_| {
                let (release, barrier) = (release.clone(), barrier.clone());
                rt.spawn(async move { barrier.wait() && release.wait() })
            })
            .collect();
        assert!(barrier.wait());
        let out = rt.block_on(async {
            let h = conductor::spawn(async { 21 * 2 });
            h.await.unwrap()
        });
        release.open();
        assert_eq!(out, 42);
        for b in blockers {
            assert!(rt.block_on(b).unwrap());
        }
    });
}

/// The block_on future wakes a task (which the multi-thread guest keeps in its own slot, to run
/// next) and then panics: the woken task must still run.
fn a_task_woken_just_before_block_on_panics_still_runs(flavor: Flavor) {
    with_timeout(move || {
        let rt = support::runtime(flavor);
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let (done_tx, done_rx) = mpsc::channel();
        let polled = Arc::new(AtomicUsize::new(0));
        let p = polled.clone();
        let handle = rt.spawn(async move {
            p.fetch_add(1, Ordering::SeqCst);
            let v = rx.await.unwrap();
            done_tx.send(v).unwrap();
            v
        });
        rt.block_on(async {
            assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) == 1).await);
        });
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async move {
                tx.send(7).unwrap();
                panic!("block_on future panics after a wake");
            })
        }));
        assert!(caught.is_err());
        if flavor == Flavor::MultiThread {
            // The workers must pick the task up without any further block_on.
            assert_eq!(
                done_rx.recv_timeout(support::EVENTUALLY),
                Ok(7),
                "the task woken by the panicking block_on was lost"
            );
        }
        // And its handle completes.
        assert_eq!(rt.block_on(handle).unwrap(), 7);
    });
}

#[test]
fn a_task_woken_just_before_block_on_panics_still_runs_multi_thread() {
    a_task_woken_just_before_block_on_panics_still_runs(Flavor::MultiThread);
}

#[test]
fn a_task_woken_just_before_block_on_panics_still_runs_current_thread() {
    a_task_woken_just_before_block_on_panics_still_runs(Flavor::CurrentThread);
}

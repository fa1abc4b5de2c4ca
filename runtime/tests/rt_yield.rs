//! Cooperative scheduling: `yield_now` and `consume_budget` let peers run.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use conductor::runtime::Builder;
use conductor::task::{self, JoinHandle};
use support::with_timeout;

#[test]
fn yield_now_interleaves_two_tasks_on_current_thread() {
    with_timeout(|| {
        let rt = support::current_thread();
        let log = Arc::new(Mutex::new(Vec::new()));
        rt.block_on(async {
            let handles: Vec<JoinHandle<()>> = ["a", "b"]
                .into_iter()
                .map(|name| {
                    let log = log.clone();
                    conductor::spawn(async move {
                        for i in 0..3 {
                            log.lock().unwrap().push(format!("{name}{i}"));
                            task::yield_now().await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(*log.lock().unwrap(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
    });
}

/// Task A spins on `yield_now` until B has run; on one thread this only ends if the yield lets
/// B in.
fn yield_lets_a_peer_run(rt: conductor::runtime::Runtime) {
    let flag = Arc::new(AtomicBool::new(false));
    let spins = Arc::new(AtomicUsize::new(0));
    let ok = rt.block_on(async {
        let a = {
            let (flag, spins) = (flag.clone(), spins.clone());
            conductor::spawn(async move {
                while !flag.load(Ordering::SeqCst) {
                    spins.fetch_add(1, Ordering::SeqCst);
                    task::yield_now().await;
                }
            })
        };
        let b = {
            let flag = flag.clone();
            conductor::spawn(async move { flag.store(true, Ordering::SeqCst) })
        };
        b.await.unwrap();
        a.await.unwrap();
        true
    });
    assert!(ok);
}

#[test]
fn yield_now_lets_a_peer_run_on_current_thread() {
    with_timeout(|| yield_lets_a_peer_run(support::current_thread()));
}

#[test]
fn yield_now_lets_a_peer_run_on_one_worker() {
    with_timeout(|| yield_lets_a_peer_run(support::multi_thread(1)));
}

#[test]
fn yield_now_lets_a_peer_spawned_from_the_yielder_run() {
    // A yielding task must not sit in the LIFO slot ahead of the task it just spawned forever.
    for lifo in [true, false] {
        with_timeout(move || {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(1);
            if !lifo {
                b.disable_lifo_slot();
            }
            let rt = b.build().unwrap();
            let out = rt.block_on(async {
                conductor::spawn(async {
                    let flag = Arc::new(AtomicBool::new(false));
                    let f = flag.clone();
                    let peer = conductor::spawn(async move { f.store(true, Ordering::SeqCst) });
                    while !flag.load(Ordering::SeqCst) {
                        task::yield_now().await;
                    }
                    peer.await.unwrap();
                    true
                })
                .await
                .unwrap()
            });
            assert!(out);
        });
    }
}

#[test]
fn ping_pong_through_yield_on_one_worker() {
    // Two tasks take turns through a shared counter; each only proceeds on its own parity.
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let turn = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let hs: Vec<JoinHandle<()>> = (0..2)
                .map(|me| {
                    let turn = turn.clone();
                    conductor::spawn(async move {
                        for _ in 0..100 {
                            while turn.load(Ordering::SeqCst) % 2 != me {
                                task::yield_now().await;
                            }
                            turn.fetch_add(1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();
            for h in hs {
                h.await.unwrap();
            }
        });
        assert_eq!(turn.load(Ordering::SeqCst), 200);
    });
}

/// A task that only calls `consume_budget` in a loop is forced to yield once its budget is spent,
/// so a peer on the same thread gets to run.
fn consume_budget_lets_a_peer_run(rt: conductor::runtime::Runtime) {
    let flag = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicBool::new(false));
    rt.block_on(async {
        let a = {
            let flag = flag.clone();
            let started = started.clone();
            conductor::spawn(async move {
                started.store(true, Ordering::SeqCst);
                let mut n = 0u64;
                while !flag.load(Ordering::SeqCst) {
                    task::consume_budget().await;
                    n += 1;
                }
                n
            })
        };
        // The peer waits until `a` is spinning (spawn order says nothing about run order:
        // the newest spawn takes the LIFO slot), then needs `a` to yield to get a turn.
        let b = {
            let flag = flag.clone();
            let started = started.clone();
            conductor::spawn(async move {
                while !started.load(Ordering::SeqCst) {
                    task::yield_now().await;
                }
                flag.store(true, Ordering::SeqCst)
            })
        };
        b.await.unwrap();
        assert!(a.await.unwrap() > 0);
    });
}

#[test]
fn consume_budget_lets_a_peer_run_on_current_thread() {
    with_timeout(|| consume_budget_lets_a_peer_run(support::current_thread()));
}

#[test]
fn consume_budget_lets_a_peer_run_on_one_worker() {
    with_timeout(|| consume_budget_lets_a_peer_run(support::multi_thread(1)));
}

rt_test! {
    async fn yield_now_in_block_on_lets_tasks_run() {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let handle = conductor::spawn(async move { f.store(true, Ordering::SeqCst) });
        assert!(support::eventually_async(|| flag.load(Ordering::SeqCst)).await);
        handle.await.unwrap();
    }
}

rt_test! {
    async fn many_tasks_yielding_many_times() {
        let total = Arc::new(AtomicUsize::new(0));
        let hs: Vec<JoinHandle<()>> = (0..100)
            .map(|_| {
                let total = total.clone();
                conductor::spawn(async move {
                    for _ in 0..100 {
                        total.fetch_add(1, Ordering::Relaxed);
                        task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
        assert_eq!(total.load(Ordering::SeqCst), 10_000);
    }
}

//! Hardening, stress: many tasks in chains and fans, wake storms from foreign threads, spawn
//! storms during shutdown, `JoinSet` abort storms, timers reset while others fire, and many
//! TCP connections through one listener. Every check is an exact count: each task ran once,
//! each future was dropped once, each byte arrived.
//!
//! Sizes are reduced by default; `CONDUCTOR_FULL=1` runs the sizes (see
//! `scripts/hardening-full.sh`), `CONDUCTOR_TINY=1` a tenth (for valgrind).

#[macro_use]
mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{TcpListener, TcpStream};
use conductor::task::JoinSet;
use conductor::time::{self, Instant};
use support::{DropCounter, DropToken, Flavor, runtime, size, with_timeout_of};

/// Generous bound for one stress test at full size on a loaded 2-core machine.
const STRESS_TIMEOUT: Duration = Duration::from_secs(300);

/// Spawns a chain of `depth` tasks (each spawns the next) and `fan` children per link.
fn chain(
    depth: usize,
    fan: usize,
    ran: Arc<AtomicUsize>,
    drops: DropCounter,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let token = drops.token();
    Box::pin(async move {
        let _token = token;
        ran.fetch_add(1, Ordering::Relaxed);
        let mut children = Vec::with_capacity(fan);
        for _ in 0..fan {
            let (ran, t) = (ran.clone(), drops.token());
            children.push(conductor::spawn(async move {
                let _t = t;
                ran.fetch_add(1, Ordering::Relaxed);
            }));
        }
        if depth > 1 {
            conductor::spawn(chain(depth - 1, fan, ran.clone(), drops.clone()))
                .await
                .unwrap();
        }
        for c in children {
            c.await.unwrap();
        }
    })
}

#[test]
fn million_tasks_in_chains_and_fans_each_run_and_drop_once() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout_of(STRESS_TIMEOUT, move || {
            // `chains` chains of `depth` links with `fan` leaves each: chains * depth * (1 + fan).
            let total = size(20_000, 1_000_000);
            let (depth, fan) = (100, 9);
            let chains = total.div_ceil(depth * (1 + fan));
            let expected = chains * depth * (1 + fan);
            let ran = Arc::new(AtomicUsize::new(0));
            let drops = DropCounter::new();
            let rt = runtime(flavor);
            rt.block_on(async {
                let heads: Vec<_> = (0..chains)
                    .map(|_| conductor::spawn(chain(depth, fan, ran.clone(), drops.clone())))
                    .collect();
                for h in heads {
                    h.await.unwrap();
                }
            });
            assert_eq!(ran.load(Ordering::Relaxed), expected, "{flavor:?}");
            // A task leaves the owned list just after waking its JoinHandle.
            assert!(
                support::eventually(|| rt.metrics().num_alive_tasks() == 0),
                "{flavor:?}"
            );
            drop(rt);
            assert_eq!(drops.get(), expected, "{flavor:?}");
        });
    }
}

/// A task's side of the wake storm: pending until `round` reaches its target.
struct Signal {
    round: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

struct WaitRound<'a>(&'a Signal, usize);

impl Future for WaitRound<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        // Acquire pairs with the main thread's Release bump.
        if self.0.round.load(Ordering::Acquire) >= self.1 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[test]
fn tasks_woken_from_eight_foreign_threads_at_once_run_every_round() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout_of(STRESS_TIMEOUT, move || {
            let n = size(2_000, 10_000);
            let rounds = size(20, 100);
            const WAKERS: usize = 8;
            let signals: Arc<Vec<Signal>> = Arc::new(
                (0..n)
                    .map(|_| Signal {
                        round: AtomicUsize::new(0),
                        waker: Mutex::new(None),
                    })
                    .collect(),
            );
            let reached = Arc::new(AtomicUsize::new(0));
            let rt = runtime(flavor);
            let handles: Vec<_> = (0..n)
                .map(|i| {
                    let (signals, reached) = (signals.clone(), reached.clone());
                    rt.spawn(async move {
                        let mut polls = 0;
                        for r in 1..=rounds {
                            WaitRound(&signals[i], r).await;
                            polls += 1;
                            reached.fetch_add(1, Ordering::SeqCst);
                        }
                        polls
                    })
                })
                .collect();
            let start = Arc::new(Barrier::new(WAKERS + 1));
            let done = Arc::new(Barrier::new(WAKERS + 1));
            let threads: Vec<_> = (0..WAKERS)
                .map(|_| {
                    let (signals, start, done) = (signals.clone(), start.clone(), done.clone());
                    std::thread::spawn(move || {
                        for _ in 0..rounds {
                            start.wait();
                            for s in signals.iter() {
                                if let Some(w) = s.waker.lock().unwrap().clone() {
                                    w.wake();
                                }
                            }
                            done.wait();
                        }
                    })
                })
                .collect();
            // The runtime must make progress while this thread coordinates: a
            // current-thread runtime only runs inside block_on, so drive it from a helper.
            let stop = Arc::new(AtomicBool::new(false));
            let rt = Arc::new(rt);
            let driver = matches!(flavor, Flavor::CurrentThread).then(|| {
                let (stop, rt) = (stop.clone(), rt.clone());
                std::thread::spawn(move || {
                    rt.block_on(async {
                        while !stop.load(Ordering::SeqCst) {
                            time::sleep(Duration::from_micros(200)).await;
                        }
                    })
                })
            });
            for r in 1..=rounds {
                for s in signals.iter() {
                    s.round.store(r, Ordering::Release);
                }
                start.wait();
                done.wait();
                assert!(
                    support::eventually(|| reached.load(Ordering::SeqCst) == r * n),
                    "{flavor:?} round {r}: {} of {} tasks woke",
                    reached.load(Ordering::SeqCst) - (r - 1) * n,
                    n
                );
            }
            for t in threads {
                t.join().unwrap();
            }
            for h in handles {
                assert_eq!(futures::executor::block_on(h).unwrap(), rounds);
            }
            stop.store(true, Ordering::SeqCst);
            if let Some(t) = driver {
                t.join().unwrap();
            }
        });
    }
}

#[test]
fn spawn_storm_during_shutdown_drops_every_future_once() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout_of(STRESS_TIMEOUT, move || {
            let iterations = size(20, 200);
            for _ in 0..iterations {
                let rt = runtime(flavor);
                let drops = DropCounter::new();
                let spawned = Arc::new(AtomicUsize::new(0));
                let go = Arc::new(Barrier::new(5));
                let threads: Vec<_> = (0..4)
                    .map(|_| {
                        let (handle, drops, spawned, go) = (
                            rt.handle().clone(),
                            drops.clone(),
                            spawned.clone(),
                            go.clone(),
                        );
                        std::thread::spawn(move || {
                            go.wait();
                            let mut handles = Vec::new();
                            for i in 0..500 {
                                let t: DropToken = drops.token();
                                spawned.fetch_add(1, Ordering::SeqCst);
                                handles.push(handle.spawn(async move {
                                    let _t = t;
                                    if i % 2 == 0 {
                                        std::future::pending::<()>().await;
                                    }
                                    conductor::task::yield_now().await;
                                }));
                            }
                            handles
                        })
                    })
                    .collect();
                go.wait();
                drop(rt); // while the threads spawn
                for t in threads {
                    for h in t.join().unwrap() {
                        // Either ran to completion or was cancelled by the shutdown.
                        match futures::executor::block_on(h) {
                            Ok(()) => {}
                            Err(e) => assert!(e.is_cancelled(), "{e}"),
                        }
                    }
                }
                assert_eq!(drops.get(), spawned.load(Ordering::SeqCst), "{flavor:?}");
            }
        });
    }
}

rt_test! {
    async fn join_set_abort_storms_account_for_every_task() {
        let rounds = size(20, 500);
        let per_round = size(500, 2_000);
        let drops = DropCounter::new();
        let mut total = 0;
        for round in 0..rounds {
            let mut set = JoinSet::new();
            for i in 0..per_round {
                let t = drops.token();
                set.spawn(async move {
                    let _t = t;
                    match i % 3 {
                        0 => std::future::pending::<usize>().await,
                        1 => {
                            conductor::task::yield_now().await;
                            i
                        }
                        _ => i,
                    }
                });
                if i % 97 == 0 && round % 2 == 0 {
                    set.abort_all();
                }
            }
            set.abort_all();
            let (mut ok, mut cancelled) = (0, 0);
            while let Some(res) = set.join_next().await {
                match res {
                    Ok(i) => {
                        assert_ne!(i % 3, 0);
                        ok += 1;
                    }
                    Err(e) => {
                        assert!(e.is_cancelled());
                        cancelled += 1;
                    }
                }
            }
            assert_eq!(ok + cancelled, per_round);
            total += per_round;
            assert!(support::eventually_async(|| drops.get() == total).await);
        }
        assert_eq!(drops.get(), rounds * per_round);
    }
}

rt_test! {
    async fn timers_reset_in_a_loop_while_others_fire_fire_exactly_once() {
        let n = size(2_000, 10_000);
        let fired = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let fired = fired.clone();
                conductor::spawn(async move {
                    let mut sleep = Box::pin(time::sleep(Duration::from_millis((i % 7) as u64)));
                    // Reset several times while other tasks' timers are firing.
                    for j in 0..5u64 {
                        let d = Duration::from_micros(((i as u64 * 31 + j * 17) % 3_000) + 1);
                        sleep.as_mut().reset(Instant::now() + d);
                        if j % 2 == 0 {
                            // Poll it once so it is registered with a waker.
                            let _ = futures::poll!(sleep.as_mut());
                        }
                        conductor::task::yield_now().await;
                    }
                    sleep.await;
                    fired.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(fired.load(Ordering::SeqCst), n);
    }
}

rt_test! {
    async fn tcp_connections_through_one_listener_deliver_every_byte() {
        let conns = size(200, 1_000);
        const MSG: usize = 4096;
        const CONCURRENT: usize = 50;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        // Spinners that keep the workers busy.
        let spinners: Vec<_> = (0..2)
            .map(|_| {
                let stop = stop.clone();
                conductor::spawn(async move {
                    let mut spins = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        conductor::task::yield_now().await;
                        spins += 1;
                    }
                    spins
                })
            })
            .collect();
        let server = conductor::spawn(async move {
            let mut echoed = Vec::new();
            for _ in 0..conns {
                let (mut s, _) = listener.accept().await.unwrap();
                echoed.push(conductor::spawn(async move {
                    let mut buf = vec![0u8; MSG];
                    s.read_exact(&mut buf).await.unwrap();
                    s.write_all(&buf).await.unwrap();
                    MSG
                }));
            }
            let mut bytes = 0;
            for e in echoed {
                bytes += e.await.unwrap();
            }
            bytes
        });
        let mut delivered = 0;
        let mut next = 0;
        while next < conns {
            let batch: Vec<_> = (next..(next + CONCURRENT).min(conns))
                .map(|c| {
                    conductor::spawn(async move {
                        let mut s = TcpStream::connect(addr).await.unwrap();
                        let msg: Vec<u8> = (0..MSG).map(|k| (k * 7 + c) as u8).collect();
                        s.write_all(&msg).await.unwrap();
                        let mut back = vec![0u8; MSG];
                        s.read_exact(&mut back).await.unwrap();
                        assert_eq!(back, msg, "connection {c}");
                        MSG
                    })
                })
                .collect();
            next += batch.len();
            for b in batch {
                delivered += b.await.unwrap();
            }
        }
        assert_eq!(delivered, conns * MSG);
        assert_eq!(server.await.unwrap(), conns * MSG);
        stop.store(true, Ordering::Relaxed);
        for s in spinners {
            assert!(s.await.unwrap() > 0);
        }
    }
}

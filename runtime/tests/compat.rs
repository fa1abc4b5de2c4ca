//! Runtime-agnostic crates on conductor's multi-thread runtime: `futures` (channels,
//! `join!`/`select!`, `FuturesUnordered`), `async-channel` and `async-lock`. They need nothing
//! from the runtime but `Waker`s, which is what these tests show: every value sent arrives,
//! locks exclude, and nothing hangs.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use support::{Flavor, run};

fn multi_thread<F, Fut>(make: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    run(Flavor::MultiThread, make);
}

#[test]
fn futures_mpsc_between_tasks() {
    multi_thread(|| async {
        let (tx, rx) = mpsc::channel::<u32>(8); // bounded: senders wait for room
        let producers: Vec<_> = (0..4u32)
            .map(|p| {
                let mut tx = tx.clone();
                conductor::spawn(async move {
                    for i in 0..250 {
                        tx.send(p * 1000 + i).await.unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let mut got: Vec<u32> = rx.collect().await;
        for p in producers {
            p.await.unwrap();
        }
        got.sort_unstable();
        let expected: Vec<u32> = (0..4u32)
            .flat_map(|p| (0..250).map(move |i| p * 1000 + i))
            .collect();
        assert_eq!(got, expected);
    });
}

#[test]
fn futures_oneshot_and_join() {
    multi_thread(|| async {
        let (tx_a, rx_a) = oneshot::channel();
        let (tx_b, rx_b) = oneshot::channel();
        conductor::spawn(async move { tx_a.send("a").unwrap() });
        conductor::spawn(async move { tx_b.send(2).unwrap() });
        let (a, b, c) = futures::join!(rx_a, rx_b, async { 3 });
        assert_eq!((a.unwrap(), b.unwrap(), c), ("a", 2, 3));

        // A dropped sender is seen as cancellation.
        let (tx, rx) = oneshot::channel::<()>();
        conductor::spawn(async move { drop(tx) });
        assert!(rx.await.is_err());
    });
}

#[test]
fn futures_select_picks_the_ready_branch() {
    multi_thread(|| async {
        let (tx, rx) = oneshot::channel::<u32>();
        conductor::spawn(async move {
            conductor::time::sleep(Duration::from_millis(5)).await;
            tx.send(7).unwrap();
        });
        let mut rx = rx.fuse();
        let mut never = futures::future::pending::<u32>().fuse();
        let got = futures::select! {
            v = rx => v.unwrap(),
            v = never => v,
        };
        assert_eq!(got, 7);

        // select! with a timer: the sleep wins against a future that never completes.
        let mut sleep = Box::pin(conductor::time::sleep(Duration::from_millis(1))).fuse();
        let mut never = futures::future::pending::<()>().fuse();
        let which = futures::select! {
            () = sleep => "sleep",
            () = never => "never",
        };
        assert_eq!(which, "sleep");
    });
}

#[test]
fn futures_unordered_of_join_handles() {
    multi_thread(|| async {
        let mut set: FuturesUnordered<_> = (0..100u64)
            .map(|i| conductor::spawn(async move { i * i }))
            .collect();
        let mut sum = 0;
        while let Some(res) = set.next().await {
            sum += res.unwrap();
        }
        assert_eq!(sum, (0..100u64).map(|i| i * i).sum::<u64>());
    });
}

#[test]
fn async_channel_mpmc() {
    multi_thread(|| async {
        let (tx, rx) = async_channel::bounded::<u32>(4);
        let received = Arc::new(AtomicUsize::new(0));
        let sum = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let (rx, received, sum) = (rx.clone(), received.clone(), sum.clone());
                conductor::spawn(async move {
                    while let Ok(v) = rx.recv().await {
                        received.fetch_add(1, Ordering::Relaxed);
                        sum.fetch_add(v as usize, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        drop(rx);
        let producers: Vec<_> = (0..3u32)
            .map(|_| {
                let tx = tx.clone();
                conductor::spawn(async move {
                    for i in 1..=200 {
                        tx.send(i).await.unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        for p in producers {
            p.await.unwrap();
        }
        for c in consumers {
            c.await.unwrap(); // each ends when the last sender is gone
        }
        assert_eq!(received.load(Ordering::Relaxed), 600);
        assert_eq!(sum.load(Ordering::Relaxed), 3 * (200 * 201 / 2));

        // A closed channel hands the value back.
        let (tx, rx) = async_channel::unbounded::<&str>();
        drop(rx);
        assert_eq!(tx.send("kept").await.unwrap_err().into_inner(), "kept");
    });
}

#[test]
fn async_lock_mutex_rwlock_semaphore_barrier() {
    multi_thread(|| async {
        // Mutex: increments held across an await are not lost.
        let counter = Arc::new(async_lock::Mutex::new(0u32));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let counter = counter.clone();
                conductor::spawn(async move {
                    for _ in 0..100 {
                        let mut guard = counter.lock().await;
                        let v = *guard;
                        conductor::task::yield_now().await;
                        *guard = v + 1;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*counter.lock().await, 800);

        // RwLock: readers share, a writer excludes.
        let lock = Arc::new(async_lock::RwLock::new(vec![1]));
        {
            let r1 = lock.read().await;
            let r2 = lock.read().await;
            assert_eq!(r1.len() + r2.len(), 2);
            assert!(lock.try_write().is_none());
        }
        lock.write().await.push(2);
        assert_eq!(*lock.read().await, vec![1, 2]);

        // Semaphore: at most 2 tasks inside at once.
        let sem = Arc::new(async_lock::Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (sem, inside, max) = (sem.clone(), inside.clone(), max.clone());
                conductor::spawn(async move {
                    let _permit = sem.acquire().await;
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    conductor::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(max.load(Ordering::SeqCst) <= 2);

        // Barrier: exactly one leader among 4 tasks.
        let barrier = Arc::new(async_lock::Barrier::new(4));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let barrier = barrier.clone();
                conductor::spawn(async move { barrier.wait().await.is_leader() })
            })
            .collect();
        let mut leaders = 0;
        for t in tasks {
            leaders += usize::from(t.await.unwrap());
        }
        assert_eq!(leaders, 1);
    });
}

//! `Semaphore`: FIFO order, exact permit accounting under cancellation, close, owned permits,
//! on conductor and on `futures::executor`.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;

use conductor_sync::{Semaphore, TryAcquireError};
use support::{CountingWaker, multi_thread, poll};

#[test]
fn waiters_are_served_in_fifo_order_and_big_requests_are_not_overtaken() {
    let sem = Semaphore::new(0);
    let (wakes, waker) = CountingWaker::new();
    let mut big = pin!(sem.acquire_many(3));
    let mut small = pin!(sem.acquire());
    assert!(poll(big.as_mut(), &waker).is_pending());
    assert!(poll(small.as_mut(), &waker).is_pending());

    // Two permits go to the head (which needs three), not to the one needing one.
    sem.add_permits(2);
    assert_eq!(sem.available_permits(), 0);
    assert!(poll(small.as_mut(), &waker).is_pending());
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    assert_eq!(wakes.wakes(), 0);

    sem.add_permits(2);
    assert_eq!(wakes.wakes(), 2, "both waiters woken");
    let big = match poll(big.as_mut(), &waker) {
        std::task::Poll::Ready(p) => p.unwrap(),
        _ => panic!("head not granted"),
    };
    assert_eq!(big.num_permits(), 3);
    assert!(poll(small.as_mut(), &waker).is_ready());
}

/// Polls `sem.acquire()` once (queueing it), counts it in `queued`, then awaits it.
async fn queue_then_acquire<'a>(
    sem: &'a Semaphore,
    queued: &AtomicUsize,
) -> Result<conductor_sync::SemaphorePermit<'a>, conductor_sync::AcquireError> {
    let mut acquire = Box::pin(sem.acquire());
    if let std::task::Poll::Ready(out) = futures::poll!(acquire.as_mut()) {
        queued.fetch_add(1, SeqCst);
        return out;
    }
    queued.fetch_add(1, SeqCst);
    acquire.await
}

async fn wait_for(counter: &AtomicUsize, n: usize) {
    while counter.load(SeqCst) < n {
        conductor::task::yield_now().await;
    }
}

#[test]
fn fifo_order_of_many_tasks_on_a_runtime() {
    let order = multi_thread(async {
        let sem = Arc::new(Semaphore::new(0));
        let queued = Arc::new(AtomicUsize::new(0));
        let order = Arc::new(StdMutex::new(Vec::new()));
        let mut handles = Vec::new();
        for i in 0..10 {
            let (sem2, order2, queued2) = (sem.clone(), order.clone(), queued.clone());
            handles.push(conductor::spawn(async move {
                let permit = queue_then_acquire(&sem2, &queued2).await.unwrap();
                order2.lock().unwrap().push(i);
                permit.forget();
            }));
            // Task i is queued before task i + 1 is spawned.
            wait_for(&queued, i + 1).await;
        }
        // One permit at a time, so the recorded order is the grant order (not the order in
        // which the scheduler happened to run the woken tasks).
        for i in 0..10 {
            sem.add_permits(1);
            while order.lock().unwrap().len() < i + 1 {
                conductor::task::yield_now().await;
            }
        }
        for h in handles {
            h.await.unwrap();
        }
        Arc::try_unwrap(order).unwrap().into_inner().unwrap()
    });
    assert_eq!(order, (0..10).collect::<Vec<_>>());
}

#[test]
fn cancelled_waiters_lose_no_permit() {
    let sem = Semaphore::new(0);
    let (_w, waker) = CountingWaker::new();
    {
        let mut a = Box::pin(sem.acquire_many(5));
        let mut b = Box::pin(sem.acquire_many(2));
        assert!(poll(a.as_mut(), &waker).is_pending());
        assert!(poll(b.as_mut(), &waker).is_pending());
        sem.add_permits(3); // all assigned to `a`, which still needs 2
        assert_eq!(sem.available_permits(), 0);
        drop(a); // its 3 go on: 2 to `b`, 1 left over
        assert_eq!(sem.available_permits(), 1);
        assert!(poll(b.as_mut(), &waker).is_ready());
    }
    // The permit of `b` was dropped with it.
    assert_eq!(sem.available_permits(), 3);

    // Granted but never polled again, then dropped: the permits come back.
    let mut c = Box::pin(sem.acquire_many(4));
    assert!(poll(c.as_mut(), &waker).is_pending());
    sem.add_permits(1);
    drop(c);
    assert_eq!(sem.available_permits(), 4);
    // A later waiter is not blocked by a stale WAITERS flag.
    assert_eq!(sem.try_acquire_many(4).unwrap().num_permits(), 4);
}

#[test]
fn cancellation_races_releases_on_a_runtime_with_exact_counts() {
    const PERMITS: usize = 3;
    multi_thread(async {
        let sem = Arc::new(Semaphore::new(PERMITS));
        let mut handles = Vec::new();
        for i in 0..200u64 {
            let sem = sem.clone();
            handles.push(conductor::spawn(async move {
                let acquire = sem.acquire_many(1 + (i % 2) as u32);
                // Half the tasks give up after one poll (maybe after being granted).
                if i % 3 == 0 {
                    let mut acquire = Box::pin(acquire);
                    let _ = futures::poll!(acquire.as_mut());
                    conductor::task::yield_now().await;
                } else {
                    let _p = acquire.await.unwrap();
                    conductor::task::yield_now().await;
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(sem.available_permits(), PERMITS);
        assert_eq!(
            sem.try_acquire_many(PERMITS as u32).unwrap().num_permits(),
            PERMITS
        );
    });
}

#[test]
fn close_fails_every_waiter_and_later_acquires() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let (wakes, waker) = CountingWaker::new();
    let mut a = Box::pin(sem.acquire());
    let mut b = Box::pin(sem.acquire_many(2));
    assert!(poll(a.as_mut(), &waker).is_pending());
    assert!(poll(b.as_mut(), &waker).is_pending());
    sem.close();
    assert_eq!(wakes.wakes(), 2);
    assert!(matches!(
        poll(a.as_mut(), &waker),
        std::task::Poll::Ready(Err(_))
    ));
    assert!(matches!(
        poll(b.as_mut(), &waker),
        std::task::Poll::Ready(Err(_))
    ));
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    assert!(futures::executor::block_on(sem.acquire()).is_err());
    // A permit held across the close still returns.
    drop(held);
    assert_eq!(sem.available_permits(), 1);
    assert!(sem.is_closed());
}

#[test]
fn close_wakes_waiting_tasks_on_a_runtime() {
    multi_thread(async {
        let sem = Arc::new(Semaphore::new(0));
        let queued = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (sem, queued) = (sem.clone(), queued.clone());
                conductor::spawn(async move { queue_then_acquire(&sem, &queued).await.is_err() })
            })
            .collect();
        wait_for(&queued, 8).await;
        sem.close();
        for h in handles {
            assert!(h.await.unwrap(), "every waiter gets AcquireError");
        }
    });
}

#[test]
fn forget_and_merge_and_owned_permits() {
    let sem = Arc::new(Semaphore::new(4));
    let mut p = sem.try_acquire().unwrap();
    p.merge(sem.try_acquire().unwrap());
    assert_eq!(p.num_permits(), 2);
    p.forget();
    assert_eq!(sem.available_permits(), 2);

    let owned = sem.clone().try_acquire_many_owned(2).unwrap();
    assert_eq!(sem.available_permits(), 0);
    std::thread::spawn(move || drop(owned)).join().unwrap();
    assert_eq!(sem.available_permits(), 2);

    let owned = futures::executor::block_on(sem.clone().acquire_many_owned(2)).unwrap();
    assert!(Arc::ptr_eq(owned.semaphore(), &sem));
    owned.forget();
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn runtime_agnostic_on_futures_executor_threads() {
    let sem = Arc::new(Semaphore::new(2));
    let counter = Arc::new(StdMutex::new((0usize, 0usize))); // (inside, max inside)
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (sem, counter) = (sem.clone(), counter.clone());
            std::thread::spawn(move || {
                for _ in 0..200 {
                    futures::executor::block_on(async {
                        let _p = sem.acquire().await.unwrap();
                        let mut c = counter.lock().unwrap();
                        c.0 += 1;
                        c.1 = c.1.max(c.0);
                        drop(c);
                        std::thread::yield_now();
                        counter.lock().unwrap().0 -= 1;
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let (inside, max) = *counter.lock().unwrap();
    assert_eq!(inside, 0);
    assert!(max <= 2, "at most two holders at once, saw {max}");
    assert_eq!(sem.available_permits(), 2);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn too_many_permits_panics_with_a_message() {
    let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    sem.add_permits(1);
}

#[test]
fn acquire_spends_the_coop_budget() {
    // On conductor, a loop of always-ready acquires still yields: the task completes, and the
    // other task (which needs the worker) runs meanwhile on a current-thread runtime.
    support::current_thread(async {
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f2 = flag.clone();
        conductor::spawn(async move { f2.store(true, std::sync::atomic::Ordering::SeqCst) });
        let sem = Semaphore::new(1);
        let mut spins = 0u64;
        while !flag.load(std::sync::atomic::Ordering::SeqCst) {
            drop(sem.acquire().await.unwrap());
            spins += 1;
            assert!(spins < 1_000_000, "the budget never made the loop yield");
        }
    });
}

//! Issue 9: the semaphore's wait-list protocol (`sync/src/batch_semaphore.rs`): the permit
//! word's fast paths vs the `WAITERS` flag set under the wait-list mutex, and a waiting acquire
//! cancelled while a release hands it permits. Mutex and RwLock are this semaphore.
#![cfg(conductor_loom)]

use std::task::Poll;

use conductor_sync::Semaphore;
use loom_tests::{Arc, CountingWaker, block_on, model, poll_once, thread};

/// Guards: a queued acquire dropped (cancelled) while another thread releases a permit. The
/// release either finds WAITERS set and assigns the permit to the queued waiter (whose drop
/// then passes it on), or runs after the drop cleared WAITERS and makes it available. Either
/// way exactly one permit is available at the end: none lost, none duplicated.
#[test]
fn acquire_cancelled_vs_release() {
    model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let (_wakes, waker) = CountingWaker::new();
        let mut acquire = Box::pin(sem.acquire());
        assert!(poll_once(&mut acquire, &waker).is_pending());

        let releaser = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        drop(acquire);
        releaser.join().unwrap();

        assert_eq!(sem.available_permits(), 1);
        assert!(
            sem.try_acquire().is_ok(),
            "no stale WAITERS flag blocks the fast path"
        );
    });
}

/// Guards: an acquire on an empty semaphore (fast-path CAS fails, then under the lock it sets
/// WAITERS and queues) vs a release on another thread (fast-path CAS that fails if WAITERS
/// appeared). The acquirer ends up with the permit and is woken if it queued: a lost wake
/// would leave `block_on` asleep, which loom reports as a deadlock.
#[test]
fn acquire_vs_release_no_lost_wake() {
    model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let releaser = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        let permit = block_on(sem.acquire()).unwrap();
        releaser.join().unwrap();
        assert_eq!(sem.available_permits(), 0);
        drop(permit);
        assert_eq!(sem.available_permits(), 1);
    });
}

/// Guards: two waiters queued; the head is cancelled while a release runs. The permit reaches
/// the second waiter (directly, or passed on by the head's drop), which is woken: it then
/// completes, and the permit count is exact afterwards.
#[test]
fn head_cancelled_vs_release_passes_permit_to_next() {
    model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let (_w1, w1) = CountingWaker::new();
        let mut head = Box::pin(sem.acquire());
        assert!(poll_once(&mut head, &w1).is_pending());

        let second = {
            let sem = sem.clone();
            thread::spawn(move || {
                let permit = block_on(sem.acquire()).unwrap();
                permit.forget();
            })
        };
        let releaser = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        releaser.join().unwrap();
        // The head may have been granted the permit by now; dropping it must pass it on.
        if let Poll::Ready(p) = poll_once(&mut head, &w1) {
            drop(p.unwrap());
        }
        drop(head);
        second.join().unwrap();
        assert_eq!(
            sem.available_permits(),
            0,
            "the one permit was forgotten by `second`"
        );
    });
}

/// Guards: `close` (sets CLOSED, then empties the wait-list under the mutex) vs an acquirer
/// that may be between its CLOSED check and queueing. The acquirer either sees CLOSED or is
/// queued before `close` takes the mutex and is failed and woken by it: never left waiting.
#[test]
fn close_vs_acquire_never_strands_a_waiter() {
    model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let acquirer = {
            let sem = sem.clone();
            thread::spawn(move || block_on(sem.acquire_many(2)).is_err())
        };
        sem.close();
        assert!(
            acquirer.join().unwrap(),
            "the acquire failed with AcquireError"
        );
        assert_eq!(sem.available_permits(), 0);
    });
}

/// Guards: a waiter for two permits, partly served by one of two concurrent releases, is
/// cancelled between or around them. The permits assigned to it are handed back on drop; the
/// rest become available once the list is empty: exactly two at the end.
#[test]
fn partly_served_acquire_many_cancelled_vs_two_releases() {
    model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let (_wakes, waker) = CountingWaker::new();
        let mut acquire = Box::pin(sem.acquire_many(2));
        assert!(poll_once(&mut acquire, &waker).is_pending());

        let releasers: Vec<_> = (0..2)
            .map(|_| {
                let sem = sem.clone();
                thread::spawn(move || sem.add_permits(1))
            })
            .collect();
        drop(acquire);
        for r in releasers {
            r.join().unwrap();
        }
        assert_eq!(sem.available_permits(), 2);
        assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    });
}

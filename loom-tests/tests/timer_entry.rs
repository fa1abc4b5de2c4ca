//! Issue 5: the timer entry inside `Sleep` (`timer/src/entry.rs`) against the driver firing
//! it on another thread. Checks that the waker is called at most once per registration, that
//! the entry is unlinked exactly once (the wheel ends empty, never double-unlinked, which
//! would corrupt a list), and that nothing is freed while the wheel can reach it: the entry's
//! waker cell is a loom cell, so a drop racing the driver's access is reported, and every
//! clone of the task's waker is dropped (counted by `Arc::strong_count`).
#![cfg(conductor_loom)]

use std::time::Duration;

use conductor_timer::{Driver, Instant, sleep};
use loom_tests::{CountingWaker, model, poll_once, thread};

/// Far enough that the real clock never makes the sleep due by itself during a model.
const SLEEP: Duration = Duration::from_secs(600);

/// Guards: `Sleep`'s `Drop` (cancel) vs the driver firing the same entry.
#[test]
fn sleep_dropped_while_the_driver_fires_it() {
    model(|| {
        let (mut driver, handle) = Driver::new(std::task::Waker::noop().clone());
        let _guard = handle.enter();
        let (count, waker) = CountingWaker::new();
        let mut s = Box::pin(sleep(SLEEP));
        assert!(poll_once(&mut s, &waker).is_pending());
        let due = std::time::Instant::now() + SLEEP * 2;
        let t = thread::spawn(move || driver.process_at(due));
        drop(s);
        t.join().unwrap();
        assert!(count.wakes() <= 1);
        assert_eq!(handle.registered(), 0);
        // Only `waker` is left: the entry's clone was dropped (by the cancel or the fire).
        assert_eq!(std::sync::Arc::strong_count(&count), 2);
    });
}

/// Guards: `Sleep::reset` (unlink + relink) vs the driver firing the old registration.
#[test]
fn reset_races_fire() {
    model(|| {
        let (mut driver, handle) = Driver::new(std::task::Waker::noop().clone());
        let _guard = handle.enter();
        let (count, waker) = CountingWaker::new();
        let mut s = Box::pin(sleep(SLEEP));
        assert!(poll_once(&mut s, &waker).is_pending());
        let due = std::time::Instant::now() + SLEEP * 2;
        let t = thread::spawn(move || driver.process_at(due));
        s.as_mut().reset(Instant::now() + SLEEP * 100);
        t.join().unwrap();
        // Fired before the reset (one wake) or moved before the fire (none); either way it is
        // registered again, once, at the new deadline.
        assert!(count.wakes() <= 1);
        assert_eq!(handle.registered(), 1);
        assert!(!s.is_elapsed());
        drop(s);
        assert_eq!(handle.registered(), 0);
        assert_eq!(std::sync::Arc::strong_count(&count), 2);
    });
}

/// Guards: a poll that swaps the waker vs the fire: exactly one of the two wakers is woken,
/// and a poll that sees the timer fired returns `Ready` with the old waker woken.
#[test]
fn poll_with_a_new_waker_races_fire() {
    model(|| {
        let (mut driver, handle) = Driver::new(std::task::Waker::noop().clone());
        let _guard = handle.enter();
        let (first, w1) = CountingWaker::new();
        let (second, w2) = CountingWaker::new();
        let mut s = Box::pin(sleep(SLEEP));
        assert!(poll_once(&mut s, &w1).is_pending());
        let due = std::time::Instant::now() + SLEEP * 2;
        let t = thread::spawn(move || driver.process_at(due));
        let ready = poll_once(&mut s, &w2).is_ready();
        t.join().unwrap();
        assert_eq!(first.wakes() + second.wakes(), 1);
        if ready {
            assert_eq!(first.wakes(), 1);
        }
        assert!(s.is_elapsed());
        drop(s);
        assert_eq!(handle.registered(), 0);
    });
}

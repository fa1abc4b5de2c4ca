//! Issue 9: `Notify`'s protocol (`sync/src/notify.rs`): a `notify_one` that picks a waiter
//! whose `Notified` is dropped at the same time, and `notify_waiters` vs a future's first poll.
#![cfg(conductor_loom)]

use std::pin::pin;

use conductor_sync::Notify;
use loom_tests::{Arc, CountingWaker, block_on, model, poll_once, thread};

/// Guards: `notify_one` on one thread vs the chosen `Notified` dropped on another. If the
/// notify picked the dropped future, its drop passes the notification on: to the stored
/// permit, which the final `notified()` consumes. If the drop came first, the notify stores the
/// permit itself. Either way the notification is not lost (the last `block_on` would hang).
#[test]
fn notify_one_vs_notified_drop_passes_the_permit_on() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let (_wakes, waker) = CountingWaker::new();
        let mut fut = Box::pin(notify.notified());
        assert!(poll_once(&mut fut, &waker).is_pending());

        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        drop(fut);
        notifier.join().unwrap();
        block_on(notify.notified());
    });
}

/// Guards: the same race with a second waiter queued behind the dropped one: the notification
/// reaches the second waiter (directly or passed on), which wakes and completes.
#[test]
fn notify_one_vs_head_drop_wakes_the_next_waiter() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let (_wakes, waker) = CountingWaker::new();
        let mut head = Box::pin(notify.notified());
        assert!(poll_once(&mut head, &waker).is_pending());

        let second = {
            let notify = notify.clone();
            thread::spawn(move || {
                let mut fut = pin!(notify.notified());
                fut.as_mut().enable();
                block_on(fut);
            })
        };
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        drop(head);
        notifier.join().unwrap();
        // If `second` had not queued before the notify, the permit is stored and its first
        // poll consumes it; if it queued behind `head`, it is handed the notification.
        second.join().unwrap();
    });
}

/// Guards: `notify_waiters` vs the first poll of a `Notified` created before it: the future
/// counts as existing, so it completes whether it queued first (woken) or polled after
/// (sees the call counter changed).
#[test]
fn notify_waiters_vs_first_poll() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let fut = notify.notified();
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_waiters())
        };
        block_on(fut);
        notifier.join().unwrap();
    });
}

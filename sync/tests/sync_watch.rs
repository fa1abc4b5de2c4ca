//! watch: latest value only, `changed` semantics, closing, `wait_for`, runtime-agnosticism.

#[path = "channel_support/mod.rs"]
mod support;

use std::task::{Poll, Waker};

use conductor_sync::watch::{self, error::RecvError};
use support::{CountWaker, poll_once, runtime};

#[test]
fn receivers_see_only_the_latest_value_and_one_change() {
    futures::executor::block_on(async {
        let (tx, mut rx) = watch::channel(0);
        assert!(!rx.has_changed().unwrap());
        for i in 1..=5 {
            tx.send(i).unwrap();
        }
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), 5);
        assert!(!rx.has_changed().unwrap(), "five sends were one change");
        let mut pending = Box::pin(rx.changed());
        assert!(poll_once(&mut pending, Waker::noop()).is_pending());
    });
}

#[test]
fn borrow_does_not_mark_seen_and_borrow_and_update_does() {
    let (tx, mut rx) = watch::channel("a");
    tx.send("b").unwrap();
    assert!(rx.borrow().has_changed());
    assert!(rx.has_changed().unwrap());
    let r = rx.borrow_and_update();
    assert_eq!(*r, "b");
    assert!(r.has_changed());
    drop(r);
    assert!(!rx.has_changed().unwrap());
    rx.mark_changed();
    assert!(rx.has_changed().unwrap());
    rx.mark_unchanged();
    assert!(!rx.has_changed().unwrap());
}

#[test]
fn send_wakes_every_waiting_receiver() {
    let (tx, mut rx1) = watch::channel(0);
    let mut rx2 = rx1.clone();
    let (w1, waker1) = CountWaker::new();
    let (w2, waker2) = CountWaker::new();
    let mut c1 = Box::pin(rx1.changed());
    let mut c2 = Box::pin(rx2.changed());
    assert!(poll_once(&mut c1, &waker1).is_pending());
    assert!(poll_once(&mut c2, &waker2).is_pending());
    tx.send_modify(|v| *v += 1);
    assert_eq!((w1.wakes(), w2.wakes()), (1, 1));
    assert_eq!(poll_once(&mut c1, &waker1), Poll::Ready(Ok(())));
    assert_eq!(poll_once(&mut c2, &waker2), Poll::Ready(Ok(())));
}

#[test]
fn closing_the_sender_ends_changed_after_the_last_value() {
    futures::executor::block_on(async {
        let (tx, mut rx) = watch::channel(0);
        tx.send(1).unwrap();
        drop(tx);
        assert_eq!(rx.has_changed(), Err(RecvError));
        assert_eq!(rx.changed().await, Ok(()), "the unseen value first");
        assert_eq!(*rx.borrow(), 1);
        assert_eq!(rx.changed().await, Err(RecvError));
    });
}

#[test]
fn send_without_receivers_keeps_the_old_value_send_replace_does_not() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(2).unwrap_err().0, 2);
    assert_eq!(*tx.borrow(), 1);
    assert_eq!(tx.send_replace(3), 1);
    assert_eq!(*tx.borrow(), 3);
    let rx = tx.subscribe();
    assert_eq!(tx.receiver_count(), 1);
    assert!(!rx.has_changed().unwrap());
}

#[test]
fn send_if_modified_notifies_only_when_told() {
    let (tx, rx) = watch::channel(0);
    assert!(!tx.send_if_modified(|_| false));
    assert!(!rx.has_changed().unwrap());
    assert!(tx.send_if_modified(|v| {
        *v = 9;
        true
    }));
    assert!(rx.has_changed().unwrap());
}

#[test]
fn sender_closed_waits_for_the_last_receiver() {
    let (tx, rx) = watch::channel(());
    let rx2 = rx.clone();
    let (wakes, waker) = CountWaker::new();
    let mut closed = Box::pin(tx.closed());
    assert!(poll_once(&mut closed, &waker).is_pending());
    drop(rx);
    assert_eq!(wakes.wakes(), 0);
    drop(rx2);
    assert_eq!(wakes.wakes(), 1);
    assert!(poll_once(&mut closed, &waker).is_ready());
}

#[test]
fn wait_for_a_value_from_tasks_on_conductor() {
    let rt = runtime();
    rt.block_on(async {
        let (tx, mut rx) = watch::channel(0u32);
        let setter = conductor::spawn(async move {
            for i in 1..=100 {
                tx.send(i).unwrap();
                conductor::task::yield_now().await;
            }
        });
        let v = *rx.wait_for(|v| *v >= 50).await.unwrap();
        assert!(v >= 50);
        setter.await.unwrap();
        // The sender is gone: a predicate that already holds still returns the value.
        assert_eq!(*rx.wait_for(|v| *v == 100).await.unwrap(), 100);
        assert!(rx.wait_for(|v| *v == 7).await.is_err());
    });
}

#[test]
fn changed_from_a_plain_thread_under_futures_executor() {
    let (tx, mut rx) = watch::channel(0);
    let t = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            let mut seen = Vec::new();
            while rx.changed().await.is_ok() {
                seen.push(*rx.borrow_and_update());
            }
            seen
        })
    });
    for i in 1..=50 {
        tx.send(i).unwrap();
    }
    drop(tx);
    let seen = t.join().unwrap();
    assert!(!seen.is_empty());
    assert_eq!(*seen.last().unwrap(), 50, "the last value is always seen");
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "values only move forward"
    );
}

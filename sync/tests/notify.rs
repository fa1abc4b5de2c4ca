//! `Notify`: one stored permit, FIFO `notify_one`, `notify_waiters` reaching only futures that
//! existed before it, `enable`, and a dropped chosen waiter passing its notification on.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use conductor_sync::Notify;
use support::{CountingWaker, multi_thread, poll};

#[test]
fn notify_one_stores_exactly_one_permit() {
    let notify = Notify::new();
    let (_w, waker) = CountingWaker::new();
    notify.notify_one();
    notify.notify_one();
    let mut a = pin!(notify.notified());
    let mut b = pin!(notify.notified());
    assert!(
        poll(a.as_mut(), &waker).is_ready(),
        "the permit is consumed"
    );
    assert!(
        poll(b.as_mut(), &waker).is_pending(),
        "only one permit was stored"
    );
}

#[test]
fn notify_one_wakes_waiters_in_fifo_order() {
    let notify = Notify::new();
    let (wakes, waker) = CountingWaker::new();
    let mut a = pin!(notify.notified());
    let mut b = pin!(notify.notified());
    assert!(poll(a.as_mut(), &waker).is_pending());
    assert!(poll(b.as_mut(), &waker).is_pending());
    notify.notify_one();
    assert_eq!(wakes.wakes(), 1);
    assert!(poll(b.as_mut(), &waker).is_pending());
    assert!(poll(a.as_mut(), &waker).is_ready());
    notify.notify_one();
    assert!(poll(b.as_mut(), &waker).is_ready());
    // No permit left behind.
    assert!(poll(pin!(notify.notified()), &waker).is_pending());
}

#[test]
fn notify_waiters_reaches_earlier_futures_only_and_stores_nothing() {
    let notify = Notify::new();
    let (wakes, waker) = CountingWaker::new();
    let mut polled = pin!(notify.notified());
    assert!(poll(polled.as_mut(), &waker).is_pending());
    let mut unpolled = pin!(notify.notified()); // created before, never polled
    notify.notify_waiters();
    assert_eq!(wakes.wakes(), 1);
    let mut later = pin!(notify.notified());
    assert!(poll(polled.as_mut(), &waker).is_ready());
    assert!(poll(unpolled.as_mut(), &waker).is_ready());
    assert!(
        poll(later.as_mut(), &waker).is_pending(),
        "created after: not notified"
    );
    notify.notify_one();
    assert!(poll(later.as_mut(), &waker).is_ready());
}

#[test]
fn enable_queues_without_polling() {
    let notify = Notify::new();
    let (_w, waker) = CountingWaker::new();
    let mut enabled = pin!(notify.notified());
    assert!(!enabled.as_mut().enable());
    notify.notify_one();
    // The notification went to `enabled`, so no permit is stored for others.
    assert!(poll(pin!(notify.notified()), &waker).is_pending());
    assert!(enabled.as_mut().enable());
    assert!(poll(enabled.as_mut(), &waker).is_ready());
}

#[test]
fn dropped_chosen_waiter_passes_the_notification_on() {
    let notify = Notify::new();
    let (wakes, waker) = CountingWaker::new();
    let mut a = Box::pin(notify.notified());
    let mut b = pin!(notify.notified());
    assert!(poll(a.as_mut(), &waker).is_pending());
    assert!(poll(b.as_mut(), &waker).is_pending());
    notify.notify_one(); // picks `a`
    drop(a); // ... which never sees it
    assert_eq!(wakes.wakes(), 2, "`b` was woken in its place");
    assert!(poll(b.as_mut(), &waker).is_ready());

    // With no other waiter, the notification becomes the stored permit again.
    let mut c = Box::pin(notify.notified());
    assert!(poll(c.as_mut(), &waker).is_pending());
    notify.notify_one();
    drop(c);
    assert!(poll(pin!(notify.notified()), &waker).is_ready());
}

#[test]
fn dropped_waiter_reached_by_notify_waiters_passes_nothing_on() {
    let notify = Notify::new();
    let (_w, waker) = CountingWaker::new();
    let mut a = Box::pin(notify.notified());
    assert!(poll(a.as_mut(), &waker).is_pending());
    notify.notify_waiters();
    drop(a);
    assert!(poll(pin!(notify.notified()), &waker).is_pending());
}

#[test]
fn ping_pong_between_tasks_on_a_runtime() {
    const ROUNDS: usize = 1_000;
    multi_thread(async {
        let ping = Arc::new(Notify::new());
        let pong = Arc::new(Notify::new());
        let count = Arc::new(AtomicUsize::new(0));
        let (ping2, pong2, count2) = (ping.clone(), pong.clone(), count.clone());
        let h = conductor::spawn(async move {
            for _ in 0..ROUNDS {
                ping2.notified().await;
                count2.fetch_add(1, SeqCst);
                pong2.notify_one();
            }
        });
        for i in 0..ROUNDS {
            ping.notify_one();
            pong.notified().await;
            assert_eq!(count.load(SeqCst), i + 1);
        }
        h.await.unwrap();
    });
}

#[test]
fn notify_waiters_from_another_thread_with_futures_executor() {
    let notify = Arc::new(Notify::new());
    let started = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (notify, started) = (notify.clone(), started.clone());
            std::thread::spawn(move || {
                futures::executor::block_on(async {
                    let mut fut = pin!(notify.notified());
                    fut.as_mut().enable();
                    started.fetch_add(1, SeqCst);
                    fut.await;
                })
            })
        })
        .collect();
    while started.load(SeqCst) < 4 {
        std::thread::yield_now();
    }
    notify.notify_waiters();
    for t in threads {
        t.join().unwrap();
    }
}

//! oneshot: delivery, the errors on either side going away, drops, wakes, blocking use.

#[path = "channel_support/mod.rs"]
mod support;

use std::task::{Poll, Waker};

use conductor_sync::oneshot::{self, RecvError, TryRecvError};
use support::{CountWaker, Drops, poll_once, runtime};

#[test]
fn value_crosses_tasks_on_conductor() {
    let rt = runtime();
    let out = rt.block_on(async {
        let (tx, rx) = oneshot::channel();
        drop(conductor::spawn(async move { tx.send(41 + 1).unwrap() }));
        rx.await
    });
    assert_eq!(out, Ok(42));
}

#[test]
fn sender_dropped_before_send_is_an_error_and_wakes_the_receiver() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let (wakes, waker) = CountWaker::new();
    assert!(poll_once(&mut rx, &waker).is_pending());
    drop(tx);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut rx, &waker), Poll::Ready(Err(RecvError)));
}

#[test]
fn send_to_a_dropped_or_closed_receiver_returns_the_value() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(String::from("back")), Err(String::from("back")));

    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn value_sent_before_close_is_still_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(5).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(5));
}

#[test]
fn value_dropped_exactly_once_whoever_ends_first() {
    let drops = Drops::new();
    // Sent, receiver dropped without receiving.
    let (tx, rx) = oneshot::channel();
    tx.send(drops.token(0)).unwrap();
    assert_eq!(drops.count(), 0);
    drop(rx);
    assert_eq!(drops.count(), 1, "dropped with the receiver");
    // Refused: the value comes back and is dropped by its owner.
    let (tx, rx) = oneshot::channel();
    drop(rx);
    let back = tx.send(drops.token(1)).unwrap_err();
    assert_eq!(drops.count(), 1);
    drop(back);
    assert_eq!(drops.count(), 2);
    // Received: dropped by the receiver's owner.
    let (tx, mut rx) = oneshot::channel();
    tx.send(drops.token(2)).unwrap();
    let got = rx.try_recv().unwrap();
    drop(rx);
    assert_eq!(drops.count(), 2);
    drop(got);
    assert_eq!(drops.count(), 3);
}

#[test]
fn send_wakes_the_registered_waker_once_and_a_new_waker_replaces_it() {
    let (tx, mut rx) = oneshot::channel();
    let (first, w1) = CountWaker::new();
    let (second, w2) = CountWaker::new();
    assert!(poll_once(&mut rx, &w1).is_pending());
    assert!(poll_once(&mut rx, &w2).is_pending());
    tx.send(3).unwrap();
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
    assert_eq!(poll_once(&mut rx, &w2), Poll::Ready(Ok(3)));
}

#[test]
fn sender_closed_wakes_when_the_receiver_goes() {
    let (mut tx, rx) = oneshot::channel::<()>();
    let (wakes, waker) = CountWaker::new();
    {
        let mut closed = Box::pin(tx.closed());
        assert!(poll_once(&mut closed, &waker).is_pending());
    }
    drop(rx);
    assert_eq!(wakes.wakes(), 1);
    let mut closed = Box::pin(tx.closed());
    assert!(poll_once(&mut closed, &waker).is_ready());
}

#[test]
fn try_recv_reports_empty_then_value_then_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn blocking_recv_from_a_plain_thread() {
    let (tx, rx) = oneshot::channel();
    let waiter = std::thread::spawn(move || rx.blocking_recv());
    let rt = runtime();
    rt.block_on(async move { tx.send(9).unwrap() });
    assert_eq!(waiter.join().unwrap(), Ok(9));
}

#[test]
fn ping_pong_under_futures_executor() {
    futures::executor::block_on(async {
        for i in 0..100 {
            let (ping_tx, ping_rx) = oneshot::channel();
            let (pong_tx, pong_rx) = oneshot::channel();
            let partner = std::thread::spawn(move || {
                let v = futures::executor::block_on(ping_rx).unwrap();
                pong_tx.send(v + 1).unwrap();
            });
            ping_tx.send(i).unwrap();
            assert_eq!(pong_rx.await, Ok(i + 1));
            partner.join().unwrap();
        }
    });
}

#[test]
fn racing_threads_deliver_or_refuse_exactly_once() {
    // Sender and receiver-drop race on two threads; the value is dropped exactly once.
    for _ in 0..1_000 {
        let drops = Drops::new();
        let (tx, rx) = oneshot::channel();
        let token = drops.token(0);
        let t = std::thread::spawn(move || drop(tx.send(token)));
        drop(rx);
        t.join().unwrap();
        assert_eq!(drops.count(), 1);
    }
}

#[test]
#[should_panic(expected = "oneshot::Receiver polled after it completed")]
fn polling_after_completion_panics_with_a_clear_message() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(()).unwrap();
    assert!(poll_once(&mut rx, Waker::noop()).is_ready());
    let _ = poll_once(&mut rx, Waker::noop());
}

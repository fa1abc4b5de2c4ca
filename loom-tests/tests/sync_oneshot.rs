//! Issue 9: the oneshot channel's state word (`sync/src/oneshot/`): send vs the receiver
//! dropped or closed, send vs the receiver registering (or replacing) its waker, the sender
//! dropped vs a poll, and `closed()` vs the receiver dropped.
//!
//! The value and both waker cells are loom `UnsafeCell`s: loom fails the model on any access
//! the state word does not order. Channel handles hold loom `Arc`s, so a leaked channel fails
//! the model too. A lost wake-up leaves `block_on` asleep forever, which loom reports as a
//! deadlock.
#![cfg(conductor_loom)]

use std::task::Poll;

use conductor_sync::oneshot::{self, RecvError, TryRecvError};
use loom_tests::{CountingWaker, Drops, block_on, block_on_spurious, model, poll_once, thread};

/// Guards: the value written and published by `send` vs the receiver dropped. Either the
/// receiver's drop sees COMPLETE | VALUE and drops the value, or the send sees RX_CLOSED and
/// hands it back: dropped exactly once, never read by both.
#[test]
fn send_vs_receiver_drop() {
    model(|| {
        let drops = Drops::new();
        let (tx, rx) = oneshot::channel();
        let token = drops.token();
        let sender = thread::spawn(move || tx.send(token).is_ok());
        drop(rx);
        let _sent = sender.join().unwrap();
        assert_eq!(drops.count(), 1, "value dropped exactly once");
    });
}

/// Guards: the receiver storing its waker (write the cell, set RX_WAKER) vs the send. Either
/// the send sees RX_WAKER and wakes it, or the receiver's `fetch_or` sees COMPLETE and takes
/// the value at once.
#[test]
fn send_vs_poll() {
    model(|| {
        let (tx, rx) = oneshot::channel();
        let sender = thread::spawn(move || tx.send(7u32).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

/// As `send_vs_poll`, with spurious re-polls: the receiver re-reads its cell (`will_wake`)
/// while the sender may be reading it to wake.
#[test]
fn send_vs_spurious_polls() {
    model(|| {
        let (tx, rx) = oneshot::channel();
        let sender = thread::spawn(move || tx.send(7u32).unwrap());
        assert_eq!(block_on_spurious(rx), Ok(7));
        sender.join().unwrap();
    });
}

/// Guards: replacing the registered waker (clear RX_WAKER, write, set again) vs the send. If
/// the second poll stays pending, the send must wake the second waker, never only the first.
#[test]
fn waker_replaced_vs_send() {
    model(|| {
        let (tx, mut rx) = oneshot::channel();
        let sender = thread::spawn(move || tx.send(1u8).unwrap());
        let (_first, w1) = CountingWaker::new();
        let (second, w2) = CountingWaker::new();
        if poll_once(&mut rx, &w1).is_ready() {
            sender.join().unwrap();
            return;
        }
        let second_poll = poll_once(&mut rx, &w2);
        sender.join().unwrap();
        match second_poll {
            Poll::Ready(v) => assert_eq!(v, Ok(1)),
            Poll::Pending => {
                assert_eq!(second.wakes(), 1, "the send woke the latest waker");
                assert_eq!(poll_once(&mut rx, &w2), Poll::Ready(Ok(1)));
            }
        }
    });
}

/// Guards: the sender dropped without sending (sets COMPLETE) vs the receiver waiting.
#[test]
fn sender_drop_vs_poll() {
    model(|| {
        let (tx, rx) = oneshot::channel::<u8>();
        let dropper = thread::spawn(move || drop(tx));
        assert_eq!(block_on(rx), Err(RecvError));
        dropper.join().unwrap();
    });
}

/// Guards: `close()` then `try_recv` vs a concurrent send. The send either published before
/// the close (the receiver gets the value) or fails and takes the value back; never both.
#[test]
fn close_vs_send() {
    model(|| {
        let drops = Drops::new();
        let (tx, mut rx) = oneshot::channel();
        let token = drops.token();
        let sender = thread::spawn(move || tx.send(token).is_ok());
        rx.close();
        let received = rx.try_recv();
        let sent = sender.join().unwrap();
        match received {
            Ok(v) => {
                assert!(sent);
                drop(v);
            }
            Err(e) => {
                assert_eq!(e, TryRecvError::Closed);
                assert!(
                    !sent,
                    "a value sent after the close must be refused, not lost"
                );
            }
        }
        drop(rx);
        assert_eq!(drops.count(), 1);
    });
}

/// Guards: `Sender::closed()` storing its waker (TX_WAKER) vs the receiver dropped.
#[test]
fn closed_vs_receiver_drop() {
    model(|| {
        let (mut tx, rx) = oneshot::channel::<u8>();
        let dropper = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        assert!(tx.is_closed());
        dropper.join().unwrap();
    });
}

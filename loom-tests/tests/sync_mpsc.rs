//! Issue 9: the mpsc channel's lock-protected protocol (`sync/src/mpsc/chan.rs`): a bounded
//! send waiting for room vs the receive that frees it, the last sender's drop vs a waiting
//! receive, senders on two threads vs the receiver, and the receiver's drop vs a send.
//!
//! A lost wake-up leaves `block_on` asleep forever (loom reports the deadlock); a lost
//! message fails the count; channel handles hold loom `Arc`s, so a leak fails the model.
#![cfg(conductor_loom)]

use conductor_sync::mpsc;
use std::task::Waker;

use loom_tests::{Drops, block_on, model, poll_once, thread};

/// Guards: a sender waiting for room (registers, then gets a slot granted by the receive)
/// vs the receive on another thread. The waiting sender must be woken and its value must
/// arrive after the buffered one.
#[test]
fn bounded_send_waiting_vs_recv() {
    model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0u8).unwrap();
        let sender = thread::spawn(move || block_on(tx.send(1)).unwrap());
        assert_eq!(block_on(rx.recv()), Some(0));
        assert_eq!(block_on(rx.recv()), Some(1));
        sender.join().unwrap();
        assert_eq!(block_on(rx.recv()), None, "the sender is gone");
    });
}

/// Guards: the last sender's drop (sets `tx_closed`, takes the receiver's waker) vs the
/// receiver registering its waker. The receiver gets the value, then `None`, and is never
/// left asleep.
#[test]
fn sender_drop_vs_recv() {
    model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        let sender = thread::spawn(move || {
            tx.try_send(5u8).unwrap();
            drop(tx);
        });
        assert_eq!(block_on(rx.recv()), Some(5));
        assert_eq!(block_on(rx.recv()), None);
        sender.join().unwrap();
    });
}

/// Guards: two senders on two threads vs one receiver: each value arrives exactly once and
/// the channel ends only after both.
#[test]
fn two_senders_vs_recv() {
    model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        let a = thread::spawn(move || tx.send(1u8).unwrap());
        let b = thread::spawn(move || tx2.send(2u8).unwrap());
        let mut sum = 0;
        let mut count = 0;
        while let Some(v) = block_on(rx.recv()) {
            sum += v;
            count += 1;
        }
        assert_eq!((count, sum), (2, 3));
        a.join().unwrap();
        b.join().unwrap();
    });
}

/// Guards: the receiver's drop (closes, drops what is buffered outside the lock) vs a send:
/// the value is either buffered and dropped with the receiver, or refused and handed back:
/// dropped exactly once.
#[test]
fn receiver_drop_vs_send() {
    model(|| {
        let drops = Drops::new();
        let (tx, rx) = mpsc::channel(1);
        let token = drops.token();
        let sender = thread::spawn(move || {
            let _ = tx.try_send(token);
        });
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.count(), 1);
    });
}

/// Guards: a send waiting for room vs the receiver closing: the waiting sender wakes and gets
/// its value back; the buffered value is still received.
#[test]
fn send_waiting_vs_close() {
    model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0u8).unwrap();
        let sender = thread::spawn(move || block_on(tx.send(1)).map_err(|e| e.0));
        rx.close();
        let sent = sender.join().unwrap();
        assert_eq!(block_on(rx.recv()), Some(0));
        match sent {
            Ok(()) => unreachable!("no room was freed before the close"),
            Err(v) => assert_eq!(v, 1),
        }
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// Guards: a waiter cancelled around the moment a slot is granted to it. The receive on
/// another thread frees the slot and grants it to the oldest waiter; if that is the `reserve`
/// being dropped here, its drop must pass the slot on to the waiting `send`, which otherwise
/// would sleep forever.
#[test]
fn cancelled_waiter_vs_grant() {
    model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0u8).unwrap();
        let mut reserve = Box::pin(tx.reserve());
        let first_poll = poll_once(&mut reserve, Waker::noop());
        let tx2 = tx.clone();
        let sender = thread::spawn(move || block_on(tx2.send(1)).unwrap());
        let receiver = thread::spawn(move || {
            assert_eq!(block_on(rx.recv()), Some(0));
            rx
        });
        drop(first_poll);
        drop(reserve);
        let mut rx = receiver.join().unwrap();
        assert_eq!(block_on(rx.recv()), Some(1));
        sender.join().unwrap();
    });
}

//! broadcast: every receiver sees every value, exact lag counts, closing, drops.

#[path = "channel_support/mod.rs"]
mod support;

use std::task::{Poll, Waker};

use conductor_sync::broadcast::{self, error::RecvError, error::TryRecvError};
use support::{CountWaker, Drops, poll_once, runtime};

#[test]
fn every_receiver_gets_every_value_in_order() {
    let rt = runtime();
    rt.block_on(async {
        let (tx, rx) = broadcast::channel::<u32>(1_000);
        let mut handles = Vec::new();
        for _ in 0..4 {
            let mut rx = rx.resubscribe();
            handles.push(conductor::spawn(async move {
                let mut got = Vec::new();
                loop {
                    match rx.recv().await {
                        Ok(v) => got.push(v),
                        Err(RecvError::Closed) => return got,
                        Err(RecvError::Lagged(n)) => {
                            panic!("lagged by {n} with room for every value")
                        }
                    }
                }
            }));
        }
        drop(rx);
        assert_eq!(tx.receiver_count(), 4);
        for i in 0..1_000 {
            tx.send(i).unwrap();
            if i % 8 == 7 {
                conductor::task::yield_now().await;
            }
        }
        drop(tx);
        for h in handles {
            let got = h.await.unwrap();
            assert_eq!(got, (0..1_000).collect::<Vec<_>>());
        }
    });
}

#[test]
fn lag_is_counted_exactly_and_the_oldest_kept_value_follows() {
    let (tx, mut rx) = broadcast::channel(4);
    for i in 0..10 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 10);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(6)));
    for i in 6..10 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    futures::executor::block_on(async {
        for i in 10..13 {
            tx.send(i).unwrap();
        }
        tx.send(13).unwrap();
        tx.send(14).unwrap(); // overwrites 10
        assert_eq!(rx.recv().await, Err(RecvError::Lagged(1)));
        assert_eq!(rx.recv().await, Ok(11));
    });
}

#[test]
fn send_without_receivers_returns_the_value_and_counts_receivers() {
    let (tx, rx) = broadcast::channel(2);
    let rx2 = tx.subscribe();
    assert_eq!(tx.send(1), Ok(2));
    drop((rx, rx2));
    assert_eq!(tx.send(2).unwrap_err().0, 2);
}

#[test]
fn closed_after_all_senders_drop_once_everything_is_read() {
    let (tx, mut rx) = broadcast::channel(2);
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn waiting_receivers_are_woken_by_send_and_by_close() {
    let (tx, mut rx1) = broadcast::channel(2);
    let mut rx2 = tx.subscribe();
    let (w1, waker1) = CountWaker::new();
    let (w2, waker2) = CountWaker::new();
    let mut r1 = Box::pin(rx1.recv());
    let mut r2 = Box::pin(rx2.recv());
    assert!(poll_once(&mut r1, &waker1).is_pending());
    assert!(poll_once(&mut r2, &waker2).is_pending());
    tx.send(7).unwrap();
    assert_eq!((w1.wakes(), w2.wakes()), (1, 1));
    assert_eq!(poll_once(&mut r1, &waker1), Poll::Ready(Ok(7)));
    drop(r1);
    let mut r1 = Box::pin(rx1.recv());
    assert!(poll_once(&mut r1, &waker1).is_pending());
    drop(tx);
    assert_eq!(w1.wakes(), 2);
    assert_eq!(
        poll_once(&mut r1, &waker1),
        Poll::Ready(Err(RecvError::Closed))
    );
    assert_eq!(poll_once(&mut r2, &waker2), Poll::Ready(Ok(7)));
}

#[test]
fn dropped_recv_future_loses_no_value() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut recv = Box::pin(rx.recv());
        assert!(poll_once(&mut recv, Waker::noop()).is_pending());
        tx.send(1).unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn values_are_dropped_when_overwritten_and_with_the_channel() {
    let drops = Drops::new();
    let (tx, mut rx) = broadcast::channel(2);
    for i in 0..5 {
        tx.send(drops.token(i)).unwrap();
    }
    assert_eq!(drops.count(), 3, "three values overwritten");
    let got = rx.try_recv();
    assert!(matches!(got, Err(TryRecvError::Lagged(3))));
    let v = rx.try_recv().unwrap();
    assert_eq!(v.0, 3);
    drop(v); // a clone
    assert_eq!(drops.count(), 4);
    drop((tx, rx));
    assert_eq!(
        drops.count(),
        6,
        "the two kept values dropped with the channel"
    );
}

#[test]
fn blocking_recv_from_a_plain_thread() {
    let (tx, mut rx) = broadcast::channel(4);
    let t = std::thread::spawn(move || (rx.blocking_recv(), rx.blocking_recv()));
    let rt = runtime();
    rt.block_on(async move {
        tx.send(1).unwrap();
    });
    assert_eq!(t.join().unwrap(), (Ok(1), Err(RecvError::Closed)));
}

#[test]
#[should_panic(expected = "broadcast::channel needs a capacity of at least 1")]
fn zero_capacity_is_refused_with_a_clear_message() {
    let _ = broadcast::channel::<()>(0);
}

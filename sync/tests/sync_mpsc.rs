//! mpsc: ordering, exactly-once delivery under many producers, backpressure, FIFO waiting
//! senders, closing, drops, blocking use, and runtime-agnosticism.

#[path = "channel_support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::task::{Poll, Waker};

use conductor_sync::mpsc::{self, SendError, error::TryRecvError, error::TrySendError};
use futures::StreamExt;
use support::{CountWaker, Drops, poll_once, runtime};

/// `producers` tasks on a 2-worker conductor runtime each send `per` values `(id, seq)`
/// through a bounded channel of capacity 16; the receiver checks per-sender FIFO, that every
/// value arrived exactly once (count and sum), and that `recv` ends with `None`.
fn many_producers(producers: usize, per: usize) {
    let rt = runtime();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::channel::<(usize, usize)>(16);
        for id in 0..producers {
            let tx = tx.clone();
            drop(conductor::spawn(async move {
                for seq in 0..per {
                    tx.send((id, seq)).await.unwrap();
                }
            }));
        }
        drop(tx);
        let mut next: HashMap<usize, usize> = HashMap::new();
        let (mut count, mut sum) = (0usize, 0usize);
        while let Some((id, seq)) = rx.recv().await {
            let expected = next.entry(id).or_insert(0);
            assert_eq!(seq, *expected, "sender {id}: values out of order");
            *expected += 1;
            count += 1;
            sum += seq;
        }
        assert_eq!(count, producers * per);
        assert_eq!(sum, producers * per * (per - 1) / 2);
        assert!(next.values().all(|n| *n == per));
    });
}

#[test]
fn four_producers_each_value_exactly_once_in_order() {
    many_producers(4, 5_000);
}

#[test]
fn sixteen_producers_each_value_exactly_once_in_order() {
    many_producers(16, 2_000);
}

#[test]
fn unbounded_many_producers_exactly_once() {
    let rt = runtime();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel::<usize>();
        for id in 0..8 {
            let tx = tx.clone();
            drop(conductor::spawn(async move {
                for i in 0..1_000 {
                    tx.send(id * 1_000 + i).unwrap();
                }
            }));
        }
        drop(tx);
        let mut seen = vec![false; 8_000];
        while let Some(v) = rx.recv().await {
            assert!(!seen[v], "{v} received twice");
            seen[v] = true;
        }
        assert!(seen.iter().all(|s| *s));
    });
}

#[test]
fn try_send_full_at_capacity_and_waiting_sender_proceeds_after_recv() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
    assert_eq!(tx.capacity(), 0);

    let (wakes, waker) = CountWaker::new();
    let mut send = Box::pin(tx.send(3));
    assert!(poll_once(&mut send, &waker).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(wakes.wakes(), 1, "the recv woke the waiting sender");
    // The freed slot belongs to the waiting sender: a newcomer may not take it.
    assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
    assert_eq!(poll_once(&mut send, &waker), Poll::Ready(Ok(())));
    drop(send);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn waiting_senders_proceed_in_fifo_order() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let waker = Waker::noop();
    let mut sends: Vec<_> = (1..=3).map(|i| Some(Box::pin(tx.send(i)))).collect();
    for s in sends.iter_mut().flatten() {
        assert!(poll_once(s, waker).is_pending());
    }
    let mut order = Vec::new();
    for _ in 0..4 {
        order.push(rx.try_recv().unwrap());
        // Poll the waiters newest first: only the one granted the slot completes.
        let mut completed = 0;
        for slot in sends.iter_mut().rev() {
            if let Some(s) = slot {
                if poll_once(s, waker).is_ready() {
                    *slot = None;
                    completed += 1;
                }
            }
        }
        assert!(completed <= 1, "one slot freed, one sender proceeds");
    }
    assert_eq!(order, [0, 1, 2, 3]);
}

#[test]
fn cancelled_waiter_passes_its_slot_on() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let waker = Waker::noop();
    let mut first = Box::pin(tx.reserve());
    let mut second = Box::pin(tx.send(2));
    assert!(poll_once(&mut first, waker).is_pending());
    assert!(poll_once(&mut second, waker).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // grants the slot to `first`
    drop(first); // cancelled after the grant: the slot goes to `second`
    assert_eq!(poll_once(&mut second, waker), Poll::Ready(Ok(())));
    drop(second);
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn closed_errors_carry_values_back() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(String::from("buffered")).unwrap();
    let waker = Waker::noop();
    let mut waiting = Box::pin(tx.send(String::from("waiting")));
    assert!(poll_once(&mut waiting, waker).is_pending());
    rx.close();
    match poll_once(&mut waiting, waker) {
        Poll::Ready(Err(SendError(v))) => assert_eq!(v, "waiting"),
        other => panic!("expected the value back, got {other:?}"),
    }
    drop(waiting);
    assert_eq!(
        tx.try_send(String::from("late")),
        Err(TrySendError::Closed(String::from("late")))
    );
    assert_eq!(
        tx.blocking_send(String::from("blocking")).unwrap_err().0,
        "blocking"
    );
    assert_eq!(rx.try_recv().as_deref(), Ok("buffered"));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));

    let (utx, urx) = mpsc::unbounded_channel();
    drop(urx);
    assert_eq!(utx.send(7).unwrap_err().0, 7);
}

#[test]
fn dropping_the_receiver_drops_buffered_values() {
    let drops = Drops::new();
    let (tx, rx) = mpsc::channel(8);
    for i in 0..5 {
        tx.try_send(drops.token(i)).unwrap();
    }
    assert_eq!(drops.count(), 0);
    drop(rx);
    assert_eq!(
        drops.count(),
        5,
        "buffered values dropped with the receiver"
    );
    let err = tx.try_send(drops.token(5)).unwrap_err();
    assert_eq!(drops.count(), 5, "the refused value came back, not dropped");
    drop(err);
    assert_eq!(drops.count(), 6);
}

#[test]
fn unsent_values_are_dropped_exactly_once() {
    let drops = Drops::new();
    {
        let (tx, _rx) = mpsc::channel(1);
        tx.try_send(drops.token(0)).unwrap();
        let mut waiting = Box::pin(tx.send(drops.token(1)));
        assert!(poll_once(&mut waiting, Waker::noop()).is_pending());
        drop(waiting); // cancelled send: its value is dropped
        assert_eq!(drops.count(), 1);
        let (utx, _urx) = mpsc::unbounded_channel();
        for i in 0..3 {
            utx.send(drops.token(10 + i)).unwrap();
        }
    }
    assert_eq!(
        drops.count(),
        5,
        "values left in both channels dropped with them"
    );
}

#[test]
fn reserve_holds_a_slot_and_permit_drop_frees_it() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        let permit = tx.reserve().await.unwrap();
        assert_eq!(tx.capacity(), 0);
        assert!(tx.try_send(1).is_err());
        drop(permit);
        assert_eq!(tx.capacity(), 1);
        let owned = tx.clone().reserve_owned().await.unwrap();
        let _tx2 = owned.send(5);
        assert_eq!(rx.recv().await, Some(5));
    });
}

#[test]
fn sender_drop_closes_and_recv_returns_none() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let tx2 = tx.clone();
        assert_eq!(rx.sender_strong_count(), 2);
        let weak = tx.downgrade();
        drop(tx);
        assert!(weak.upgrade().is_some());
        drop(tx2);
        assert!(weak.upgrade().is_none());
        assert_eq!(rx.recv().await, None);
    });
}

#[test]
fn sender_closed_wakes_when_receiver_drops() {
    let (tx, rx) = mpsc::channel::<u8>(1);
    let (wakes, waker) = CountWaker::new();
    let mut closed = Box::pin(tx.closed());
    assert!(poll_once(&mut closed, &waker).is_pending());
    drop(rx);
    assert_eq!(wakes.wakes(), 1);
    assert!(poll_once(&mut closed, &waker).is_ready());
}

#[test]
fn blocking_recv_from_a_plain_thread() {
    let (tx, mut rx) = mpsc::channel(2);
    let consumer = std::thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(v) = rx.blocking_recv() {
            got.push(v);
        }
        got
    });
    let rt = runtime();
    rt.block_on(async move {
        for i in 0..100 {
            tx.send(i).await.unwrap();
        }
    });
    assert_eq!(consumer.join().unwrap(), (0..100).collect::<Vec<_>>());
}

#[test]
fn runs_under_futures_executor_with_threads() {
    let (tx, rx) = mpsc::channel(4);
    let producers: Vec<_> = (0..4)
        .map(|id| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                futures::executor::block_on(async move {
                    for i in 0..250 {
                        tx.send(id * 1_000 + i).await.unwrap();
                    }
                })
            })
        })
        .collect();
    drop(tx);
    let all: Vec<usize> = futures::executor::block_on(rx.collect());
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(all.len(), 1_000);
    let expected: usize = (0..4).map(|id| id * 250_000 + 249 * 250 / 2).sum();
    assert_eq!(all.iter().sum::<usize>(), expected);
}

#[test]
fn recv_many_takes_up_to_the_limit() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for i in 0..5 {
            tx.send(i).unwrap();
        }
        let mut buf = Vec::new();
        assert_eq!(rx.recv_many(&mut buf, 3).await, 3);
        assert_eq!(rx.recv_many(&mut buf, 3).await, 2);
        drop(tx);
        assert_eq!(rx.recv_many(&mut buf, 3).await, 0);
        assert_eq!(buf, [0, 1, 2, 3, 4]);
    });
}

#[test]
fn dropped_recv_future_loses_no_message() {
    let (tx, mut rx) = mpsc::channel(1);
    {
        let mut recv = Box::pin(rx.recv());
        assert!(poll_once(&mut recv, Waker::noop()).is_pending());
        tx.try_send(1).unwrap();
    } // dropped after the value arrived, before polling again
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn an_always_ready_channel_still_yields_the_worker() {
    // On a current-thread runtime, a body draining 1 000 buffered values must run out of
    // budget and let the spawned task run before it finishes.
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let rt = conductor::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for i in 0..1_000 {
            tx.send(i).unwrap();
        }
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let _task = conductor::spawn(async move { f.store(true, Ordering::SeqCst) });
        let mut seen_flag_at = None;
        for i in 0..1_000 {
            assert_eq!(rx.recv().await, Some(i));
            if seen_flag_at.is_none() && flag.load(Ordering::SeqCst) {
                seen_flag_at = Some(i);
            }
        }
        assert!(
            seen_flag_at.is_some_and(|i| i < 999),
            "the spawned task ran during the loop"
        );
    });
}

#[test]
#[should_panic(expected = "mpsc::channel needs a capacity of at least 1")]
fn zero_capacity_is_refused_with_a_clear_message() {
    let _ = mpsc::channel::<()>(0);
}

#[test]
fn unbounded_receiver_batch_keeps_order_len_and_drops() {
    let drops = Drops::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..3 {
        tx.send(drops.token(i)).unwrap();
    }
    // The first receive takes all three out of the channel in one batch.
    assert_eq!(rx.try_recv().unwrap().0, 0);
    assert_eq!(drops.count(), 1);
    tx.send(drops.token(3)).unwrap();
    assert_eq!(rx.len(), 3, "two batched plus one buffered");
    rx.close();
    assert!(tx.send(drops.token(4)).is_err());
    assert_eq!(drops.count(), 2);
    assert_eq!(rx.try_recv().unwrap().0, 1);
    drop(rx);
    assert_eq!(
        drops.count(),
        5,
        "the batched and the buffered values dropped with the receiver"
    );
}

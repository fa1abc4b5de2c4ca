//! Issue 3, item 2: `JoinHandle` (`runtime/src/task/harness.rs`, `join.rs`) and `JoinSet`
//! (`join_set.rs`): the output written vs the handle dropped, the join waker set vs the task
//! completing, abort vs poll vs completion, and `JoinSet::join_next` vs a completion.
//!
//! The join-waker cell and the `stage` cell are loom `UnsafeCell`s: loom fails the model on any
//! access that is not ordered by the state word's transitions. Wakers given to the handle are
//! [`CountingWaker`]s, so a model can check that the runtime dropped each clone it took.
#![cfg(conductor_loom)]

use std::task::Poll;

use conductor::task::JoinSet;
use loom_tests::{
    Arc, CountingWaker, Drops, Harness, WakerSlot, block_on, block_on_spurious, model,
    multi_thread, pending_once, poll_once, thread,
};

/// Guards: the output written by the completing thread vs the JoinHandle dropped on another.
/// `transition_to_join_handle_dropped` clears JOIN_INTEREST in a CAS that also reads COMPLETE,
/// and `complete` reads JOIN_INTEREST in the CAS that sets COMPLETE, so exactly one side drops
/// the output: never both, never neither.
#[test]
fn output_written_vs_handle_dropped() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let drops = Drops::new();
        let token = drops.token();
        let join = harness.spawn(async move { token });

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        drop(join);
        poller.join().unwrap();

        assert_eq!(drops.count(), 1, "output dropped exactly once");
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: the JoinHandle registering its waker (write the cell, then set JOIN_WAKER) vs the
/// task completing on another thread. Either completion sees JOIN_WAKER and wakes the handle,
/// or `set_join_waker` fails on COMPLETE and the handle reads the output at once. A lost wake
/// would leave `block_on` asleep forever (loom reports the deadlock).
#[test]
fn join_waker_set_vs_completion() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let join = harness.spawn(async { 42u32 });

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        // loom's `block_on` may also poll spuriously: a re-poll racing the completion.
        assert_eq!(block_on_spurious(join).unwrap(), 42);
        poller.join().unwrap();
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: the JoinHandle replacing its waker (polled again with a different one: it takes the
/// cell back with `unset_join_waker`, writes, sets the bit again) while the task completes. The
/// new waker is woken or the output read; the old waker is dropped exactly once (by the handle
/// when it takes the cell back, else with the cell).
#[test]
fn join_waker_replaced_vs_completion() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let slot = WakerSlot::new();
        let s = slot.clone();
        let mut join = harness.spawn(async move {
            pending_once(s).await;
            5u32
        });
        assert!(harness.run_one());
        let (first, first_waker) = CountingWaker::new();
        assert!(poll_once(&mut join, &first_waker).is_pending());
        slot.take().expect("the task left its waker").wake();

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        // `block_on` polls with a waker of its own: not `will_wake` with the first one.
        assert_eq!(block_on_spurious(&mut join).unwrap(), 5);
        poller.join().unwrap();

        // A waker left in the cell when the output was read goes with the cell.
        drop(join);
        assert_eq!(harness.freed(), 1);
        drop(first_waker);
        assert_eq!(
            std::sync::Arc::strong_count(&first),
            1,
            "the runtime leaked, or dropped twice, the first join waker"
        );
    });
}

/// Guards: the three-way race around a registered join waker: the task completes (wakes the
/// waker, then `unset_join_waker_after_complete`) while the handle is dropped
/// (`transition_to_join_handle_dropped`). If the handle goes first it takes the waker back and
/// drops it; if completion saw JOIN_WAKER first, the runtime owns the waker until it clears the
/// bit and drops it when the handle is gone. The waker is dropped exactly once, the output too.
#[test]
fn join_waker_vs_completion_vs_handle_drop() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let slot = WakerSlot::new();
        let drops = Drops::new();
        let (s, token) = (slot.clone(), drops.token());
        let mut join = harness.spawn(async move {
            pending_once(s).await;
            token
        });
        assert!(harness.run_one());
        let (counter, waker) = CountingWaker::new();
        assert!(poll_once(&mut join, &waker).is_pending());
        drop(waker);
        slot.take().expect("the task left its waker").wake();

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        drop(join);
        poller.join().unwrap();

        assert_eq!(
            std::sync::Arc::strong_count(&counter),
            1,
            "the join waker was leaked or dropped twice"
        );
        assert!(counter.wakes() <= 1);
        assert_eq!(drops.count(), 1, "output dropped exactly once");
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: `abort()` vs the poll that completes the task. Abort on a queued task only sets
/// CANCELLED (whoever dequeues it cancels); on a running one it sets CANCELLED and NOTIFIED,
/// which a completing poll ignores; on a complete one it does nothing. The handle sees
/// `Ok(output)` or `Cancelled`, the future is dropped once, and a cancelled task never ran.
#[test]
fn abort_vs_poll_vs_completion() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let drops = Drops::new();
        let polled = Drops::new();
        let (token, ran) = (drops.token(), polled.clone());
        let join = harness.spawn(async move {
            let _future = token;
            drop(ran.token()); // counts only if the body runs
            9u32
        });
        let abort = join.abort_handle();

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                harness.run_one();
            })
        };
        let aborter = thread::spawn(move || abort.abort());
        poller.join().unwrap();
        aborter.join().unwrap();

        harness.run_all();
        match block_on(join) {
            Ok(v) => {
                assert_eq!(v, 9);
                assert_eq!(polled.count(), 1);
            }
            Err(e) => {
                assert!(e.is_cancelled());
                assert_eq!(polled.count(), 0, "a cancelled task must not have run");
            }
        }
        assert_eq!(drops.count(), 1, "future dropped exactly once");
        assert_eq!(harness.queued(), 0);
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: `abort()` and a wake hitting the same idle task at once. Both want to submit it
/// (abort adds CANCELLED|NOTIFIED and a reference, the wake NOTIFIED and a reference): the
/// NOTIFIED CAS lets exactly one of them queue it (the harness asserts no task is queued
/// twice), and the run that follows cancels it.
#[test]
fn abort_vs_wake_of_idle_task() {
    model(|| {
        let harness = Harness::new();
        let slot = WakerSlot::new();
        let drops = Drops::new();
        let (s, token) = (slot.clone(), drops.token());
        let join = harness.spawn(async move {
            let _future = token;
            pending_once(s).await;
            std::future::pending::<()>().await;
        });
        assert!(harness.run_one());
        let waker = slot.take().expect("the task left its waker");
        let abort = join.abort_handle();

        let aborter = thread::spawn(move || abort.abort());
        let waker_thread = thread::spawn(move || waker.wake());
        aborter.join().unwrap();
        waker_thread.join().unwrap();

        assert_eq!(
            harness.scheduled(),
            1,
            "abort and wake queued the task once"
        );
        assert!(harness.run_one());
        assert!(block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.count(), 1);
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: `JoinSet::join_next` on one thread vs its task completing on a worker. The entry's
/// waker (the JoinHandle's join waker) pushes the entry onto the ready list and wakes the
/// registered `join_next` waker; `join_next` registers its waker before popping the list. In
/// every order the result is returned once and `join_next` never sleeps through it. Runs on a
/// real one-worker multi-thread runtime.
#[test]
fn join_set_join_next_vs_completion() {
    model(|| {
        let rt = multi_thread(1);
        let mut set = JoinSet::new();
        {
            let _guard = rt.handle().enter();
            set.spawn(async { 3u32 });
        }
        assert_eq!(block_on_spurious(set.join_next()).unwrap().unwrap(), 3);
        assert!(set.is_empty());
        assert!(matches!(
            poll_once(
                &mut std::pin::pin!(set.join_next()),
                std::task::Waker::noop()
            ),
            Poll::Ready(None)
        ));
        drop(set);
        drop(rt);
    });
}

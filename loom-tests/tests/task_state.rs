//! Issue 3, item 1: the task state word (`runtime/src/task/state.rs`), driven through real task
//! cells on a hand-run queue (`__loom::task::Harness`): wake vs poll vs complete, two wakes at
//! once, a wake during the poll, and the last reference.
//!
//! The harness asserts on every push that no task is ever queued twice (one `Notified` per
//! NOTIFIED bit), and counts freed cells; loom checks every access to the task's `stage` and
//! join-waker cells and reports a cell that is never freed ("Arc leaked": each cell holds a
//! reference to the harness).
#![cfg(conductor_loom)]

use loom_tests::{Arc, Drops, Harness, Signal, WakerSlot, model, pending_once, thread};

/// Guards: a wake from another thread landing before, during or after the poll that completes
/// the task. Before: the future sees the signal and completes. During: NOTIFIED is set on the
/// RUNNING task and `transition_to_idle` reschedules it once. After: the wake finds it idle and
/// submits it. In every order the task completes exactly once, is never queued twice, and its
/// future and output are dropped once.
#[test]
fn wake_vs_poll_vs_complete() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let signal = Signal::new();
        let drops = Drops::new();
        let (token, sig) = (drops.token(), signal.clone());
        let join = harness.spawn(async move {
            let _token = token;
            sig.wait().await;
            7u32
        });

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                harness.run_one();
            })
        };
        signal.set();
        poller.join().unwrap();

        // Whatever is queued now (a yield or a wake after the poll) completes the task.
        harness.run_all();
        assert!(
            harness.scheduled() + harness.yielded() <= 1,
            "one wake, at most one reschedule"
        );
        let out = loom_tests::block_on(join).unwrap();
        assert_eq!(out, 7);
        assert_eq!(drops.count(), 1, "future dropped once");
        assert_eq!(harness.alive(), 0);
        assert_eq!(harness.freed(), 1, "cell freed once");
    });
}

/// Guards: two wakers of one idle task firing at once, one by value and one by reference. The
/// NOTIFIED CAS lets exactly one submit a `Notified` (with a reference of its own); the
/// by-value waker then drops its reference, after the scheduler has taken the task.
#[test]
fn wake_from_two_threads_submits_once() {
    model(|| {
        let harness = Harness::new();
        let slot = WakerSlot::new();
        let join = harness.spawn(pending_once(slot.clone()));
        assert!(harness.run_one()); // first poll: Pending, the waker is in the slot
        let by_val = slot.take().expect("the task left its waker");
        let by_ref = by_val.clone();

        let a = thread::spawn(move || by_val.wake());
        let b = thread::spawn(move || by_ref.wake_by_ref());
        a.join().unwrap();
        b.join().unwrap();

        assert_eq!(
            harness.scheduled(),
            1,
            "exactly one wake submitted the task"
        );
        assert_eq!(harness.queued(), 1);
        assert!(harness.run_one());
        assert!(join.is_finished());
        drop(join);
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: a wake that lands while the task is being polled. `transition_to_notified_*` on a
/// RUNNING task only sets NOTIFIED (no `Notified` is made, the poller owns the task), and
/// `transition_to_idle` turns it into exactly one reschedule (`yield_now`); a wake just after
/// the poll goes through `schedule` instead. Never both, never neither.
#[test]
fn wake_during_poll_reschedules_once() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let slot = WakerSlot::new();
        let join = harness.spawn(pending_once(slot.clone()));

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        // The waker may not be there yet (the poll has not stored it): then wake after the poll.
        let early = slot.take();
        let woke_early = early.is_some();
        if let Some(waker) = early {
            waker.wake();
        }
        poller.join().unwrap();
        if !woke_early {
            slot.take().expect("the poll stored its waker").wake();
        }

        assert_eq!(
            harness.scheduled() + harness.yielded(),
            1,
            "one wake, one reschedule"
        );
        assert_eq!(harness.queued(), 1);
        assert!(harness.run_one());
        assert!(join.is_finished());
        drop(join);
        assert_eq!(harness.freed(), 1);
    });
}

/// Guards: the reference count reaching zero exactly once. Three owners let go at once: the
/// poller completing the task (its `Notified` and the owned list's reference), a waker woken
/// by value (its reference), and the JoinHandle being dropped. Whichever is last frees the
/// cell, and only it: `freed == 1`, and the output, which the completing thread or the handle
/// drops, is dropped once.
#[test]
fn last_reference_frees_once() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let slot = WakerSlot::new();
        let drops = Drops::new();
        let (token, s) = (drops.token(), slot.clone());
        let join = harness.spawn(async move {
            pending_once(s).await;
            token
        });
        assert!(harness.run_one());
        let waker = slot.take().expect("the task left its waker");
        waker.wake_by_ref(); // queued again; the next poll completes it

        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        let waker_thread = thread::spawn(move || waker.wake());
        drop(join);
        poller.join().unwrap();
        waker_thread.join().unwrap();

        assert_eq!(harness.queued(), 0);
        assert_eq!(harness.alive(), 0);
        assert_eq!(drops.count(), 1, "output dropped once");
        assert_eq!(harness.freed(), 1, "cell freed once");
    });
}

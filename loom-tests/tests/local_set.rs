//! Issue 9: `LocalSet` (`runtime/src/task/local/queue.rs`). A local task's waker is
//! `Send + Sync` and may fire on any thread: it sets the task's `scheduled` flag with a swap and
//! queues the task only if the flag was clear; the set clears the flag (a swap) just before each
//! poll. A wake racing that poll must either be seen by the poll or queue the task again, never
//! be lost; a lost wake-up shows as the model's `block_on` never returning, which loom reports as
//! a deadlock.
#![cfg(conductor_loom)]

use conductor::task::LocalSet;
use loom_tests::{Signal, current_thread, model};

/// Guards: one wake from another thread against the set's poll of the waiting task.
#[test]
fn wake_from_another_thread_is_not_lost() {
    model(|| {
        let rt = current_thread(1);
        let local = LocalSet::new();
        let signal = Signal::new();
        let waiter = signal.clone();
        let handle = local.spawn_local(async move {
            waiter.wait().await;
            7u32
        });
        let setter = loom::thread::spawn(move || signal.set());
        assert_eq!(local.block_on(&rt, handle).unwrap(), 7);
        setter.join().unwrap();
        drop(local);
        drop(rt);
    });
}

/// Guards: two wakes from two threads for the same task (the second may find the flag still
/// set and not queue it): the task, waiting for both signals, still completes.
#[test]
fn two_wakes_one_queue_entry() {
    model(|| {
        let rt = current_thread(1);
        let local = LocalSet::new();
        let (a, b) = (Signal::new(), Signal::new());
        let (wa, wb) = (a.clone(), b.clone());
        let handle = local.spawn_local(async move {
            wa.wait().await;
            wb.wait().await;
            3u32
        });
        let ta = loom::thread::spawn(move || a.set());
        let tb = loom::thread::spawn(move || b.set());
        assert_eq!(local.block_on(&rt, handle).unwrap(), 3);
        ta.join().unwrap();
        tb.join().unwrap();
        drop(local);
        drop(rt);
    });
}

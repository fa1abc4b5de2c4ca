//! Issue 3, item 5: the blocking pool (`runtime/src/blocking/pool.rs`): spawn vs an idle thread
//! exiting on keep-alive vs shutdown.
//!
//! Pool threads are loom threads. loom has no clock, so under the loom cfg a timed wait (the
//! keep-alive wait) times out as soon as the waiting thread runs again, unless it was notified
//! first (see `wait_timeout` in `runtime/src/sync.rs`): every idle thread is always about to
//! exit, which is the race these models are about. The spin after a task is one iteration
//! under loom. A task left in the queue with no thread on its way shows as a deadlock of the
//! model's `block_on` on its handle; a closure run twice or never shows in its drop count.
#![cfg(conductor_loom)]

use loom_tests::{Drops, block_on, current_thread, model, thread};

/// Guards: a spawn vs the pool's only thread (the cap is one) going idle and exiting on its
/// keep-alive. Under the pool's lock the spawn queues its task and, if no thread is pending
/// (on its way to the queue), wakes one: it notifies the idle thread (counted in `num_notify`,
/// which the thread takes before it looks at its timeout) or, when the thread has already
/// given back its count, starts a new one. The second closure always runs.
#[test]
fn spawn_vs_keep_alive_exit() {
    model(|| {
        let rt = current_thread(1);
        let first = rt.spawn_blocking(|| 1u32);
        assert_eq!(block_on(first).unwrap(), 1);
        let second = rt.spawn_blocking(|| 2u32);
        assert_eq!(block_on(second).unwrap(), 2);
        drop(rt);
    });
}

/// Guards: two spawns in a row vs the thread the first one started (cap two). The second spawn
/// wakes nobody while the first thread is still pending; that thread, when it takes its task
/// and finds more queued with nobody else pending, wakes one more (a new thread, or itself
/// after its task: it looks at the queue again). If the second spawn came after the thread
/// stopped being pending, the spawn wakes one itself. Both closures run exactly once.
#[test]
fn spawn_burst_vs_pending_thread() {
    model(|| {
        let rt = current_thread(2);
        let drops = Drops::new();
        let (t1, t2) = (drops.token(), drops.token());
        let first = rt.spawn_blocking(move || {
            drop(t1);
            1u32
        });
        let second = rt.spawn_blocking(move || {
            drop(t2);
            2u32
        });
        assert_eq!(block_on(first).unwrap(), 1);
        assert_eq!(block_on(second).unwrap(), 2);
        drop(rt);
        assert_eq!(drops.count(), 2);
    });
}

/// Guards: a spawn vs shutdown. Shutdown sets the flag under the pool's lock and wakes every
/// idle thread; a spawn after it is refused (its task cancelled at once), a task queued before
/// it is run or cancelled by a pool thread, and `shutdown` waits for the threads. The closure
/// is dropped exactly once (run or cancelled) and its handle resolves either way.
#[test]
fn spawn_vs_shutdown() {
    model(|| {
        let rt = current_thread(1);
        let handle = rt.handle().clone();
        let drops = Drops::new();
        let token = drops.token();
        let spawner = thread::spawn(move || {
            let join = handle.spawn_blocking(move || {
                drop(token);
                7u32
            });
            match block_on(join) {
                Ok(v) => assert_eq!(v, 7),
                Err(e) => assert!(e.is_cancelled()),
            }
        });
        drop(rt);
        spawner.join().unwrap();
        assert_eq!(drops.count(), 1, "closure dropped exactly once");
    });
}

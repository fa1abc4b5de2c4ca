//! Issue 3, item 5: the blocking pool (`runtime/src/blocking/pool.rs`): spawn vs an idle thread
//! exiting on keep-alive vs shutdown.
//!
//! Pool threads are loom threads. loom has no clock, so under the loom cfg a timed wait (the
//! keep-alive wait) times out as soon as the waiting thread runs again, unless it was notified
//! first (see `wait_timeout` in `runtime/src/sync.rs`): every idle thread is always about to exit,
//! which is the race these models are about. A task left in the queue with no thread to run it
//! shows as a deadlock of the model's `block_on` on its handle.
#![cfg(conductor_loom)]

use loom_tests::{Drops, block_on, current_thread, model, thread};

/// Guards: a spawn vs the pool's only thread (the cap is one) going idle and exiting on its
/// keep-alive. The spawn queues its task and, under the same lock, either counts a notification
/// for the idle thread (which takes it before looking at its timeout), or finds no idle thread
/// and starts one because the exiting thread already gave back its count. The exiting thread
/// leaves only when the queue is empty. The second closure always runs.
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

/// Guards: two spawns from two threads vs one idle thread about to exit, with a cap of two
/// threads. `num_notify` counts notifications so that both spawns cannot count on the same idle
/// thread: the first may notify it, the second then starts a thread (or notifies it too if it
/// took the first notification already). Both closures run.
#[test]
fn two_spawns_vs_one_idle_thread() {
    model(|| {
        let rt = current_thread(2);
        let warm = rt.spawn_blocking(|| 0u32);
        assert_eq!(block_on(warm).unwrap(), 0);
        let handle = rt.handle().clone();
        let other = thread::spawn(move || {
            let join = handle.spawn_blocking(|| 1u32);
            assert_eq!(block_on(join).unwrap(), 1);
        });
        let mine = rt.spawn_blocking(|| 2u32);
        assert_eq!(block_on(mine).unwrap(), 2);
        other.join().unwrap();
        drop(rt);
    });
}

/// Guards: a spawn vs shutdown. Shutdown sets the flag under the pool's lock and wakes every
/// idle thread; a spawn after it is refused (its task cancelled at once), a task queued before
/// it is run or cancelled by a pool thread, and `shutdown` waits for the threads. The closure is
/// dropped exactly once (run or cancelled) and its handle resolves either way.
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

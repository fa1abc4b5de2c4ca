//! Issue 3, item 4: the LIFO slot and stealing (`multi_thread/worker.rs`, `block_on.rs`): a
//! task in a LIFO slot is never stranded, by a worker that parks or by a `block_on` guest that
//! returns, and a task pushed out of a slot into a stealable queue (a worker's or the guest's)
//! wakes a peer that can steal it.
//!
//! A stranded task shows as a deadlock (the model's `block_on` on its handle never returns),
//! which loom reports.
#![cfg(conductor_loom)]

use loom_tests::{Signal, block_on, model, multi_thread};

/// Guards: a worker never parks with a task in its LIFO slot. Task A, run by the only worker,
/// spawns B (into that worker's LIFO slot) and waits for it; B's completion wakes A, which goes
/// into the slot again. The worker's `next_task` looks at the slot before its queues and it only
/// parks after `next_task` and the search found nothing, so both run and A's handle resolves,
/// while the main thread's wait races the worker's parking.
#[test]
fn lifo_task_not_stranded_when_worker_parks() {
    model(|| {
        let rt = multi_thread(1);
        let a = rt.spawn(async {
            let b = conductor::spawn(async { 2u32 });
            b.await.unwrap() + 1
        });
        assert_eq!(block_on(a).unwrap(), 3);
        drop(rt);
    });
}

/// Guards: a task displaced from the LIFO slot into the worker's stealable queue while a second
/// worker sleeps. A spawns B and then C on worker 1: C takes the slot and B moves to the local
/// queue, which calls `notify_parked` (stealable work appeared). Worker 2 may wake and steal B
/// (`steal_half_and_pop`) or worker 1 runs it after C; either way A, waiting for both, resolves.
#[test]
fn displaced_lifo_task_is_stealable() {
    model(|| {
        let rt = multi_thread(2);
        let a = rt.spawn(async {
            let b = conductor::spawn(async { 1u32 });
            let c = conductor::spawn(async { 2u32 });
            b.await.unwrap() + c.await.unwrap()
        });
        assert_eq!(block_on(a).unwrap(), 3);
        drop(rt);
    });
}

/// Guards: the guest worker's LIFO slot when `block_on` returns. The thread in `block_on` wakes
/// task T (which waits on a signal) from its future: if T was already polled and waiting, the
/// wake puts T in the guest's own LIFO slot (no cross-thread wake), and the future then
/// completes at once. The guest must hand what is left in its slot and queue to the injector
/// on the way out (`FlushLifo`), or T would never run again.
#[test]
fn guest_lifo_flushed_when_block_on_returns() {
    model(|| {
        let rt = multi_thread(1);
        let signal = Signal::new();
        let sig = signal.clone();
        let t = rt.spawn(async move {
            sig.wait().await;
            4u32
        });
        rt.block_on(async move { signal.set() });
        assert_eq!(block_on(t).unwrap(), 4);
        drop(rt);
    });
}

/// Guards: the guest's borrowed queue is stealable. The `block_on` future spawns A and then B
/// on the guest thread: B takes the guest's LIFO slot and A is displaced into the guest queue,
/// which calls `notify_parked`. The sleeping worker may wake and steal A while the guest runs B,
/// or the guest runs both; either way the future, waiting for both, completes, and nothing is
/// left behind when it does.
#[test]
fn guest_queue_is_stealable() {
    model(|| {
        let rt = multi_thread(1);
        let sum = rt.block_on(async {
            let a = conductor::spawn(async { 1u32 });
            let b = conductor::spawn(async { 2u32 });
            a.await.unwrap() + b.await.unwrap()
        });
        assert_eq!(sum, 3);
        drop(rt);
    });
}

//! Issue 3, item 3: parking (`runtime/src/scheduler/park.rs`, `multi_thread/idle.rs`,
//! `multi_thread/worker.rs`, `current_thread.rs`): the parker's state word, the last worker
//! going to sleep vs a task pushed from another thread, notify vs the searching count, and
//! shutdown vs park.
//!
//! A lost wake-up shows as a deadlock: every thread blocked, which loom reports. The runtime
//! models build real runtimes (loom worker threads, the condvar stand-in for the driver) and
//! drop them at the end, so each also checks that shutdown joins every worker and frees every
//! task (a task left behind is reported as a leaked `Arc`).
#![cfg(conductor_loom)]

use loom::sync::atomic::AtomicBool;
use loom::sync::atomic::Ordering::Relaxed;
use loom_tests::{
    Arc, Driver, DropToken, Drops, Parker, Signal, block_on, current_thread, model, multi_thread,
    thread,
};

/// Guards: `Unparker::unpark` vs `Parker::park` on the condvar. An unpark before the park
/// leaves NOTIFIED, which the park consumes without sleeping; one that finds PARKED_CONDVAR
/// takes the parker's mutex before notifying, so it cannot fall between the parker's CAS and
/// its wait. Either way the park returns.
#[test]
fn unpark_vs_park_on_condvar() {
    model(|| {
        let parker = Parker::new(None);
        let unparker = parker.unparker();
        let t = thread::spawn(move || unparker.unpark());
        parker.park(None);
        t.join().unwrap();
    });
}

/// Guards: `Unparker::unpark` vs a park inside the driver. The unpark that finds
/// PARKED_DRIVER must wake the driver (not the condvar); one that comes first leaves the token.
/// Two unparks racing one park leave at most one token: the second park does not return early
/// twice (the driver's own `woken` flag is consumed by the park it wakes).
#[test]
fn unpark_vs_park_in_driver() {
    model(|| {
        let (mut driver, driver_unpark) = Driver::new();
        let parker = Parker::new(Some(&driver_unpark));
        let unparker = parker.unparker();
        let t = thread::spawn(move || unparker.unpark());
        parker.park(Some(&mut driver));
        t.join().unwrap();
    });
}

/// Guards: two unparks racing one park. The park that finds a token only after its first look
/// (its CAS to PARKED fails on NOTIFIED) must reset the word with a swap, not a store: the swap
/// reads the latest unpark's write, so the parker sees what that unparker did before unparking.
/// With a store, the parker can consume the second unpark's token without seeing its flag,
/// park again, and sleep forever (as a worker that misses the shutdown flag would).
#[test]
fn two_unparks_vs_park() {
    model(|| {
        let parker = Parker::new(None);
        let flag = Arc::new(AtomicBool::new(false));
        let (first, second) = (parker.unparker(), parker.unparker());
        let t1 = thread::spawn(move || first.unpark());
        let f = flag.clone();
        let t2 = thread::spawn(move || {
            f.store(true, Relaxed); // published by the unpark, nothing else
            second.unpark();
        });
        while !flag.load(Relaxed) {
            parker.park(None);
        }
        t1.join().unwrap();
        t2.join().unwrap();
    });
}

/// Guards: the last (only) worker going to sleep vs a task pushed to the injector from outside
/// the runtime. The pusher's `worker_to_notify` and the parker's `transition_to_parked` are
/// read-modify-writes on the idle word: either the pusher sees the worker asleep and unparks it,
/// or the worker, going to sleep after the push, finds the task when it re-checks the queues
/// (last searcher) or in its own search. The task runs: `block_on` on its handle returns.
#[test]
fn push_vs_last_worker_parking() {
    model(|| {
        let rt = multi_thread(1);
        let join = rt.spawn(async { 1u32 });
        assert_eq!(block_on(join).unwrap(), 1);
        drop(rt);
    });
}

/// Guards: the same race with two workers, where the notify decision depends on the searching
/// count: a push that sees a searcher wakes nobody, so that searcher, when it gives up, must be
/// the one that re-checks every queue after its decrement (`transition_to_parked` returning
/// "last searcher" then `notify_if_work_pending`), or a worker that finds work while it was the
/// last searcher must wake another (`transition_from_searching`).
#[test]
fn push_vs_searching_workers() {
    model(|| {
        let rt = multi_thread(2);
        let join = rt.spawn(async { 2u32 });
        assert_eq!(block_on(join).unwrap(), 2);
        drop(rt);
    });
}

/// Guards: the searching count is given back on every path. Two rounds of push-then-wait: after
/// the first task ran, the worker goes back to sleep, and the second push must still wake it.
/// A searcher that was counted and never uncounted (a notified worker that parks again without
/// `transition_to_parked(.., true)`, say) would make the second push see "someone is
/// searching" and wake nobody, and the second task would never run. One worker: with two, the
/// two rounds take over a million executions at one preemption and do not fit the suite's
/// budget at two (`push_vs_searching_workers` covers two workers in one round).
#[test]
fn notify_vs_searching_count_over_two_rounds() {
    model(|| {
        let rt = multi_thread(1);
        let first = rt.spawn(async { 1u32 });
        assert_eq!(block_on(first).unwrap(), 1);
        let second = rt.spawn(async { 2u32 });
        assert_eq!(block_on(second).unwrap(), 2);
        drop(rt);
    });
}

/// Guards: shutdown vs workers going to sleep. Shutdown sets the flag, then unparks every
/// worker and the driver; a worker checks the flag at the top of its loop and after every
/// wake-up. A worker that parks after the flag was set still finds the unpark token (or the
/// driver's `woken` flag), so `drop(rt)` always joins both workers.
#[test]
fn shutdown_vs_park() {
    model(|| {
        let rt = multi_thread(2);
        drop(rt);
    });
}

/// Guards: a spawn from another thread vs shutdown (the injector push is followed by a SeqCst
/// fence and a flag check, paired with the fence in `shutdown`). Either the shutting-down
/// thread finds the task (in the owned list or the injector) and cancels it, or the spawner
/// sees the flag and drops what it pushed, or the task ran first. The future is dropped exactly
/// once, the handle resolves, and nothing is left behind.
#[test]
fn spawn_vs_shutdown() {
    model(|| {
        let rt = multi_thread(1);
        let handle = rt.handle().clone();
        let drops = Drops::new();
        let token: DropToken = drops.token();
        let spawner = thread::spawn(move || {
            let join = handle.spawn(async move {
                let _future = token;
                5u32
            });
            match block_on(join) {
                Ok(v) => assert_eq!(v, 5),
                Err(e) => assert!(e.is_cancelled()),
            }
        });
        drop(rt);
        spawner.join().unwrap();
        assert_eq!(drops.count(), 1, "future dropped exactly once");
    });
}

/// Guards: the current-thread flavor's remote wake vs its park. A task waits on a signal that
/// another thread sets; its wake goes to the remote queue and unparks the core's holder, which
/// may be parked in the driver, about to park, or running. `block_on` on the task returns.
#[test]
fn current_thread_remote_wake_vs_park() {
    model(|| {
        let rt = current_thread(1);
        let signal = Signal::new();
        let sig = signal.clone();
        let join = rt.spawn(async move {
            sig.wait().await;
            3u32
        });
        let setter = thread::spawn(move || signal.set());
        assert_eq!(rt.block_on(join).unwrap(), 3);
        setter.join().unwrap();
        drop(rt);
    });
}

//! Issue 3, item 6: the owned-task list (`runtime/src/task/list.rs`) and shutdown: a task
//! completing vs shutdown closing the list, a spawn vs the close, a wake vs shutdown. Each task
//! is released exactly once: its future dropped once, its cell freed once.
#![cfg(conductor_loom)]

use loom_tests::{Arc, Drops, Harness, Signal, block_on, current_thread, model, thread};

/// Guards: a task completing on one thread (`complete` -> `release` -> `OwnedTasks::remove`)
/// while another closes the list and shuts every task down (`close_and_shutdown_all` pops each
/// task under the shard lock, then `transition_to_shutdown` outside it). Exactly one of them
/// takes the list's reference: if the completion unlinked the task, shutdown never sees it; if
/// shutdown popped it first, `remove` finds it unlinked and the completion drops only its own
/// reference. A second, idle task in the same shard is shut down by the close. Both futures are
/// dropped once, both cells freed once.
#[test]
fn complete_vs_close() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let drops = Drops::new();
        let (t1, t2) = (drops.token(), drops.token());
        let first = harness.spawn(async move {
            let _future = t1;
            1u32
        });
        let second = harness.spawn(async move {
            let _future = t2;
            std::future::pending::<u32>().await
        });

        let runner = {
            let harness = harness.clone();
            thread::spawn(move || {
                harness.run_one(); // runs `first` to completion, unless shutdown claimed it
            })
        };
        harness.shutdown();
        runner.join().unwrap();
        harness.run_all(); // whatever is still queued finds its task complete

        match block_on(first) {
            Ok(v) => assert_eq!(v, 1),
            Err(e) => assert!(e.is_cancelled()),
        }
        assert!(block_on(second).unwrap_err().is_cancelled());
        assert_eq!(drops.count(), 2, "each future dropped once");
        assert_eq!(harness.alive(), 0);
        assert_eq!(harness.freed(), 2, "each cell freed once");
    });
}

/// Guards: a spawn (`OwnedTasks::bind`) vs the close. The close marks the shard closed under
/// its lock; a bind after it fails and the spawner shuts the task down itself, a bind before it
/// is found by the close. The task never runs, its future is dropped once, its cell freed once.
#[test]
fn bind_vs_close() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let drops = Drops::new();
        let token = drops.token();
        let spawner = {
            let harness = harness.clone();
            thread::spawn(move || {
                harness.spawn(async move {
                    let _future = token;
                    std::future::pending::<()>().await
                })
            })
        };
        harness.shutdown();
        let join = spawner.join().unwrap();
        harness.run_all(); // a `Notified` queued after the close finds the task complete

        assert!(block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.count(), 1, "future dropped once");
        assert_eq!(harness.freed(), 1, "cell freed once");
    });
}

/// Guards: a wake from another thread vs shutdown of a current-thread runtime. The wake pushes
/// to the remote queue under its lock unless the shutdown flag is set; shutdown sets the flag,
/// shuts every task down through the owned list, then drains the queues. The task is cancelled
/// once, and no `Notified` is left in a queue (it would keep the runtime alive: loom reports
/// the leak).
#[test]
fn wake_vs_shutdown_current_thread() {
    model(|| {
        let rt = current_thread(1);
        let drops = Drops::new();
        let (signal, token) = (Signal::new(), drops.token());
        let sig = signal.clone();
        let join = rt.spawn(async move {
            let _future = token;
            sig.wait().await;
            std::future::pending::<()>().await
        });
        // Poll the task once so it waits on the signal.
        rt.block_on(conductor::task::yield_now());
        let waker = thread::spawn(move || signal.set());
        drop(rt);
        waker.join().unwrap();

        assert!(block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.count(), 1, "future dropped once");
    });
}

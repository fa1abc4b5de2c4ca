//! Issue 7: a task that completes while its JoinHandle still wants the output stays in the
//! owned-task list (completed-not-joined, for the task dump) until the handle takes the output
//! or is dropped. The completion decides from its own transition of the state word, the handle
//! from its own; exactly one side unlinks the task, the cell is freed once, the output dropped
//! once, and the list ends empty.
#![cfg(conductor_loom)]

use loom_tests::{Arc, Drops, Harness, block_on, model, thread};

/// Guards: the completing poll (`complete` sees JOIN_INTEREST and leaves the task linked, or
/// sees it gone and unlinks) vs the JoinHandle's drop (`drop_join_handle` sees COMPLETE and
/// unlinks, or does not and leaves it to the completion).
#[test]
fn complete_vs_join_handle_drop() {
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

        assert_eq!(harness.alive(), 0);
        assert_eq!(drops.count(), 1, "output dropped once");
        assert_eq!(harness.freed(), 1, "cell freed once");
    });
}

/// Guards: the completing poll vs the JoinHandle reading the output on another thread
/// (`try_read_output` unlinks the task it finds complete).
#[test]
fn complete_vs_join() {
    model(|| {
        let harness = Arc::new(Harness::new());
        let join = harness.spawn(async { 5u32 });
        let poller = {
            let harness = harness.clone();
            thread::spawn(move || {
                assert!(harness.run_one());
            })
        };
        assert_eq!(block_on(join).unwrap(), 5);
        poller.join().unwrap();

        assert_eq!(harness.alive(), 0);
        assert_eq!(harness.freed(), 1, "cell freed once");
    });
}

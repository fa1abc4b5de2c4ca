//! Issue 7: the blocking monitor against a worker (`multi_thread/watch.rs`, `lifo.rs`).
//!
//! - The poll watch: a worker ending its poll races the monitor flagging it. Exactly one of
//!   two outcomes: the monitor's flag lands and the worker's poll end sees it, or the flag
//!   fails and the worker sees nothing; a flag aimed at a poll never lands on the next one.
//! - The LIFO slot on hand-off: a worker stuck in a poll wakes a task (a LIFO put) while the
//!   monitor hands it off (flag, then empty the slot). The task ends up with exactly one
//!   owner, and never stays in the slot of a handed-off worker.
#![cfg(conductor_loom)]

use conductor::__loom::blocking::{Lifo, Watch};
use loom::sync::Arc;
use loom::sync::Mutex;
use loom::thread;
use loom_tests::model;

/// Guards: the flag CAS against the worker's poll-end swap, over two consecutive polls.
#[test]
fn flag_lands_on_the_poll_it_saw_or_not_at_all() {
    model(|| {
        let watch = Arc::new(Watch::default());
        let w = watch.clone();
        let worker = thread::spawn(move || {
            let s1 = Watch::SEQ_STEP;
            w.begin(s1);
            let first = w.end(s1);
            let s2 = 2 * Watch::SEQ_STEP;
            w.begin(s2);
            let second = w.end(s2);
            (first, second)
        });
        let flagged = match watch.snapshot() {
            Some(state) => watch.flag(state, true),
            None => false,
        };
        let (first, second) = worker.join().unwrap();
        // The flag lands on at most one poll, and the worker sees it exactly when it landed.
        let seen = [first, second]
            .iter()
            .filter(|e| e.reported && e.handed_off)
            .count();
        assert_eq!(seen, usize::from(flagged));
        assert!(!first.reported || first.handed_off);
        assert!(!second.reported || second.handed_off);
    });
}

/// Guards: the Dekker pairing of the worker's LIFO put + SeqCst flag load against the
/// monitor's flag CAS + slot swap. Value 1 sat in the slot before the poll; the worker, inside
/// the poll, wakes value 2 (displacing 1 into its queue, modelled as a `displaced` list). If
/// the monitor's hand-off lands, the slot must be empty once both are done (the worker took 2
/// back or the monitor moved it), and every value has exactly one owner.
#[test]
fn handoff_never_strands_the_lifo_task() {
    lifo_flag_model(true);
}

/// The same with report-only flagging (hand-off off or no spare slot): the monitor empties the
/// LIFO slot of a reported worker too, and the worker routes its wakes away while flagged.
#[test]
fn report_never_strands_the_lifo_task() {
    lifo_flag_model(false);
}

fn lifo_flag_model(handoff_flag: bool) {
    model(move || {
        let watch = Arc::new(Watch::default());
        let lifo = Arc::new(Lifo::default());
        let injector = Arc::new(Mutex::new(Vec::new()));
        assert_eq!(lifo.put(1), None);
        let seq = Watch::SEQ_STEP;
        watch.begin(seq); // the worker is in its poll before the monitor looks

        let (w, l, inj) = (watch.clone(), lifo.clone(), injector.clone());
        let worker = thread::spawn(move || {
            let mut displaced = Vec::new();
            // `schedule_local` during the poll.
            if w.is_flagged() {
                inj.lock().unwrap().push(2);
            } else {
                if let Some(prev) = l.put(2) {
                    displaced.push(prev);
                }
                if let Some(v) = w.is_flagged().then(|| l.take()).flatten() {
                    inj.lock().unwrap().push(v);
                }
            }
            displaced
        });

        let state = watch.snapshot().expect("in a poll");
        let handed_off = watch.flag(state, handoff_flag);
        if let Some(v) = handed_off.then(|| lifo.take_for_handoff()).flatten() {
            injector.lock().unwrap().push(v);
        }
        let displaced = worker.join().unwrap();

        let left_in_slot = lifo.take();
        if handed_off {
            assert_eq!(left_in_slot, None, "a flagged worker's slot is empty");
        }
        let end = watch.end(seq);
        assert_eq!(end.reported, handed_off);
        assert_eq!(end.handed_off, handed_off && handoff_flag);
        let mut all: Vec<u32> = injector.lock().unwrap().clone();
        all.extend(displaced);
        all.extend(left_in_slot);
        all.sort_unstable();
        assert_eq!(all, vec![1, 2], "each value has exactly one owner");
    });
}

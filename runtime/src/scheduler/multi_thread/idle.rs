//! Which workers are parked and how many are searching for work.
//!
//! # The parking protocol (no lost wake-ups)
//!
//! One atomic word counts the *unparked* workers and, among them, the *searching* ones (out
//! of work, trying to steal). A list of sleeping worker indexes sits under a mutex.
//!
//! - **Making work available** (push to a local queue that others can steal, or to the
//!   injector): push first, then `worker_to_notify`. It wakes a sleeper only if nobody is
//!   searching and someone is asleep: a searcher will find the work anyway. The woken worker
//!   starts as a searcher (counted here, before it runs), so a burst of pushes wakes one
//!   worker, not all of them.
//! - **Finding work while searching**: `transition_from_searching`; the last searcher to stop
//!   wakes another worker, so the search goes on while work remains.
//! - **Parking**: `transition_to_parked` decrements the counts under the lock. A worker that
//!   was the last searcher then re-checks every queue (`Shared::notify_if_work_pending`) before
//!   sleeping.
//!
//! Why nothing is stranded: the pusher's check and the parker's decrement are read-modify-
//! writes on the same word, so they are totally ordered. If the parker's decrement comes
//! first, the pusher sees one fewer unparked worker and (if nobody searches) wakes a sleeper.
//! If the pusher's check comes first and it saw a searcher, that searcher either takes the
//! task, or is or becomes the last searcher and re-checks the queues after its decrement,
//! which synchronizes with the pusher's read-modify-write (RMWs continue a release sequence),
//! so it sees the push. Searching counts are SeqCst for this Dekker-style pairing; the
//! `fetch_add(0)` loads are RMWs on purpose, so they take part in that total order.

use crate::loom_sync::{
    AtomicUsize, Mutex,
    Ordering::{Relaxed, SeqCst},
};

const UNPARKED_SHIFT: u32 = 16;
const SEARCHING_MASK: usize = (1 << UNPARKED_SHIFT) - 1;
const UNPARKED_ONE: usize = 1 << UNPARKED_SHIFT;

pub(crate) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    sleepers: Mutex<Vec<usize>>,
}

fn searching(state: usize) -> usize {
    state & SEARCHING_MASK
}

fn unparked(state: usize) -> usize {
    state >> UNPARKED_SHIFT
}

impl Idle {
    /// All workers start unparked and not searching.
    pub(crate) fn new(num_workers: usize) -> Idle {
        assert!(num_workers < SEARCHING_MASK);
        Idle {
            state: AtomicUsize::new(num_workers << UNPARKED_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    fn should_wake_one(&self) -> bool {
        let state = self.state.fetch_add(0, SeqCst);
        searching(state) == 0 && unparked(state) < self.num_workers
    }

    /// Picks a sleeping worker to wake, already counted as unparked and searching; `None`
    /// when a searcher exists or nobody sleeps.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.should_wake_one() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.should_wake_one() {
            return None;
        }
        let worker = sleepers.pop()?;
        self.state.fetch_add(UNPARKED_ONE | 1, SeqCst);
        Some(worker)
    }

    /// Become a searcher, unless half the workers already are (a spawn should not send every
    /// idle worker stealing).
    pub(crate) fn transition_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * searching(state) >= self.num_workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// Stop searching; returns `true` for the last searcher, which must wake another worker if
    /// work remains.
    pub(crate) fn transition_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        debug_assert!(searching(prev) > 0);
        searching(prev) == 1
    }

    /// Record `worker` as parked. Returns `true` if it was the last searcher: it must then
    /// re-check all queues before it sleeps.
    pub(crate) fn transition_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = UNPARKED_ONE | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(worker);
        is_searching && searching(prev) == 1
    }

    /// A parked worker woke up without being picked by `worker_to_notify` (a spurious wake,
    /// or it has work of its own): take it off the sleeper list. Returns `false` if someone
    /// already did, i.e. it was notified (and counted as a searcher).
    pub(crate) fn unpark_worker_by_id(&self, worker: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        match sleepers.iter().position(|&w| w == worker) {
            Some(i) => {
                sleepers.swap_remove(i);
                self.state.fetch_add(UNPARKED_ONE, SeqCst);
                true
            }
            None => false,
        }
    }

    /// Whether every worker is awake and none is searching, i.e. all are busy running tasks.
    /// A heuristic read (no ordering needed): the `block_on` guest helps with the injector
    /// only then.
    pub(crate) fn all_busy(&self) -> bool {
        let state = self.state.load(Relaxed);
        searching(state) == 0 && unparked(state) == self.num_workers
    }

    /// Workers awake now. SeqCst: the monitor's sleep decision pairs with the unparking
    /// side's count RMW (see `MonitorSignal::poke`).
    pub(crate) fn num_unparked(&self) -> usize {
        unparked(self.state.load(SeqCst))
    }

    /// Some worker on the sleeper list, if any.
    pub(crate) fn any_sleeper(&self) -> Option<usize> {
        self.sleepers.lock().last().copied()
    }

    /// Whether `worker` is on the sleeper list.
    pub(crate) fn is_parked(&self, worker: usize) -> bool {
        self.sleepers.lock().contains(&worker)
    }

    /// Searching workers now (for tests and metrics).
    #[allow(dead_code)]
    pub(crate) fn num_searching(&self) -> usize {
        searching(self.state.load(SeqCst))
    }
}

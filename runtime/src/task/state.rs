//! The task's state word: lifecycle flags and the reference count packed in one atomic.
//!
//! ```text
//! | refcount (usize::BITS - 6) | JOIN_WAKER | JOIN_INTEREST | CANCELLED | NOTIFIED | COMPLETE | RUNNING |
//! ```
//!
//! Every transition is a named method: one CAS loop (or one `fetch_*`) on the word, so the
//! orderings are chosen here and nowhere else. Transitions that touch the task's `stage` or
//! join waker are `AcqRel`: the thread that sets a flag releases its writes to the cells, the
//! thread that observes the flag acquires them. The diagram in `docs/architecture.md` draws
//! the same machine.

use crate::loom_sync::{AtomicUsize, Ordering::*};

/// The task is being polled (or cancelled) by exactly one thread, which owns its `stage`.
const RUNNING: usize = 0b00_0001;
/// The future finished (output or error stored); nobody will poll it again.
const COMPLETE: usize = 0b00_0010;
/// A `Notified` reference for the task exists (in a queue or about to be), or, while RUNNING,
/// the task was woken during its poll and must be scheduled again when it returns.
const NOTIFIED: usize = 0b00_0100;
/// Abort was requested: the next thread to run the task drops the future instead.
const CANCELLED: usize = 0b00_1000;
/// A `JoinHandle` exists and wants the output.
const JOIN_INTEREST: usize = 0b01_0000;
/// The join waker cell is filled and belongs to the runtime side (read only), until the
/// runtime clears this bit after completion or the JoinHandle clears it before.
const JOIN_WAKER: usize = 0b10_0000;

const REF_SHIFT: u32 = 6;
/// One reference.
const REF_ONE: usize = 1 << REF_SHIFT;
/// References above this abort the process rather than overflow (the `Arc` rule).
const REF_MAX: usize = usize::MAX >> 1;

/// The atomic word. The raw atomic never leaves this type.
pub(crate) struct State(AtomicUsize);

/// A copy of the word at one moment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// What the poller must do after `transition_to_running`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToRunning {
    /// Poll the future.
    Success,
    /// Abort was requested: drop the future and complete with `Cancelled`.
    Cancelled,
    /// The task is running elsewhere or complete; drop this `Notified` reference.
    Failed,
}

/// What the poller must do after the future returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToIdle {
    /// Idle; drop the poller's `Notified` reference.
    Ok,
    /// Woken during the poll: a reference was added for a new `Notified`; schedule it, then
    /// drop the old one.
    OkNotified,
    /// Aborted during the poll: the poller still owns `stage`, cancel now.
    Cancelled,
}

/// What a waker must do.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToNotified {
    /// Nothing: the task is running, queued or complete.
    DoNothing,
    /// Submit a new `Notified` to the scheduler (the reference it needs is already counted).
    Submit,
}

/// What the JoinHandle drop must do.
#[must_use]
pub(crate) struct JoinDropped {
    /// The task completed, so the handle, not the runtime, drops the output.
    pub(crate) drop_output: bool,
    /// The join waker cell is the handle's again; it drops the waker.
    pub(crate) drop_waker: bool,
}

impl State {
    /// A new task: one reference for each of `refs` owners (the owned-task list, the first
    /// `Notified`, the `JoinHandle`), scheduled, with a join handle.
    pub(crate) fn new(refs: usize) -> State {
        State(AtomicUsize::new(
            (refs * REF_ONE) | NOTIFIED | JOIN_INTEREST,
        ))
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// CAS loop around `f`, which returns the new word and a result, or `None` to leave the
    /// word as it is. Success is `AcqRel` (publishes what this thread wrote to the task's cells
    /// and acquires what the previous owner wrote); failure is `Acquire`.
    #[inline]
    fn fetch_update<R>(&self, mut f: impl FnMut(Snapshot) -> (Option<Snapshot>, R)) -> R {
        let mut cur = self.load();
        loop {
            let (next, res) = f(cur);
            let Some(next) = next else { return res };
            match self.0.compare_exchange_weak(cur.0, next.0, AcqRel, Acquire) {
                Ok(_) => return res,
                Err(actual) => cur = Snapshot(actual),
            }
        }
    }

    /// NOTIFIED -> RUNNING, taken by the thread that dequeued a `Notified`.
    pub(crate) fn transition_to_running(&self) -> ToRunning {
        self.fetch_update(|mut s| {
            debug_assert!(s.is_notified());
            if s.is_running() || s.is_complete() {
                // Only possible for a shutdown that already claimed the task.
                return (None, ToRunning::Failed);
            }
            s.0 = (s.0 & !NOTIFIED) | RUNNING;
            let res = if s.is_cancelled() {
                ToRunning::Cancelled
            } else {
                ToRunning::Success
            };
            (Some(s), res)
        })
    }

    /// RUNNING -> idle after a `Pending`.
    pub(crate) fn transition_to_idle(&self) -> ToIdle {
        self.fetch_update(|mut s| {
            debug_assert!(s.is_running());
            if s.is_cancelled() {
                return (None, ToIdle::Cancelled);
            }
            s.0 &= !RUNNING;
            if s.is_notified() {
                // The wake during the poll left NOTIFIED set for us: the new `Notified`
                // needs its own reference.
                s.ref_inc();
                (Some(s), ToIdle::OkNotified)
            } else {
                (Some(s), ToIdle::Ok)
            }
        })
    }

    /// RUNNING -> COMPLETE. Returns the word after the transition. `AcqRel`: the output the
    /// caller just wrote is released to the JoinHandle, which acquires it on seeing COMPLETE.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        let prev = Snapshot(self.0.fetch_xor(RUNNING | COMPLETE, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        Snapshot(prev.0 ^ (RUNNING | COMPLETE))
    }

    /// `Waker::wake_by_ref`.
    pub(crate) fn transition_to_notified_by_ref(&self) -> ToNotified {
        self.fetch_update(|mut s| {
            if s.is_complete() || s.is_notified() {
                (None, ToNotified::DoNothing)
            } else if s.is_running() {
                s.0 |= NOTIFIED;
                (Some(s), ToNotified::DoNothing)
            } else {
                s.0 |= NOTIFIED;
                s.ref_inc();
                (Some(s), ToNotified::Submit)
            }
        })
    }

    /// `abort()`: mark CANCELLED, and schedule the task if it is idle so a worker drops it.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update(|mut s| {
            if s.is_cancelled() || s.is_complete() {
                (None, false)
            } else if s.is_running() || s.is_notified() {
                // The running poller, or whoever dequeues the `Notified`, sees CANCELLED.
                s.0 |= CANCELLED | if s.is_running() { NOTIFIED } else { 0 };
                (Some(s), false)
            } else {
                s.0 |= CANCELLED | NOTIFIED;
                s.ref_inc();
                (Some(s), true)
            }
        })
    }

    /// Runtime shutdown: set CANCELLED, and claim RUNNING if the task is idle. Returns `true`
    /// when the caller now owns the task and must cancel it.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.fetch_update(|mut s| {
            let claim = !s.is_running() && !s.is_complete();
            if claim {
                s.0 |= RUNNING;
            }
            s.0 |= CANCELLED;
            (Some(s), claim)
        })
    }

    /// JoinHandle dropped: clear JOIN_INTEREST, and JOIN_WAKER too unless the task completed
    /// (then the runtime may be reading the waker and clears the bit itself).
    pub(crate) fn transition_to_join_handle_dropped(&self) -> JoinDropped {
        self.fetch_update(|mut s| {
            debug_assert!(s.is_join_interested());
            s.0 &= !JOIN_INTEREST;
            if !s.is_complete() {
                s.0 &= !JOIN_WAKER;
            }
            let res = JoinDropped {
                drop_output: s.is_complete(),
                drop_waker: !s.is_join_waker_set(),
            };
            (Some(s), res)
        })
    }

    /// The JoinHandle stored a waker: hand the cell to the runtime. Fails (returns the word)
    /// when the task completed first; the cell is then still the handle's.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|mut s| {
            debug_assert!(s.is_join_interested() && !s.is_join_waker_set());
            if s.is_complete() {
                return (None, Err(s));
            }
            s.0 |= JOIN_WAKER;
            (Some(s), Ok(s))
        })
    }

    /// The JoinHandle wants to replace its waker: take the cell back. Fails when the task
    /// completed (then the output is ready to read).
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|mut s| {
            if s.is_complete() {
                // Completion may have cleared JOIN_WAKER since the caller looked.
                return (None, Err(s));
            }
            debug_assert!(s.is_join_interested() && s.is_join_waker_set());
            s.0 &= !JOIN_WAKER;
            (Some(s), Ok(s))
        })
    }

    /// After completion the runtime is done with the join waker. Returns the word after; if
    /// JOIN_INTEREST is gone the handle was dropped meanwhile and the runtime drops the waker.
    pub(crate) fn unset_join_waker_after_complete(&self) -> Snapshot {
        let prev = Snapshot(self.0.fetch_and(!JOIN_WAKER, AcqRel));
        debug_assert!(prev.is_complete() && prev.is_join_waker_set());
        Snapshot(prev.0 & !JOIN_WAKER)
    }

    /// Adds one reference. `Relaxed`, as `Arc::clone`: a new reference can only be made from
    /// an existing one, which already keeps the task alive, so nothing needs ordering here.
    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Relaxed);
        if prev > REF_MAX {
            std::process::abort();
        }
    }

    /// Drops `n` references; `true` when they were the last and the caller must free the
    /// task. `AcqRel`: every owner's writes happen before the last owner frees the memory.
    pub(crate) fn ref_dec_n(&self, n: usize) -> bool {
        let prev = Snapshot(self.0.fetch_sub(n * REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= n);
        prev.ref_count() == n
    }

    pub(crate) fn ref_dec(&self) -> bool {
        self.ref_dec_n(1)
    }
}

impl Snapshot {
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interested", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    fn fresh() -> State {
        State::new(3)
    }

    #[test]
    fn new_task_is_scheduled_with_three_refs() {
        let s = fresh().load();
        assert!(s.is_notified() && s.is_join_interested());
        assert!(!s.is_running() && !s.is_complete());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn wake_during_poll_reschedules_once() {
        let st = fresh();
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        st.ref_inc(); // a waker clone
        assert_eq!(st.transition_to_notified_by_ref(), ToNotified::DoNothing);
        assert_eq!(st.transition_to_notified_by_ref(), ToNotified::DoNothing);
        assert_eq!(st.transition_to_idle(), ToIdle::OkNotified);
        let s = st.load();
        assert!(s.is_notified() && !s.is_running());
        // 3 initial + 1 waker + 1 new Notified.
        assert_eq!(s.ref_count(), 5);
    }

    #[test]
    fn wake_idle_task_submits_then_second_wake_does_nothing() {
        let st = fresh();
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        assert_eq!(st.transition_to_idle(), ToIdle::Ok);
        assert_eq!(st.transition_to_notified_by_ref(), ToNotified::Submit);
        assert_eq!(st.transition_to_notified_by_ref(), ToNotified::DoNothing);
        assert_eq!(st.load().ref_count(), 4);
    }

    #[test]
    fn abort_idle_task_schedules_it_cancelled() {
        let st = fresh();
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        assert_eq!(st.transition_to_idle(), ToIdle::Ok);
        assert!(st.transition_to_notified_and_cancel());
        assert!(!st.transition_to_notified_and_cancel());
        assert_eq!(st.transition_to_running(), ToRunning::Cancelled);
    }

    #[test]
    fn abort_while_running_cancels_at_idle() {
        let st = fresh();
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        assert!(!st.transition_to_notified_and_cancel());
        assert_eq!(st.transition_to_idle(), ToIdle::Cancelled);
    }

    #[test]
    fn complete_then_join_drop_owns_output() {
        let st = fresh();
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        let s = st.transition_to_complete();
        assert!(s.is_complete() && !s.is_running());
        let d = st.transition_to_join_handle_dropped();
        assert!(d.drop_output && d.drop_waker);
        assert!(!st.ref_dec_n(2));
        assert!(st.ref_dec());
    }

    #[test]
    fn join_waker_cannot_be_set_after_complete() {
        let st = fresh();
        assert!(st.set_join_waker().is_ok());
        assert!(st.unset_join_waker().is_ok());
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        let _ = st.transition_to_complete();
        assert!(st.set_join_waker().is_err());
    }

    #[test]
    fn shutdown_claims_idle_but_not_running_task() {
        let st = fresh();
        assert!(st.transition_to_shutdown());
        assert_eq!(st.transition_to_running(), ToRunning::Failed);
        let st = fresh();
        assert_eq!(st.transition_to_running(), ToRunning::Success);
        assert!(!st.transition_to_shutdown());
        assert_eq!(st.transition_to_idle(), ToIdle::Cancelled);
    }
}

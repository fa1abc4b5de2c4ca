//! The poll watch: how a worker tells the monitor which poll it is in, at the cost of three
//! plain stores and one swap per poll.
//!
//! One `PollWatch` per worker slot. Its `state` word holds a poll sequence number and flags:
//!
//! ```text
//! bits 63..3: sequence (bumped by the worker once per poll)
//! bit 2 HANDED_OFF: the monitor gave this worker's queues to a replacement (set with REPORTED)
//! bit 1 REPORTED:   the monitor reported this poll as blocking
//! bit 0 IN_POLL:    the worker is inside `poll`
//! ```
//!
//! The worker writes the task's id and spawn location, then `seq | IN_POLL` (release); when
//! the poll returns it swaps in `seq` (not in a poll) and looks at the flags it swapped out.
//! The monitor only ever sets flags with a compare-exchange from a value it saw with
//! `IN_POLL` and no flags, so either the worker's swap comes first (the poll ended; the
//! monitor's CAS fails and nothing happens) or the CAS comes first (the worker's swap returns
//! the flags and the worker acts on them). There is no third outcome: the two are
//! read-modify-writes of one word. `loom-tests/tests/blocking_watch.rs` checks it.
//!
//! The id and location are read by the monitor like a sequence lock: state, then the fields,
//! then an acquire fence and the state again; equal states mean the fields belong to that poll
//! (the worker's release fence before it writes the fields of the next poll pairs with the
//! reader's acquire fence).

use std::panic::Location;

use crate::loom_sync::{
    AtomicU64, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
    fence,
};
use crate::task::Id;

pub(crate) const IN_POLL: u64 = 1;
pub(crate) const REPORTED: u64 = 2;
pub(crate) const HANDED_OFF: u64 = 4;
const FLAGS: u64 = REPORTED | HANDED_OFF;
pub(crate) const SEQ_ONE: u64 = 8;

/// The flags a worker finds when its poll returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PollEnd(u64);

impl PollEnd {
    /// The monitor reported this poll as blocking.
    pub(crate) fn was_reported(self) -> bool {
        self.0 & REPORTED != 0
    }

    /// The worker's queues went to a replacement: this thread must stop being a worker.
    pub(crate) fn was_handed_off(self) -> bool {
        self.0 & HANDED_OFF != 0
    }

    pub(crate) fn is_plain(self) -> bool {
        self.0 & FLAGS == 0
    }
}

#[derive(Debug, Default)]
pub(crate) struct PollWatch {
    state: AtomicU64,
    task_id: AtomicU64,
    /// `&'static Location<'static>` as an address (0 = none).
    location: AtomicUsize,
    /// When the monitor first saw the current poll, in nanoseconds since the monitor's epoch;
    /// written by the monitor before it sets REPORTED, read by the worker after its swap.
    pub(crate) stuck_since_nanos: AtomicU64,
}

/// What the monitor reads of a worker's current poll.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PollSnapshot {
    pub(crate) state: u64,
    pub(crate) task_id: Id,
    pub(crate) location: &'static Location<'static>,
}

impl PollSnapshot {
    pub(crate) fn is_flagged(&self) -> bool {
        self.state & FLAGS != 0
    }
}

impl PollWatch {
    /// Worker side: the next poll starts. `seq` is the worker's own counter (see `next_seq`).
    #[inline]
    pub(crate) fn begin(&self, seq: u64, id: Id, location: &'static Location<'static>) {
        // Pairs with the monitor's acquire fence in `snapshot`: a monitor that reads these
        // fields of this poll then re-reads a state at least as new as our previous swap.
        fence(Release);
        self.task_id.store(id.as_u64(), Relaxed);
        self.location
            .store(location as *const Location<'static> as usize, Relaxed);
        // Release: the fields above are visible to a monitor that reads this state.
        self.state.store(seq | IN_POLL, Release);
    }

    /// Worker side: the poll returned. Returns the flags the monitor set during it.
    #[inline]
    pub(crate) fn end(&self, seq: u64) -> PollEnd {
        // AcqRel: acquire the monitor's writes before its flag CAS (stuck_since_nanos, the
        // queues it moved); release nothing in particular but keeps the RMW total order with
        // the monitor's CAS, which is what decides who won.
        PollEnd(self.state.swap(seq, AcqRel))
    }

    /// Worker (or guest) side: runs `poll` as the next watched poll, numbered from `seq`
    /// (which it advances), of the task with this `id` and spawn `location`. Returns what
    /// `poll` returned and the flags the monitor set meanwhile.
    #[inline]
    pub(crate) fn around<R>(
        &self,
        seq: &std::cell::Cell<u64>,
        id: Id,
        location: &'static Location<'static>,
        poll: impl FnOnce() -> R,
    ) -> (R, PollEnd) {
        let n = seq.get();
        self.begin(n, id, location);
        let out = poll();
        let end = self.end(n);
        seq.set(n + SEQ_ONE);
        (out, end)
    }

    /// Worker side: the sequence number for its next poll, continuing from what the slot holds
    /// (a slot reused by a replacement thread keeps counting).
    pub(crate) fn next_seq(&self) -> u64 {
        (self.state.load(Relaxed) & !(SEQ_ONE - 1)) + SEQ_ONE
    }

    /// Whether the monitor flagged the current poll (reported it, and maybe handed the worker
    /// off): wakes then go to the injector, since the LIFO slot and queue of a thread stuck
    /// in a poll are out of reach. A hint for routing; the swap in `end` is what decides.
    #[inline]
    pub(crate) fn is_flagged(&self, order: crate::loom_sync::Ordering) -> bool {
        self.state.load(order) & FLAGS != 0
    }

    /// Monitor side: the poll the worker is in, if any, read consistently.
    pub(crate) fn snapshot(&self) -> Option<PollSnapshot> {
        let state = self.state.load(Acquire);
        if state & IN_POLL == 0 {
            return None;
        }
        let task_id = self.task_id.load(Relaxed);
        let location = self.location.load(Relaxed);
        fence(Acquire);
        if self.state.load(Relaxed) != state {
            return None; // the poll ended meanwhile; look again next tick
        }
        let task_id = Id::from_u64(task_id)?;
        if location == 0 {
            return None;
        }
        // SAFETY: `location` was stored by `begin` from a `&'static Location<'static>`, and
        // the equal states show it is the one of this poll (never a torn or zero value).
        let location = unsafe { &*(location as *const Location<'static>) };
        Some(PollSnapshot {
            state,
            task_id,
            location,
        })
    }

    /// Monitor side: mark the poll seen as `seen` (still running, unflagged) with `flags`.
    /// Fails when the poll has ended or another flag is already set.
    pub(crate) fn flag(&self, seen: u64, flags: u64) -> bool {
        debug_assert!(seen & IN_POLL != 0 && seen & FLAGS == 0);
        // AcqRel: releases the monitor's prior writes (stuck_since_nanos, the moved queues)
        // to the worker's swap in `end`.
        self.state
            .compare_exchange(seen, seen | flags, AcqRel, Relaxed)
            .is_ok()
    }

    /// Monitor side: the task id of the poll the worker is in (for the task dump).
    pub(crate) fn running_task(&self) -> Option<Id> {
        self.snapshot().map(|s| s.task_id)
    }
}

//! A worker's LIFO slot: the task it woke last, run next.
//!
//! The owning worker puts and takes; the blocking monitor may take the task out when it hands
//! a blocked worker's queues to a replacement (the worker is stuck inside a poll and cannot
//! give it away itself). So the slot is one atomic word holding a task pointer, and every
//! access that moves a task is a swap: each task leaves the slot exactly once, by whoever's
//! swap returned it. The owner's take first checks with a plain load, so an empty slot costs
//! no read-modify-write.

use std::marker::PhantomData;
use std::ptr::NonNull;

use super::Task;
use crate::loom_sync::{
    AtomicUsize,
    Ordering::{AcqRel, Relaxed, SeqCst},
};
use crate::task::Notified;
use crate::task::raw::{Header, RawTask};

#[derive(Debug)]
pub(crate) struct LifoSlot<T: SlotItem = Task> {
    /// An item turned into a non-zero word (for a task, its header address); 0 when empty.
    task: AtomicUsize,
    _item: PhantomData<T>,
}

impl<T: SlotItem> Default for LifoSlot<T> {
    fn default() -> Self {
        LifoSlot {
            task: AtomicUsize::new(0),
            _item: PhantomData,
        }
    }
}

/// What a `LifoSlot` holds: an owned reference that can travel as one non-zero word. Tasks in
/// the runtime; boxed values in the loom model (`loom-tests/tests/blocking_watch.rs`).
pub(crate) trait SlotItem: Sized {
    fn into_word(self) -> usize;
    /// # Safety
    ///
    /// `word` came from `into_word` and was taken out of the slot by a swap, so the caller
    /// owns it.
    unsafe fn from_word(word: usize) -> Self;
}

impl SlotItem for Task {
    fn into_word(self) -> usize {
        self.into_raw().header_ptr().as_ptr() as usize
    }

    unsafe fn from_word(word: usize) -> Task {
        // SAFETY: per the contract, a non-zero word is the header pointer of a live task whose
        // `Notified` reference we now own.
        let ptr = unsafe { NonNull::new_unchecked(word as *mut Header) };
        Notified::from_raw(RawTask::from_raw(ptr))
    }
}

impl<T> SlotItem for Box<T> {
    fn into_word(self) -> usize {
        Box::into_raw(self) as usize
    }

    unsafe fn from_word(word: usize) -> Box<T> {
        // SAFETY: per the contract, the word is a pointer from `Box::into_raw` we now own.
        unsafe { Box::from_raw(word as *mut T) }
    }
}

impl<T: SlotItem> LifoSlot<T> {
    /// The item a swap took out of the slot, if the slot held one.
    #[inline]
    fn taken(word: usize) -> Option<T> {
        // SAFETY: every caller passes a word its own swap took out of the slot, so a non-zero
        // word came from `into_word` and is now owned by the caller.
        (word != 0).then(|| unsafe { T::from_word(word) })
    }

    /// Puts `task` in the slot and returns the one it displaced.
    #[inline]
    pub(crate) fn put(&self, task: T) -> Option<T> {
        // Why no task is stranded when the monitor flags the worker meanwhile: the worker's
        // put and the monitor's `take_for_handoff` (after its flag CAS) are both swaps of this
        // word. If the monitor's swap comes first in its modification order, our swap reads
        // from it (a release-acquire pair), so the monitor's flag CAS happens-before our
        // following flag load, which therefore sees the flag and takes the task back out. If
        // ours comes first, the monitor's swap takes the task. SeqCst is not needed for this;
        // it costs nothing more than AcqRel on x86 and keeps the argument simple.
        Self::taken(self.task.swap(task.into_word(), SeqCst))
    }

    /// Takes the task out, if any.
    #[inline]
    pub(crate) fn take(&self) -> Option<T> {
        if self.task.load(Relaxed) == 0 {
            return None;
        }
        Self::taken(self.task.swap(0, AcqRel))
    }

    /// The monitor's take, when it hands a blocked worker off (see `put`).
    pub(crate) fn take_for_handoff(&self) -> Option<T> {
        Self::taken(self.task.swap(0, SeqCst))
    }

    /// Whether a task sits in the slot (a hint).
    pub(crate) fn is_occupied(&self) -> bool {
        self.task.load(Relaxed) != 0
    }
}

impl<T: SlotItem> Drop for LifoSlot<T> {
    fn drop(&mut self) {
        // Threads drain their slots when they stop; this only catches what a thread that
        // never stopped (given up on at shutdown) left behind.
        drop(self.take());
    }
}

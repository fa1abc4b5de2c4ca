//! Per-worker counters. Each is written by its worker alone, so an increment is a relaxed
//! load and a relaxed store (a plain `mov` pair on x86), not a locked read-modify-write:
//! the hot path pays nothing measurable for them. Readers on other threads see a recent
//! value, which is all metrics promise.

use crate::loom_sync::{AtomicU64, Ordering::Relaxed};

#[derive(Default, Debug)]
pub(crate) struct WorkerMetrics {
    pub(crate) polls: AtomicU64,
    pub(crate) steals: AtomicU64,
    pub(crate) parks: AtomicU64,
    pub(crate) local_schedules: AtomicU64,
    pub(crate) overflows: AtomicU64,
    pub(crate) lifo_hits: AtomicU64,
    pub(crate) budget_yields: AtomicU64,
}

/// Adds `n` to a counter that only the calling worker writes.
#[inline]
pub(crate) fn bump(counter: &AtomicU64, n: u64) {
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}

/// Reads a counter.
pub(crate) fn read(counter: &AtomicU64) -> u64 {
    counter.load(Relaxed)
}

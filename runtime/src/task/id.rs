//! Task ids.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;

// A plain std atomic even under loom: the id counter is no protocol, and loom atomics cannot
// live in statics.
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

// Per loom thread under loom, so every execution of a model sees the same ids modulo `BLOCK`
// (the owned list picks a shard by id: a shared range would make models non-deterministic).
use crate::loom_sync::thread_local;

/// A task's id, unique among the tasks of the process for its lifetime.
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = conductor::spawn(async { conductor::task::id() });
/// let id = handle.id();
/// assert_eq!(handle.await.unwrap(), id);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

/// Ids are handed out to threads in blocks, so spawning from many workers does not bounce one
/// counter's cache line between them.
const BLOCK: u64 = 1024;

static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static RANGE: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

impl Id {
    /// The id with this number, if it is one (ids start at 1).
    pub(crate) fn from_u64(n: u64) -> Option<Id> {
        NonZeroU64::new(n).map(Id)
    }

    pub(crate) fn next() -> Id {
        let n = RANGE.with(|range| {
            let (mut next, mut end) = range.get();
            if next == end {
                next = NEXT_BLOCK.fetch_add(BLOCK, Relaxed);
                end = next + BLOCK;
            }
            range.set((next + 1, end));
            next
        });
        Id(NonZeroU64::new(n).expect("task ids start at 1"))
    }

    /// The id as a number.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = conductor::spawn(async {});
    /// assert!(handle.id().as_u64() > 0);
    /// # });
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

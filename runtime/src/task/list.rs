//! The owned-task list: every live task of a runtime, so shutdown can drop every future
//! exactly once and diagnostics can walk them.
//!
//! The list is sharded by task id, each shard an intrusive doubly linked list under its own
//! mutex: a spawn and a completion each take one uncontended lock. The list holds one
//! reference to each task it contains.
//!
//! A task that completes while its JoinHandle still wants the output stays linked,
//! *completed-not-joined*, until the handle takes the output or is dropped (so a task dump can
//! show it); the completion then takes no lock, it only counts the task in its shard's
//! `completed` counter, which `len` subtracts.
//!
//! # Closing
//!
//! `close_and_shutdown_all` marks every shard closed under its lock (so no task binds
//! afterwards: `bind` returns `false` and the spawner cancels the task itself), then pops tasks
//! one at a time and shuts each down *outside* the lock: a future's destructor may spawn or
//! complete other tasks, which lock shards again.

use std::ptr::NonNull;

use crossbeam_utils::CachePadded;

use super::raw::{Header, RawTask};
use crate::loom_sync::{AtomicUsize, Mutex, Ordering::Relaxed};

pub(crate) struct OwnedTasks {
    shards: Box<[CachePadded<ShardSlot>]>,
    mask: usize,
}

struct ShardSlot {
    lock: Mutex<Shard>,
    /// Completed-not-joined tasks of this shard still linked: +1 by the completing thread,
    /// -1 by the JoinHandle side when it unlinks one. The two may come in either order, so
    /// the count can be one below zero (wrapping) for a moment; `len` clamps. Relaxed: a
    /// statistic, nothing is published through it.
    completed: AtomicUsize,
}

struct Shard {
    head: Option<NonNull<Header>>,
    len: usize,
    spawned: u64,
    closed: bool,
}

// SAFETY: the shard holds task pointers, each with a counted reference; tasks are Send, and
// the links are only touched with the shard's lock held.
unsafe impl Send for Shard {}

impl OwnedTasks {
    /// A list with at least `min_shards` shards (rounded up to a power of two).
    pub(crate) fn new(min_shards: usize) -> OwnedTasks {
        let n = min_shards.max(1).next_power_of_two();
        let shards = (0..n)
            .map(|_| {
                CachePadded::new(ShardSlot {
                    lock: Mutex::new(Shard {
                        head: None,
                        len: 0,
                        spawned: 0,
                        closed: false,
                    }),
                    completed: AtomicUsize::new(0),
                })
            })
            .collect();
        OwnedTasks {
            shards,
            mask: n - 1,
        }
    }

    fn slot(&self, task: RawTask) -> &ShardSlot {
        &self.shards[(task.id().as_u64() as usize) & self.mask]
    }

    fn shard(&self, task: RawTask) -> &Mutex<Shard> {
        &self.slot(task).lock
    }

    /// Adds `task`, taking over one of its references. Returns `false` (and takes nothing)
    /// when the list is closed.
    pub(crate) fn bind(&self, task: RawTask) -> bool {
        let mut shard = self.shard(task).lock();
        if shard.closed {
            return false;
        }
        let ptr = task.header_ptr();
        let old_head = shard.head;
        // SAFETY: we hold the shard lock, which guards every task's links in this shard.
        task.header().owned.with_mut(|links| unsafe {
            (*links).prev = None;
            (*links).next = old_head;
        });
        if let Some(old) = old_head {
            // SAFETY: `old` is in this shard (lock held) and alive (the list's reference).
            RawTask::from_raw(old)
                .header()
                .owned
                .with_mut(|links| unsafe { (*links).prev = Some(ptr) });
        }
        shard.head = Some(ptr);
        shard.len += 1;
        shard.spawned += 1;
        true
    }

    /// Unlinks `task` if it is still in the list. Returns `true` when it was: the list's
    /// reference then passes to the caller.
    pub(crate) fn remove(&self, task: RawTask) -> bool {
        let mut shard = self.shard(task).lock();
        unlink(&mut shard, task)
    }

    /// `task` completed and stays linked for its JoinHandle (see the module docs).
    pub(crate) fn note_completed(&self, task: RawTask) {
        self.slot(task).completed.fetch_add(1, Relaxed);
    }

    /// The JoinHandle side unlinks a completed task that `note_completed` counted (or is about
    /// to). Returns `true` when it was linked: the list's reference passes to the caller.
    pub(crate) fn remove_completed(&self, task: RawTask) -> bool {
        let slot = self.slot(task);
        let removed = unlink(&mut slot.lock.lock(), task);
        if removed {
            slot.completed.fetch_sub(1, Relaxed);
        }
        removed
    }

    /// Closes the list and shuts down every task in it, on the calling thread.
    pub(crate) fn close_and_shutdown_all(&self) {
        for slot in self.shards.iter() {
            slot.lock.lock().closed = true;
        }
        for slot in self.shards.iter() {
            let shard = &slot.lock;
            loop {
                // Pop under one lock hold: once the lock is released the task may complete
                // and free itself unless we already own the list's reference.
                let task = {
                    let mut guard = shard.lock();
                    let Some(ptr) = guard.head else { break };
                    let task = RawTask::from_raw(ptr);
                    let unlinked = unlink(&mut guard, task);
                    debug_assert!(unlinked);
                    task
                };
                task.shutdown();
            }
        }
    }

    /// Tasks in the list now that have not completed.
    pub(crate) fn len(&self) -> usize {
        let mut linked = 0usize;
        let mut completed = 0usize;
        for slot in self.shards.iter() {
            linked += slot.lock.lock().len;
            completed = completed.wrapping_add(slot.completed.load(Relaxed));
        }
        // A transient -1 in a shard (see `ShardSlot::completed`) would count a task twice.
        linked.wrapping_sub(completed).min(linked)
    }

    /// Tasks ever bound.
    pub(crate) fn spawned(&self) -> u64 {
        self.shards.iter().map(|s| s.lock.lock().spawned).sum()
    }

    /// Calls `f` on every task in the list, shard by shard, with that shard locked: `f` must
    /// not run user code or touch the list.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Header)) {
        for slot in self.shards.iter() {
            let guard = slot.lock.lock();
            let mut cur = guard.head;
            while let Some(ptr) = cur {
                let task = RawTask::from_raw(ptr);
                f(task.header());
                // SAFETY: shard lock held.
                cur = task.header().owned.with(|l| unsafe { (*l).next });
            }
        }
    }
}

/// Unlinks `task` from `shard` (whose lock the caller holds) if it is linked there.
fn unlink(shard: &mut Shard, task: RawTask) -> bool {
    let ptr = task.header_ptr();
    // SAFETY: shard lock held (the `&mut Shard` comes from its guard).
    let (prev, next) = task
        .header()
        .owned
        .with(|links| unsafe { ((*links).prev, (*links).next) });
    let linked = prev.is_some() || shard.head == Some(ptr);
    if !linked {
        return false;
    }
    // The shard lock is held (the `&mut Shard` comes from its guard) and the neighbours are
    // alive, being in the list, so their links are ours to write.
    match prev {
        // SAFETY: as above.
        Some(p) => RawTask::from_raw(p)
            .header()
            .owned
            .with_mut(|l| unsafe { (*l).next = next }),
        None => shard.head = next,
    }
    if let Some(n) = next {
        // SAFETY: as above.
        RawTask::from_raw(n)
            .header()
            .owned
            .with_mut(|l| unsafe { (*l).prev = prev });
    }
    // SAFETY: as above, for the task itself.
    task.header().owned.with_mut(|l| unsafe {
        (*l).prev = None;
        (*l).next = None;
    });
    shard.len -= 1;
    true
}

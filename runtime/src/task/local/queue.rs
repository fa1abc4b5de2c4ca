//! The thread-safe half of a `LocalSet`: its ready queue and the wakers of its tasks.
//!
//! A local task's future never leaves the set's thread, but its `Waker` must be `Send + Sync`
//! like any other. So a waker carries no reference to the future: only the task's slot
//! (index and generation) and the set's ready queue. Waking pushes the slot onto the queue and
//! wakes whoever polls the set; the set, on its own thread, pops the slot and polls the future.

// The flag and the queue's lock come from the runtime's loom facade, so the loom model
// `loom-tests/tests/local_set.rs` explores wakes from other threads against the set's polls.
// `std`'s `Arc` stays: `std::task::Wake` (a `Waker` without unsafe code) needs it, and a
// reference count is no protocol of ours.
use std::collections::VecDeque;
use std::sync::Arc;
use std::task::{Wake, Waker};

use crate::loom_sync::{AtomicBool, Mutex, MutexGuard, Ordering};

/// A task's slot in the set, as a waker names it. The generation tells a stale waker (of a
/// finished task whose slot was reused) from the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TaskRef {
    pub(super) index: usize,
    pub(super) generation: u64,
}

/// The queue of tasks to poll, shared by the set and every waker of its tasks.
#[derive(Debug, Default)]
pub(super) struct ReadyQueue {
    inner: Mutex<Queue>,
}

#[derive(Debug, Default)]
struct Queue {
    /// Woken tasks, in the order of their wakes.
    ready: VecDeque<TaskRef>,
    /// The waker of whatever last polled the set (`run_until`'s caller, or the task awaiting
    /// the set). Taken by the first push after it was registered.
    set_waker: Option<Waker>,
    /// The set was dropped: pushes are ignored.
    closed: bool,
}

impl ReadyQueue {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // No user code runs under this lock (and the facade's mutex does not poison).
        self.inner.lock()
    }

    /// Queues `task` and wakes the set. Does nothing once the set is closed.
    fn push(&self, task: TaskRef) {
        let waker = {
            let mut queue = self.lock();
            if queue.closed {
                return;
            }
            queue.ready.push_back(task);
            queue.set_waker.take()
        };
        // Woken outside the lock: the waker may run arbitrary code (or be the set's own
        // thread's runtime, which may want this lock).
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Puts back a task that was popped but not polled, at the front, without waking anyone.
    pub(super) fn push_front(&self, task: TaskRef) {
        let mut queue = self.lock();
        if !queue.closed {
            queue.ready.push_front(task);
        }
    }

    pub(super) fn pop(&self) -> Option<TaskRef> {
        self.lock().ready.pop_front()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lock().ready.is_empty()
    }

    /// Remembers `waker` as the one to wake when a task becomes ready. Called each time the
    /// set is polled, before it looks at the queue, so no push between the two is missed.
    pub(super) fn register(&self, waker: &Waker) {
        let mut queue = self.lock();
        match &queue.set_waker {
            Some(current) if current.will_wake(waker) => {}
            _ => queue.set_waker = Some(waker.clone()),
        }
    }

    /// Closes the queue: later wakes do nothing. Returns what it held, for the caller to drop
    /// outside the lock.
    pub(super) fn close(&self) -> (VecDeque<TaskRef>, Option<Waker>) {
        let mut queue = self.lock();
        queue.closed = true;
        (std::mem::take(&mut queue.ready), queue.set_waker.take())
    }
}

/// The waker of one local task.
#[derive(Debug)]
pub(super) struct TaskWaker {
    queue: Arc<ReadyQueue>,
    task: TaskRef,
    /// Set while the task is in the ready queue (or finished), so a burst of wakes queues it
    /// once and each wake leads to at most one poll.
    scheduled: AtomicBool,
}

impl TaskWaker {
    /// A waker for `task`, not yet queued.
    pub(super) fn new(queue: Arc<ReadyQueue>, task: TaskRef) -> Arc<TaskWaker> {
        Arc::new(TaskWaker {
            queue,
            task,
            scheduled: AtomicBool::new(false),
        })
    }

    /// The set is about to poll the task: wakes from now on queue it again.
    pub(super) fn begin_poll(&self) {
        // A read-modify-write, not a store: a waker that found the flag still set (the task
        // was queued, not yet polled) did not queue it again, and relies on this poll to see
        // what it changed before waking. Its swap released that change; this acquiring swap
        // reads from it (later in the flag's modification order), so the poll sees it.
        self.scheduled.swap(false, Ordering::AcqRel);
    }

    /// The task finished: its wakers go quiet for good.
    pub(super) fn retire(&self) {
        // Relaxed: only a hint that saves a useless push; a stale push that slips through is
        // discarded by the generation check when popped.
        self.scheduled.store(true, Ordering::Relaxed);
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // AcqRel: releases what the waker changed to the poll that clears the flag (see
        // `begin_poll`); acquire pairs with that clear so a wake after it queues the task.
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.queue.push(self.task);
        }
    }
}

//! The thread-bound half of a `LocalSet`: its tasks (a slab of boxed futures), spawning, one
//! tick of polling, and shutdown.
//!
//! # Invariants
//!
//! - Futures are polled and dropped only on the set's thread, and never while `tasks` is
//!   borrowed: a future may spawn, abort or drop handles, all of which touch the set again.
//! - A task being polled is out of its slot (the slot stays reserved), so a wake during its
//!   poll queues it for a later poll, and a stale `TaskRef` finds nothing to poll.
//! - A slot's generation changes when its task ends, so a waker of the old task cannot reach
//!   a new one.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::join::{JoinCell, LocalJoinHandle, TaskCell};
use super::queue::{ReadyQueue, TaskRef, TaskWaker};
use crate::runtime::context;
use crate::task::{Id, JoinError, poll_proceed, with_budget};

/// Local polls per tick before the set yields to whatever polls it, so a busy set does not
/// starve the outer runtime (a prime, like tokio's figure, so it does not beat in step with
/// other periodic work).
const MAX_POLLS_PER_TICK: usize = 61;

/// What a tick left behind.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(super) enum Tick {
    /// The ready queue is empty; the set's waker will be woken by the next push.
    Idle,
    /// The tick stopped with tasks still queued: the caller must wake itself and yield.
    MoreWork,
    /// The outer task's budget ran out; it has already been woken to run again.
    OutOfBudget,
}

pub(super) struct Inner {
    tasks: RefCell<Slab>,
    queue: Arc<ReadyQueue>,
    /// Set during a tick, to refuse a re-entrant one.
    ticking: Cell<bool>,
    /// Set when the set is dropped: spawning then cancels the task at once.
    closed: Cell<bool>,
}

struct Task {
    id: Id,
    future: Pin<Box<dyn Future<Output = ()>>>,
    cell: Rc<dyn TaskCell>,
    waker: Waker,
    signal: Arc<TaskWaker>,
}

#[derive(Default)]
struct Slab {
    slots: Vec<Slot>,
    /// Indices of slots that hold no task and are not reserved.
    free: Vec<usize>,
    /// Tasks not yet finished, including one out of its slot being polled.
    live: usize,
}

#[derive(Default)]
struct Slot {
    generation: u64,
    task: Option<Task>,
}

impl Slab {
    /// Reserves a slot for a new task.
    fn reserve(&mut self) -> TaskRef {
        let index = self.free.pop().unwrap_or_else(|| {
            self.slots.push(Slot::default());
            self.slots.len() - 1
        });
        self.live += 1;
        TaskRef {
            index,
            generation: self.slots[index].generation,
        }
    }

    /// Takes the task out of its slot, leaving the slot reserved.
    fn take(&mut self, task: TaskRef) -> Option<Task> {
        let slot = self.slots.get_mut(task.index)?;
        if slot.generation != task.generation {
            return None;
        }
        slot.task.take()
    }

    fn put_back(&mut self, at: TaskRef, task: Task) {
        self.slots[at.index].task = Some(task);
    }

    /// The task in `at` has ended: the slot can be reused, and old wakers no longer match it.
    fn release(&mut self, at: TaskRef) {
        let slot = &mut self.slots[at.index];
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(at.index);
        self.live -= 1;
    }
}

impl Inner {
    pub(super) fn new() -> Inner {
        Inner {
            tasks: RefCell::new(Slab::default()),
            queue: Arc::new(ReadyQueue::default()),
            ticking: Cell::new(false),
            closed: Cell::new(false),
        }
    }

    /// Whether every task of the set has finished.
    pub(super) fn is_empty(&self) -> bool {
        self.tasks.borrow().live == 0
    }

    /// Starts a poll of the set by whoever holds `waker`: it is the one the next ready task
    /// wakes.
    ///
    /// # Panics
    ///
    /// When called from inside one of this set's tasks (checked here, before the outer
    /// poller's waker would be replaced by the task's).
    #[track_caller]
    pub(super) fn register(&self, waker: &Waker) {
        if self.ticking.get() {
            panic!("{}", crate::error::LOCAL_SET_REENTERED);
        }
        self.queue.register(waker);
    }

    /// Adds a task and queues it for its first poll.
    pub(super) fn spawn<F>(&self, future: F) -> LocalJoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = Id::next();
        if self.closed.get() {
            // Spawned from a destructor while the set is being dropped: it will never run.
            let cell = Rc::new(JoinCell::new(id, Waker::noop().clone()));
            drop(future);
            cell.complete(Err(JoinError::cancelled(id)));
            return LocalJoinHandle::new(cell);
        }
        let at = self.tasks.borrow_mut().reserve();
        let signal = TaskWaker::new(self.queue.clone(), at);
        let waker = Waker::from(signal.clone());
        let cell = Rc::new(JoinCell::new(id, waker.clone()));
        let output = cell.clone();
        let future = Box::pin(async move {
            let value = future.await;
            output.complete(Ok(value));
        });
        let first_wake = signal.clone();
        let task = Task {
            id,
            future,
            cell: cell.clone(),
            waker,
            signal,
        };
        self.tasks.borrow_mut().put_back(at, task);
        first_wake.wake_by_ref();
        LocalJoinHandle::new(cell)
    }

    /// Polls queued tasks, each at most once per wake, until the queue is empty, the outer
    /// task's budget runs out, or `MAX_POLLS_PER_TICK` polls are done.
    ///
    /// # Panics
    ///
    /// When called from inside one of this set's tasks.
    pub(super) fn tick(&self, cx: &mut Context<'_>) -> Tick {
        let _ticking = TickGuard::enter(&self.ticking);
        for _ in 0..MAX_POLLS_PER_TICK {
            let Some(at) = self.queue.pop() else {
                return Tick::Idle;
            };
            // Each local poll spends one unit of the budget of whatever polls the set, so a
            // set inside a runtime task yields like any other busy task.
            let Poll::Ready(coop) = poll_proceed(cx) else {
                self.queue.push_front(at);
                return Tick::OutOfBudget;
            };
            coop.made_progress();
            self.run(at);
        }
        if self.queue.is_empty() {
            Tick::Idle
        } else {
            Tick::MoreWork
        }
    }

    /// Polls (or cancels, if aborted) the task in `at`, if it is still there.
    fn run(&self, at: TaskRef) {
        let Some(mut task) = self.tasks.borrow_mut().take(at) else {
            return; // a stale wake: the task finished, or its slot was reused
        };
        if task.cell.is_aborted() {
            self.tasks.borrow_mut().release(at);
            finish(task, None);
            return;
        }
        task.signal.begin_poll();
        let polled = {
            let _id = context::set_current_task_id(Some(task.id));
            let mut cx = Context::from_waker(&task.waker);
            // A fresh budget per local poll, as a scheduler gives each task poll.
            catch_unwind(AssertUnwindSafe(|| {
                with_budget(|| task.future.as_mut().poll(&mut cx)).0
            }))
        };
        match polled {
            Ok(Poll::Pending) => self.tasks.borrow_mut().put_back(at, task),
            // The future stored its output in the cell before returning.
            Ok(Poll::Ready(())) => {
                self.tasks.borrow_mut().release(at);
                task.signal.retire();
            }
            Err(payload) => {
                self.tasks.borrow_mut().release(at);
                finish(task, Some(payload));
            }
        }
    }

    /// Closes the set and drops every remaining task's future, each exactly once, on this
    /// thread. Their handles get a cancelled `JoinError`, and their wakers go quiet.
    pub(super) fn shutdown(&self) {
        self.closed.set(true);
        let (queued, set_waker) = self.queue.close();
        drop((queued, set_waker));
        loop {
            let tasks: Vec<Task> = {
                let mut slab = self.tasks.borrow_mut();
                let tasks: Vec<Task> = slab
                    .slots
                    .iter_mut()
                    .filter_map(|s| s.task.take())
                    .collect();
                slab.live -= tasks.len();
                tasks
            };
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                finish(task, None);
            }
        }
    }
}

/// Ends a task that did not complete: drops its future (catching a panic from its destructor)
/// and gives its handle the error: the poll's panic if `panicked`, else the destructor's
/// panic, else cancelled.
fn finish(task: Task, panicked: Option<Box<dyn std::any::Any + Send>>) {
    let Task {
        id,
        future,
        cell,
        signal,
        waker,
    } = task;
    signal.retire();
    let dropped = {
        let _id = context::set_current_task_id(Some(id));
        catch_unwind(AssertUnwindSafe(move || drop(future)))
    };
    let error = match (panicked, dropped) {
        (Some(payload), _) | (None, Err(payload)) => JoinError::panic(id, payload),
        (None, Ok(())) => JoinError::cancelled(id),
    };
    cell.fail(error);
    drop(waker);
}

/// Marks a tick in progress; panics on a nested one (a task driving its own set).
struct TickGuard<'a>(&'a Cell<bool>);

impl<'a> TickGuard<'a> {
    #[track_caller]
    fn enter(ticking: &'a Cell<bool>) -> TickGuard<'a> {
        if ticking.replace(true) {
            panic!("{}", crate::error::LOCAL_SET_REENTERED);
        }
        TickGuard(ticking)
    }
}

impl Drop for TickGuard<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

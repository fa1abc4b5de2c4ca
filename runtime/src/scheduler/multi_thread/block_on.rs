//! `block_on` on the multi-thread runtime: the blocking thread becomes a *guest* worker.
//!
//! In tokio the `block_on` future runs outside the workers, so every message between it and a
//! task crosses threads and usually wakes a parked one (tokio issue 5446). Here, while its
//! future is pending, the thread in `block_on` runs tasks itself:
//!
//! - a task woken *by this thread* (typically by the `block_on` future sending it a message)
//!   goes to the guest's own LIFO slot and runs right after the future's poll returns, with
//!   no cross-thread wake at all; when that task answers, it wakes the `block_on` future on
//!   the same thread, which costs a flag store;
//! - otherwise, when every worker is busy (none parked or searching), the guest takes tasks
//!   from the injector like a worker would; when some worker is idle it leaves the injector
//!   to the workers, so tasks spawned from `block_on` run there in parallel (and their own
//!   spawns land in a worker's local queue, not in the shared injector);
//! - with nothing to do it spins briefly, then parks on its own parker until its future is
//!   woken.
//!
//! The guest has no stealable queue, so nothing can be stranded on it: its LIFO slot is
//! filled only while it is between two polls and is run (or handed to the injector when the
//! future completes) before it could park. Tasks it spawns go to the injector so the workers
//! share them. Its polls are not counted in any worker's metrics.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::ptr::NonNull;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use super::{Shared, Task};
use crate::runtime::context;
use crate::scheduler::park::{Parker, Unparker};
use crate::scheduler::{Handle, SchedulerContext};
use crate::sync::{Arc, AtomicBool, Ordering};
use crate::task;

/// Consecutive LIFO runs before the guest sends the slot's task to the injector instead.
const MAX_GUEST_LIFO_POLLS: u32 = 3;
/// Spins before parking when idle: a reply that arrives within a few microseconds then costs
/// no futex round trip. One under loom, where each iteration is a scheduling point.
const SPINS_BEFORE_PARK: u32 = if cfg!(conductor_loom) { 1 } else { 256 };

/// The guest's state, on its stack, reachable from wakers on this thread.
pub(crate) struct GuestLocal {
    shared: Arc<Shared>,
    lifo: Cell<Option<Task>>,
    lifo_polls: Cell<u32>,
}

struct BlockOnWaker {
    woken: AtomicBool,
    unparker: Unparker,
}

impl Wake for BlockOnWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        // Release: what the waker wrote before waking is visible to the poll that follows the
        // guest's Acquire swap.
        self.woken.store(true, Ordering::Release);
        self.unparker.unpark();
    }
}

impl GuestLocal {
    pub(super) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Keeps a task woken on this thread; returns it when the slot is over its streak and the
    /// caller must send it to the injector.
    pub(super) fn schedule_local(&self, task: Task) -> Option<Task> {
        self.lifo.replace(Some(task))
    }

    fn next_task(&self) -> Option<Task> {
        if let Some(task) = self.lifo.take() {
            if self.lifo_polls.get() < MAX_GUEST_LIFO_POLLS {
                self.lifo_polls.set(self.lifo_polls.get() + 1);
                return Some(task);
            }
            self.shared.schedule_remote(task);
        }
        self.lifo_polls.set(0);
        if self.shared.idle.all_busy() {
            self.shared.inject.pop()
        } else {
            None
        }
    }
}

/// Runs `future` to completion on the calling thread, which serves as a guest worker.
#[track_caller]
pub(crate) fn block_on<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let _entered = context::enter_runtime();
    let _handle = context::set_handle(Handle::MultiThread(shared.clone()));
    let guest = GuestLocal {
        shared: shared.clone(),
        lifo: Cell::new(None),
        lifo_polls: Cell::new(0),
    };
    let parker = Parker::new(None);
    let signal = StdArc::new(BlockOnWaker {
        woken: AtomicBool::new(true),
        unparker: parker.unparker(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);

    // Declared before the scheduler guard, so it runs after it, also when the future panics:
    // a task left in the slot goes where the workers will find it.
    let _flush = FlushLifo(&guest);
    let _sched = context::set_scheduler(SchedulerContext::MultiGuest(NonNull::from(&guest)));
    {
        loop {
            if signal.woken.swap(false, Ordering::Acquire) {
                let (poll, _) = task::with_budget(|| future.as_mut().poll(&mut cx));
                if let Poll::Ready(output) = poll {
                    return output;
                }
            }
            if let Some(task) = guest.next_task() {
                let ((), _) = task::with_budget(|| task.run());
                continue;
            }
            let mut spins = 0;
            while spins < SPINS_BEFORE_PARK
                && !signal.woken.load(Ordering::Relaxed)
                && (shared.inject.is_empty() || !shared.idle.all_busy())
            {
                crate::sync::spin_loop();
                spins += 1;
            }
            if spins == SPINS_BEFORE_PARK {
                parker.park(None, None);
            }
        }
    }
}

struct FlushLifo<'a>(&'a GuestLocal);

impl Drop for FlushLifo<'_> {
    fn drop(&mut self) {
        if let Some(task) = self.0.lifo.take() {
            self.0.shared.schedule_remote(task);
        }
    }
}

//! `block_on` on the multi-thread runtime: the blocking thread becomes a *guest* worker.
//!
//! In tokio the `block_on` future runs outside the workers, so every message between it and a
//! task crosses threads and usually wakes a parked one (tokio issue 5446). Here, while its
//! future is pending, the thread in `block_on` runs tasks itself, like a worker:
//!
//! - it borrows one of the shared *guest queues* (a crossbeam deque the workers steal from,
//!   `GUEST_QUEUES` of them) and gets a LIFO slot of its own;
//! - a task spawned or woken *on this thread* (typically by the `block_on` future sending it a
//!   message) goes to the LIFO slot, the displaced one to the guest queue, exactly as on a
//!   worker; so the task runs right after the future's poll returns, with no cross-thread
//!   wake, and when it answers it wakes the `block_on` future on the same thread, which costs
//!   a flag store; a task that spawns many more fills the guest queue, and idle workers steal
//!   half of it at a time;
//! - with its own queues empty, it takes tasks from the injector only while every worker is
//!   busy (none parked or searching), and otherwise leaves them to the workers;
//! - with nothing to do it spins briefly, then parks on its own parker until its future is
//!   woken.
//!
//! Nothing can be stranded on the guest: it parks only with its LIFO slot and queue empty;
//! while it is busy its queue is stealable (the last searching worker re-checks it before
//! parking, like any worker's); and when the future completes, or panics, what is left moves
//! to the injector. A `block_on` thread that finds no free guest queue runs with the LIFO slot
//! alone (a displaced task goes to the injector). Its polls are not counted in any worker's
//! metrics.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::ptr::NonNull;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use super::lifo::LifoSlot;
use super::watch::PollWatch;
use super::{Shared, Task};
use crate::loom_sync::{Arc, AtomicBool, Ordering};
use crate::runtime::context;
use crate::scheduler::park::{Parker, Unparker};
use crate::scheduler::queue::Local;
use crate::scheduler::{Handle, SchedulerContext};
use crate::task;

/// Consecutive LIFO runs before the guest sends the slot's task to the injector instead.
const MAX_GUEST_LIFO_POLLS: u32 = 3;
/// Spins before parking when idle: a reply that arrives within a few microseconds then costs
/// no futex round trip. One under loom, where each iteration is a scheduling point.
const SPINS_BEFORE_PARK: u32 = if cfg!(conductor_loom) { 1 } else { 256 };

/// The guest's state, on its stack, reachable from wakers on this thread.
pub(crate) struct GuestLocal {
    shared: Arc<Shared>,
    /// The LIFO slot of a guest without a guest queue (one with a queue uses the queue's,
    /// which the blocking monitor can reach).
    own_lifo: LifoSlot,
    lifo_polls: Cell<u32>,
    /// Sequence number of the next watched poll.
    poll_seq: Cell<u64>,
    /// The borrowed guest queue: its index in `Shared::guests` and the deque.
    queue: Option<(usize, Local<Task>)>,
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

    /// A task spawned or woken on this thread: into the LIFO slot (a yield goes to the back of
    /// the queue instead), the displaced one to the guest queue, where workers can steal it.
    pub(super) fn schedule_local(&self, task: Task, is_yield: bool) {
        if self
            .watch()
            .is_some_and(|w| w.is_flagged(Ordering::Relaxed))
        {
            // A task this guest runs is blocking it: its LIFO slot is out of reach.
            self.shared.schedule_remote(task);
            return;
        }
        let displaced = if is_yield {
            Some(task)
        } else {
            let displaced = self.lifo().put(task);
            // Pairs with the monitor emptying the slot when it flags us (see `LifoSlot::put`).
            if self.watch().is_some_and(|w| w.is_flagged(Ordering::SeqCst)) {
                if let Some(task) = self.lifo().take() {
                    self.shared.schedule_remote(task);
                }
            }
            displaced
        };
        if let Some(task) = displaced {
            self.push_back(task);
        }
    }

    fn push_back(&self, task: Task) {
        let Some((_, local)) = &self.queue else {
            self.shared.schedule_remote(task);
            return;
        };
        self.shared.push_local_or_overflow(local, task);
        self.shared.notify_parked();
    }

    fn lifo(&self) -> &LifoSlot {
        match &self.queue {
            Some((index, _)) => &self.shared.guests[*index].lifo,
            None => &self.own_lifo,
        }
    }

    fn watch(&self) -> Option<&PollWatch> {
        self.queue
            .as_ref()
            .map(|(index, _)| &*self.shared.guests[*index].watch)
    }

    fn next_task(&self) -> Option<Task> {
        if let Some(task) = self.lifo().take() {
            if self.lifo_polls.get() < MAX_GUEST_LIFO_POLLS {
                self.lifo_polls.set(self.lifo_polls.get() + 1);
                return Some(task);
            }
            self.push_back(task);
        }
        self.lifo_polls.set(0);
        if let Some(task) = self.queue.as_ref().and_then(|(_, local)| local.pop()) {
            return Some(task);
        }
        if self.shared.idle.all_busy() {
            self.shared.inject.pop()
        } else {
            None
        }
    }

    /// Runs one task, telling the blocking monitor about the poll when this guest holds a
    /// guest queue (and with it a poll watch; see `watch.rs`).
    fn run_task(&self, task: Task) {
        let Some((index, _)) = &self.queue else {
            let ((), _) = task::with_budget(|| task.run());
            return;
        };
        let watch = &self.shared.guests[*index].watch;
        let header = task.header();
        let (id, location) = (header.id, header.location);
        let (((), _), end) = watch.around(&self.poll_seq, id, location, || {
            task::with_budget(|| task.run())
        });
        if end.was_reported() {
            let worker = self.shared.num_workers() + *index;
            super::monitor::report_finished(&self.shared, watch, worker, id, location, false);
        }
    }

    /// Borrows a free guest queue, if any.
    fn claim_queue(shared: &Shared) -> Option<(usize, Local<Task>)> {
        shared.guests.iter().enumerate().find_map(|(i, g)| {
            g.local
                .try_lock()
                .and_then(|mut l| l.take())
                .map(|l| (i, l))
        })
    }
}

/// Runs `future` to completion on the calling thread, which serves as a guest worker.
#[track_caller]
pub(crate) fn block_on<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let _entered = context::enter_runtime();
    let _handle = context::set_handle(Handle::MultiThread(shared.clone()));
    let _active = shared.guest_active();
    let queue = GuestLocal::claim_queue(shared);
    let poll_seq = queue
        .as_ref()
        .map_or(0, |(i, _)| shared.guests[*i].watch.next_seq());
    let guest = GuestLocal {
        shared: shared.clone(),
        own_lifo: LifoSlot::default(),
        lifo_polls: Cell::new(0),
        poll_seq: Cell::new(poll_seq),
        queue,
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
                guest.run_task(task);
                continue;
            }
            let mut spins = 0;
            while spins < SPINS_BEFORE_PARK
                && !signal.woken.load(Ordering::Relaxed)
                && (shared.inject.is_empty() || !shared.idle.all_busy())
            {
                crate::loom_sync::spin_loop();
                spins += 1;
            }
            if spins == SPINS_BEFORE_PARK {
                let _awake = shared.guest_parks();
                parker.park(None, None);
            }
        }
    }
}

struct FlushLifo<'a>(&'a GuestLocal);

impl Drop for FlushLifo<'_> {
    fn drop(&mut self) {
        let guest = self.0;
        let shared = &guest.shared;
        if let Some(task) = guest.lifo().take() {
            shared.schedule_remote(task);
        }
        if let Some((_, local)) = &guest.queue {
            let mut moved = false;
            while let Some(task) = local.pop() {
                moved |= shared.push_inject(task);
            }
            if moved {
                shared.notify_parked();
            }
        }
    }
}

impl Drop for GuestLocal {
    fn drop(&mut self) {
        // Hand the (emptied, see `FlushLifo`) deque back for the next `block_on`; its stealer
        // in `Shared::guests` stays valid throughout.
        if let Some((index, local)) = self.queue.take() {
            *self.shared.guests[index].local.lock() = Some(local);
        }
    }
}

//! A worker thread's run loop: find a task, run it, and park when there is none.
//!
//! Where a worker looks for its next task, in order:
//!
//! 1. every `global_queue_interval` ticks, the injector first (so remote spawns never starve
//!    behind a busy local queue);
//! 2. the LIFO slot, at most `MAX_LIFO_POLLS_PER_TICK` times in a row (a ping-pong pair would
//!    otherwise keep the rest of the queue waiting forever);
//! 3. its local queue;
//! 4. a batch from the injector;
//! 5. as a *searcher* (at most half the workers at once): half of another worker's queue;
//! 6. park (see `idle.rs` for why no wake-up is lost).
//!
//! Around each poll the worker tells the blocking monitor which task it is in (`watch.rs`).
//! If the monitor hands it off while it is stuck, its wakes go to the injector from then on,
//! and when the poll returns it moves whatever it still holds to the injector, gives its slot
//! back and lets its thread end: a replacement already runs in its place.

use std::cell::Cell;
use std::ptr::NonNull;

use super::lifo::LifoSlot;
use super::watch::PollWatch;
use super::{Shared, Task, WorkerStart, monitor};
use crate::loom_sync::{
    Arc,
    Ordering::{Relaxed, SeqCst},
};
use crate::runtime::context;
use crate::scheduler::metrics::{WorkerMetrics, bump};
use crate::scheduler::park::Parker;
use crate::scheduler::queue::Local;
use crate::scheduler::{Handle, SchedulerContext};
use crate::task;

/// Consecutive LIFO-slot polls before the slot's task goes to the back of the queue.
const MAX_LIFO_POLLS_PER_TICK: u32 = 3;

/// A worker's own state, on its thread's stack; reachable from wakers on this thread through
/// the scheduler context pointer.
pub(crate) struct WorkerLocal {
    shared: Arc<Shared>,
    /// This thread's slot in `shared.remotes`.
    index: usize,
    /// The worker index it reports and counts metrics as.
    logical: usize,
    local: Local<Task>,
    lifo_polls: Cell<u32>,
    /// Sequence number of this worker's next poll (see `watch.rs`).
    poll_seq: Cell<u64>,
    /// Handed off by the monitor: leave the run loop and let the thread end.
    retired: Cell<bool>,
    tick: Cell<u32>,
    is_searching: Cell<bool>,
    /// Set while this worker is parked inside the driver, which fires I/O and timer wakers on
    /// this thread; see `schedule_local`.
    in_driver: Cell<bool>,
    parker: Parker,
    rng: Cell<u32>,
}

pub(super) fn run(shared: Arc<Shared>, start: WorkerStart) {
    let _hooks = shared.config.threads.hooks();
    let _entered = context::enter_runtime();
    let _handle = context::set_handle(Handle::MultiThread(shared.clone()));
    let worker = WorkerLocal {
        poll_seq: Cell::new(shared.remotes[start.index].watch.next_seq()),
        shared,
        index: start.index,
        logical: start.logical,
        local: start.local,
        lifo_polls: Cell::new(0),
        retired: Cell::new(false),
        tick: Cell::new(0),
        is_searching: Cell::new(false),
        in_driver: Cell::new(false),
        parker: start.parker,
        rng: Cell::new(0x9E37_79B9 ^ (start.index as u32 + 1).wrapping_mul(0x85EB_CA6B)),
    };
    {
        let _sched = context::set_scheduler(SchedulerContext::MultiWorker(NonNull::from(&worker)));
        worker.run_loop();
    }
    if worker.retired.get() {
        // Handed off: what this thread still holds goes where the other workers find it.
        let shared = &*worker.shared;
        if let Some(task) = worker.lifo().take() {
            shared.push_inject(task);
        }
        while let Some(task) = worker.local.pop() {
            shared.push_inject(task);
        }
        shared.notify_parked();
        let WorkerLocal {
            shared,
            index,
            logical,
            local,
            parker,
            ..
        } = worker;
        shared.return_slot(WorkerStart {
            index,
            logical,
            local,
            parker,
        });
        return;
    }
    // Shutdown: let go of the queued references; the owned list drops the futures.
    drop(worker.lifo().take());
    while let Some(task) = worker.local.pop() {
        drop(task);
    }
}

impl WorkerLocal {
    pub(super) fn shared(&self) -> &Shared {
        &self.shared
    }

    fn metrics(&self) -> &WorkerMetrics {
        &self.shared.metrics[self.logical]
    }

    #[inline]
    fn lifo(&self) -> &LifoSlot {
        &self.shared.remotes[self.index].lifo
    }

    #[inline]
    fn watch(&self) -> &PollWatch {
        &self.shared.remotes[self.index].watch
    }

    fn run_loop(&self) {
        let config = &self.shared.config;
        while !self.shared.is_shutdown() && !self.retired.get() {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if tick % config.event_interval == 0 {
                self.maintenance();
            }
            if let Some(task) = self.next_task(tick) {
                self.run_task(task);
                continue;
            }
            if let Some(task) = self.steal_work() {
                self.run_task(task);
                continue;
            }
            self.park();
        }
    }

    /// Lets the driver deliver events even when this worker never runs out of work.
    fn maintenance(&self) {
        if let Some(mut driver) = self.shared.driver.try_lock() {
            self.shared.driver_polls.fetch_add(1, Relaxed);
            driver.park(Some(std::time::Duration::ZERO));
        }
    }

    fn next_task(&self, tick: u32) -> Option<Task> {
        let shared = &*self.shared;
        if tick % shared.config.global_queue_interval == 0 {
            if let Some(task) = shared.inject.pop() {
                return Some(task);
            }
        }
        if let Some(task) = self.lifo().take() {
            if self.lifo_polls.get() < MAX_LIFO_POLLS_PER_TICK {
                self.lifo_polls.set(self.lifo_polls.get() + 1);
                bump(&self.metrics().lifo_hits, 1);
                return Some(task);
            }
            self.push_back_or_overflow(task);
        }
        self.lifo_polls.set(0);
        if let Some(task) = self.local.pop() {
            return Some(task);
        }
        let task = shared.inject.pop_batch_into(&self.local)?;
        if !self.local.is_empty() {
            // The batch is stealable; let an idle peer share it.
            shared.notify_parked();
        }
        Some(task)
    }

    fn steal_work(&self) -> Option<Task> {
        let shared = &*self.shared;
        if !self.is_searching.get() {
            if !shared.idle.transition_to_searching() {
                return None;
            }
            self.is_searching.set(true);
        }
        let n = shared.remotes.len();
        let start = self.next_random() as usize % n;
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == self.index {
                continue;
            }
            let victim = &shared.remotes[victim].steal;
            if let Some((task, stolen)) = Shared::steal_from(victim, &self.local) {
                bump(&self.metrics().steals, stolen as u64);
                return Some(task);
            }
        }
        for guest in shared.guests.iter() {
            if let Some((task, stolen)) = Shared::steal_from(&guest.steal, &self.local) {
                bump(&self.metrics().steals, stolen as u64);
                return Some(task);
            }
        }
        shared.inject.pop_batch_into(&self.local)
    }

    fn run_task(&self, task: Task) {
        if self.is_searching.replace(false) && self.shared.idle.transition_from_searching() {
            // We were the last searcher and found work: there may be more, keep one looking.
            self.shared.notify_parked();
        }
        bump(&self.metrics().polls, 1);
        let header = task.header();
        let (id, location) = (header.id, header.location);
        let (((), budget_spent), end) = self.watch().around(&self.poll_seq, id, location, || {
            task::with_budget(|| task.run())
        });
        if budget_spent && !end.was_handed_off() {
            bump(&self.metrics().budget_yields, 1);
        }
        if !end.is_plain() {
            self.after_blocking_poll(end, id, location);
        }
    }

    /// The monitor flagged the poll that just returned.
    #[cold]
    fn after_blocking_poll(
        &self,
        end: super::watch::PollEnd,
        id: task::Id,
        location: &'static std::panic::Location<'static>,
    ) {
        if end.was_reported() {
            monitor::report_finished(
                &self.shared,
                self.watch(),
                self.logical,
                id,
                location,
                end.was_handed_off(),
            );
        }
        if end.was_handed_off() {
            self.retired.set(true);
        }
    }

    /// A task woken or spawned on this worker.
    pub(super) fn schedule_local(&self, task: Task, is_yield: bool) {
        if self.watch().is_flagged(Relaxed) {
            // Stuck in a poll the monitor reported: nobody can take tasks from this thread's
            // LIFO slot meanwhile, so what it wakes goes where the other workers (or the
            // replacement) run it. No metrics: a replacement may own this worker's counters.
            self.shared.schedule_remote(task);
            return;
        }
        bump(&self.metrics().local_schedules, 1);
        let pushed_to_queue = if is_yield || !self.shared.config.lifo_enabled {
            self.push_back_or_overflow(task);
            true
        } else {
            let displaced = self.lifo().put(task);
            // Pairs with the monitor's hand-off (see `LifoSlot::put`): if it flagged us after
            // all, it may have emptied the slot before our put; take the task back out.
            if self.watch().is_flagged(SeqCst) {
                if let Some(task) = self.lifo().take() {
                    self.shared.schedule_remote(task);
                }
            }
            match displaced {
                Some(prev) => {
                    self.push_back_or_overflow(prev);
                    true
                }
                None => false,
            }
        };
        if pushed_to_queue && !self.in_driver.get() {
            // Stealable work appeared: make sure someone is looking for it. Not from inside
            // the driver: this worker is still on the sleeper list there, so the notify could
            // pick this very worker (an eventfd write to itself, and an extra `epoll_wait`
            // that returns at once) instead of a peer. `park` notifies once the driver
            // returns and this worker is off the list.
            self.shared.notify_parked();
        }
    }

    fn push_back_or_overflow(&self, task: Task) {
        if self.shared.push_local_or_overflow(&self.local, task) {
            bump(&self.metrics().overflows, 1);
        }
    }

    fn has_local_work(&self) -> bool {
        self.lifo().is_occupied() || !self.local.is_empty()
    }

    fn park(&self) {
        let shared = &*self.shared;
        let was_searching = self.is_searching.replace(false);
        if shared.idle.transition_to_parked(self.index, was_searching) {
            shared.notify_if_work_pending();
        }
        bump(&self.metrics().parks, 1);
        loop {
            match shared.driver.try_lock() {
                Some(mut driver) => {
                    shared.driver_polls.fetch_add(1, Relaxed);
                    self.in_driver.set(true);
                    self.parker.park(Some(&mut driver), None);
                    self.in_driver.set(false);
                }
                None => self.parker.park(None, None),
            }
            if shared.is_shutdown() {
                return;
            }
            if self.has_local_work() {
                // The driver fired wakers on this thread. If a notifier already took us off
                // the sleeper list it also counted us as a searcher.
                if shared.idle.unpark_worker_by_id(self.index) {
                    shared.monitor.poke();
                } else {
                    self.is_searching.set(true);
                }
                if !self.local.is_empty() {
                    // The driver woke more than one task here (the notify was deferred, see
                    // `schedule_local`); off the sleeper list now, let a peer steal some.
                    shared.notify_parked();
                }
                return;
            }
            if !shared.idle.is_parked(self.index) {
                // Woken by `notify_parked`, which counted us as searching.
                self.is_searching.set(true);
                return;
            }
            // Spurious wake-up: still listed as asleep, park again.
        }
    }

    fn next_random(&self) -> u32 {
        // xorshift32: enough to spread steal victims.
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        x
    }
}

//! The work-stealing multi-thread scheduler.
//!
//! N workers, each with a FIFO local queue others can steal half of, a LIFO slot for the task
//! it woke last, and a parker. A global injector takes spawns and wakes from outside the
//! workers. See `worker.rs` for the run loop, `idle.rs` for the parking protocol and
//! `block_on.rs` for how the thread in `block_on` takes part.

mod block_on;
mod idle;
pub(crate) mod lifo;
mod monitor;
pub(crate) mod watch;
mod worker;

use std::future::Future;
use std::panic::Location;
use std::time::Instant;

use crossbeam_utils::CachePadded;

pub(crate) use self::block_on::{GuestLocal, block_on};
use self::idle::Idle;
use self::lifo::LifoSlot;
use self::monitor::MonitorSignal;
use self::watch::PollWatch;
pub(crate) use self::worker::WorkerLocal;
use super::SchedulerContext;
use super::config::Config;
use super::metrics::WorkerMetrics;
use super::park::{Driver, DriverUnpark, Parker, Unparker};
use super::queue::{Inject, Local, Steal};
use crate::blocking;
use crate::loom_sync::{
    Arc, AtomicBool, AtomicU64, AtomicUsize, Mutex,
    Ordering::{Relaxed, SeqCst},
    fence, thread,
};
use crate::runtime::context;
use crate::task::list::OwnedTasks;
use crate::task::{self, JoinHandle, Notified, Schedule};

type Task = Notified<Arc<Shared>>;

/// Local queues hold at most this many tasks; past it, half move to the injector.
const LOCAL_QUEUE_CAPACITY: usize = 256;

/// Stealable run queues that threads in `block_on` borrow while they wait (see
/// `block_on.rs`); a further concurrent `block_on` runs without one.
const GUEST_QUEUES: usize = 2;

/// State shared by the workers, the handles and every task of one multi-thread runtime.
pub(crate) struct Shared {
    remotes: Box<[Remote]>,
    guests: Box<[GuestQueue]>,
    inject: Inject<Task>,
    idle: Idle,
    pub(crate) owned: OwnedTasks,
    driver: Mutex<Driver>,
    pub(crate) driver_unpark: DriverUnpark,
    shutdown: AtomicBool,
    pub(crate) config: Config,
    pub(crate) metrics: Box<[CachePadded<WorkerMetrics>]>,
    pub(crate) blocking: blocking::Spawner,
    /// Slots `worker_threads..2 * worker_threads` not running a thread: replacements for
    /// blocked workers start on them; a retiring blocked thread gives its slot back.
    spares: Mutex<Vec<WorkerStart>>,
    /// Replacement worker threads (the first `worker_threads` are the `Runtime`'s).
    extra_threads: Mutex<Vec<thread::JoinHandle<()>>>,
    monitor_thread: Mutex<Option<thread::JoinHandle<()>>>,
    pub(crate) monitor: MonitorSignal,
    /// Threads in `block_on` not parked (they run tasks too).
    guests_awake: AtomicUsize,
    /// Bumped whenever a thread takes the driver, so the monitor can tell an unattended one.
    pub(crate) driver_polls: AtomicU64,
    pub(crate) counters: DiagnosticCounters,
    /// Time origin for the poll watch's timestamps.
    pub(crate) epoch: Instant,
}

pub(crate) struct GuestAwake<'a>(&'a Shared);

impl Drop for GuestAwake<'_> {
    fn drop(&mut self) {
        self.0.guests_awake.fetch_sub(1, SeqCst);
    }
}

pub(crate) struct GuestAsleep<'a>(&'a Shared);

impl Drop for GuestAsleep<'_> {
    fn drop(&mut self) {
        self.0.guests_awake.fetch_add(1, SeqCst);
        self.0.monitor.poke();
    }
}

/// Runtime-wide counters of the blocking monitor.
#[derive(Debug, Default)]
pub(crate) struct DiagnosticCounters {
    pub(crate) blocking_detected: AtomicU64,
    pub(crate) handoffs: AtomicU64,
    pub(crate) driver_rescues: AtomicU64,
}

/// One worker slot, as the other threads see it.
struct Remote {
    steal: Steal<Task>,
    unparker: Unparker,
    lifo: LifoSlot,
    watch: CachePadded<PollWatch>,
    /// The worker index this slot's thread reports as (a replacement keeps the index of the
    /// worker it replaces).
    logical: AtomicUsize,
}

/// A run queue for a `block_on` guest: the guest takes `local` out while it runs, the workers
/// steal from `steal` like from each other.
struct GuestQueue {
    steal: Steal<Task>,
    local: Mutex<Option<Local<Task>>>,
    /// The poll watch of the guest holding `local` (see `watch.rs`; report only).
    watch: CachePadded<PollWatch>,
    /// The LIFO slot of the guest holding `local`: the monitor empties it when it reports
    /// the guest as blocked.
    lifo: LifoSlot,
}

/// What one worker thread starts with.
pub(crate) struct WorkerStart {
    pub(crate) index: usize,
    logical: usize,
    local: Local<Task>,
    parker: Parker,
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        blocking: blocking::Spawner,
    ) -> std::io::Result<(Arc<Shared>, Vec<WorkerStart>)> {
        let n = config.worker_threads;
        let (driver, driver_unpark) = Driver::new()?;
        // With detection on, twice the slots: the second half are spares for replacements.
        let slots =
            if config.blocking_detection.handoff && config.blocking_detection.threshold.is_some() {
                2 * n
            } else {
                n
            };
        let mut remotes = Vec::with_capacity(slots);
        let mut starts = Vec::with_capacity(slots);
        for index in 0..slots {
            let local = Local::new();
            let parker = Parker::new(Some(driver_unpark.clone()));
            remotes.push(Remote {
                steal: local.stealer(),
                unparker: parker.unparker(),
                lifo: LifoSlot::default(),
                watch: CachePadded::default(),
                logical: AtomicUsize::new(index),
            });
            starts.push(WorkerStart {
                index,
                logical: index,
                local,
                parker,
            });
        }
        let spares = starts.split_off(n);
        let shared = Arc::new(Shared {
            remotes: remotes.into_boxed_slice(),
            guests: (0..GUEST_QUEUES)
                .map(|_| {
                    let local = Local::new();
                    GuestQueue {
                        steal: local.stealer(),
                        local: Mutex::new(Some(local)),
                        watch: CachePadded::default(),
                        lifo: LifoSlot::default(),
                    }
                })
                .collect(),
            inject: Inject::new(),
            idle: Idle::new(n),
            owned: OwnedTasks::new(n * 4),
            driver: Mutex::new(driver),
            driver_unpark,
            shutdown: AtomicBool::new(false),
            metrics: (0..n).map(|_| CachePadded::default()).collect(),
            config,
            blocking,
            spares: Mutex::new(spares),
            extra_threads: Mutex::new(Vec::new()),
            monitor_thread: Mutex::new(None),
            monitor: MonitorSignal::default(),
            guests_awake: AtomicUsize::new(0),
            driver_polls: AtomicU64::new(0),
            counters: DiagnosticCounters::default(),
            epoch: Instant::now(),
        });
        Ok((shared, starts))
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.metrics.len()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.inject.len()
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(SeqCst)
    }

    /// Spawns a task: binds it to the owned list and schedules it. `O` is the future as the
    /// user spawned it (`F` may box it), for the task dump.
    pub(crate) fn spawn<F, O>(
        this: &Arc<Self>,
        future: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (raw, notified, join) =
            task::new_task_sized::<F, _, O>(future, this.clone(), location, true);
        if !this.owned.bind(raw) {
            // Shut down: the task is cancelled before it ever runs.
            raw.shutdown();
            drop(notified);
            return join;
        }
        this.schedule_task(notified, false);
        join
    }

    /// Routes a runnable task: to this thread's worker queues when it is one of ours, else
    /// to the injector.
    fn schedule_task(&self, task: Task, is_yield: bool) {
        match context::scheduler() {
            Some(SchedulerContext::MultiWorker(worker)) => {
                // SAFETY: the context pointer is set by a worker for the duration of its run
                // loop on this very thread, so the WorkerLocal is alive.
                let worker = unsafe { worker.as_ref() };
                if std::ptr::eq(worker.shared(), self) {
                    worker.schedule_local(task, is_yield);
                    return;
                }
            }
            Some(SchedulerContext::MultiGuest(guest)) => {
                // SAFETY: as above, for a thread inside `block_on`.
                let guest = unsafe { guest.as_ref() };
                if std::ptr::eq(guest.shared(), self) {
                    guest.schedule_local(task, is_yield);
                    return;
                }
            }
            _ => {}
        }
        self.schedule_remote(task);
    }

    /// Pushes to the injector and wakes a worker. After shutdown the task is dropped instead:
    /// nobody would run it, and the injector would keep the runtime alive through it.
    fn schedule_remote(&self, task: Task) {
        if self.push_inject(task) {
            self.notify_parked();
        }
    }

    /// Pushes `task` to the back of `local` (a worker's or a guest's queue); when the queue is
    /// full, its older half moves to the injector first, where every worker can reach it.
    /// Returns whether it overflowed.
    fn push_local_or_overflow(&self, local: &Local<Task>, task: Task) -> bool {
        let overflowed = local.len() >= LOCAL_QUEUE_CAPACITY;
        if overflowed {
            for _ in 0..LOCAL_QUEUE_CAPACITY / 2 {
                match local.pop() {
                    Some(t) => {
                        self.push_inject(t);
                    }
                    None => break,
                }
            }
        }
        local.push(task);
        overflowed
    }

    /// Takes half of `victim`'s queue into `dest` and returns one task, with the number of
    /// tasks moved (for the steal metric).
    fn steal_from(victim: &Steal<Task>, dest: &Local<Task>) -> Option<(Task, usize)> {
        let before = dest.len();
        let task = victim.steal_half_and_pop(dest)?;
        Some((task, dest.len().saturating_sub(before) + 1))
    }

    /// Pushes to the injector; returns `false` (having dropped what it pushed) when the
    /// runtime is shut down.
    fn push_inject(&self, task: Task) -> bool {
        self.inject.push(task);
        // Pairs with the fence in `shutdown`: either we see the flag and drain, or the
        // shutting-down thread's drain sees our push.
        fence(SeqCst);
        if self.is_shutdown() {
            self.drain_inject();
            return false;
        }
        true
    }

    fn drain_inject(&self) {
        while let Some(task) = self.inject.pop() {
            drop(task);
        }
    }

    /// Wakes one parked worker if nobody is searching; returns whether it woke one.
    fn notify_parked(&self) -> bool {
        let Some(index) = self.idle.worker_to_notify() else {
            return false;
        };
        self.remotes[index].unparker.unpark();
        self.monitor.poke();
        true
    }

    /// Counts a thread in `block_on` as awake (it runs tasks) until the guard drops; wakes
    /// the monitor if it slept for lack of anyone busy.
    fn guest_active(&self) -> GuestAwake<'_> {
        // SeqCst: pairs with the monitor's sleep check, like the idle counts (see
        // `MonitorSignal::poke`).
        self.guests_awake.fetch_add(1, SeqCst);
        self.monitor.poke();
        GuestAwake(self)
    }

    /// A guest about to park: not awake until the returned guard drops (after the park).
    fn guest_parks(&self) -> GuestAsleep<'_> {
        self.guests_awake.fetch_sub(1, SeqCst);
        GuestAsleep(self)
    }

    /// Whether any thread could be running a task now (the monitor sleeps otherwise).
    pub(crate) fn anyone_awake(&self) -> bool {
        self.idle.num_unparked() > 0 || self.guests_awake.load(SeqCst) > 0
    }

    /// Reserves a spare slot for a replacement worker, if one is free.
    fn take_spare(&self) -> Option<WorkerStart> {
        self.spares.lock().pop()
    }

    /// Wakes a worker sleeping outside the driver without taking it off the sleeper list: its
    /// park loop sees a spurious wake-up and parks again, taking the driver if it is free.
    /// The monitor calls this after it held the driver, which a worker that parked meanwhile
    /// could not take.
    fn kick_sleeper(&self) {
        if let Some(index) = self.idle.any_sleeper() {
            self.remotes[index].unparker.unpark();
        }
    }

    /// Starts a worker thread on the reserved spare slot `start` to stand in for blocked
    /// worker `logical`. It takes over that worker's unparked (not searching) place in the idle
    /// counts. On failure the slot comes back, still reserved.
    fn start_replacement(
        this: &Arc<Self>,
        mut start: WorkerStart,
        logical: usize,
    ) -> Result<(), (std::io::Error, WorkerStart)> {
        start.logical = logical;
        this.remotes[start.index].logical.store(logical, Relaxed);
        let index = start.index;
        let shared = this.clone();
        let (tx, rx) = std::sync::mpsc::channel::<WorkerStart>();
        let spawned = this.config.threads.builder("worker", index).spawn(move || {
            if let Ok(start) = rx.recv() {
                worker::run(shared, start);
            }
        });
        match spawned {
            Ok(handle) => {
                let _ = tx.send(start);
                let mut extra = this.extra_threads.lock();
                extra.retain(|t| !t.is_finished());
                extra.push(handle);
                Ok(())
            }
            Err(e) => Err((e, start)),
        }
    }

    /// Gives a reserved spare back unused.
    fn return_spare(&self, start: WorkerStart) {
        self.spares.lock().push(start);
    }

    /// A retiring (handed-off) worker gives its slot back.
    fn return_slot(&self, start: WorkerStart) {
        self.spares.lock().push(start);
    }

    /// Which worker is polling task `id` right now (for the task dump), from the poll watches:
    /// a worker slot gives its worker index, a `block_on` thread `num_workers() + guest`.
    pub(crate) fn running_worker(&self, id: task::Id) -> Option<usize> {
        if let Some(r) = self
            .remotes
            .iter()
            .find(|r| r.watch.running_task() == Some(id))
        {
            return Some(r.logical.load(Relaxed));
        }
        self.guests
            .iter()
            .position(|g| g.watch.running_task() == Some(id))
            .map(|g| self.num_workers() + g)
    }

    /// The monitor counters: (blocking detected, hand-offs, driver rescues).
    pub(crate) fn diagnostic_counts(&self) -> (u64, u64, u64) {
        let c = &self.counters;
        (
            c.blocking_detected.load(Relaxed),
            c.handoffs.load(Relaxed),
            c.driver_rescues.load(Relaxed),
        )
    }

    /// The monitor thread, to be joined at shutdown before the replacements (it is the one
    /// that starts them).
    pub(crate) fn take_monitor_thread(&self) -> Option<thread::JoinHandle<()>> {
        self.monitor_thread.lock().take()
    }

    /// Replacement worker threads, to be joined at shutdown after the monitor.
    pub(crate) fn take_replacement_threads(&self) -> Vec<thread::JoinHandle<()>> {
        std::mem::take(&mut *self.extra_threads.lock())
    }

    /// The last searcher's re-check before it parks (see `idle.rs`).
    fn notify_if_work_pending(&self) {
        let pending = self.remotes.iter().any(|r| !r.steal.is_empty())
            || self.guests.iter().any(|g| !g.steal.is_empty())
            || !self.inject.is_empty();
        if pending {
            self.notify_parked();
        }
    }

    /// Begins shutdown: workers leave their loops at the next check and the injector stops
    /// taking tasks. Tasks are dropped afterwards by `shutdown_tasks`.
    pub(crate) fn shutdown(&self) {
        if self.shutdown.swap(true, SeqCst) {
            return;
        }
        fence(SeqCst);
        for remote in self.remotes.iter() {
            remote.unparker.unpark();
        }
        self.driver_unpark.unpark();
        self.monitor.wake();
    }

    /// After the workers are gone (or given up on): drop every task's future, here, on the
    /// shutting-down thread with the runtime context set.
    pub(crate) fn shutdown_tasks(&self) {
        self.owned.close_and_shutdown_all();
        self.drain_inject();
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified<Self>) {
        self.schedule_task(task, false);
    }

    fn yield_now(&self, task: Notified<Self>) {
        self.schedule_task(task, true);
    }

    fn owned(&self) -> Option<&OwnedTasks> {
        Some(&self.owned)
    }
}

/// Starts the worker threads.
pub(crate) fn start_workers(
    shared: &Arc<Shared>,
    starts: Vec<WorkerStart>,
) -> std::io::Result<Vec<crate::loom_sync::thread::JoinHandle<()>>> {
    let mut threads = Vec::with_capacity(starts.len());
    match monitor::start(shared) {
        Ok(monitor) => *shared.monitor_thread.lock() = monitor,
        Err(e) => return Err(e),
    }
    for start in starts {
        let shared2 = shared.clone();
        let builder = shared.config.threads.builder("worker", start.index);
        match builder.spawn(move || worker::run(shared2, start)) {
            Ok(t) => threads.push(t),
            Err(e) => {
                shared.shutdown();
                let monitor = shared.take_monitor_thread();
                for t in threads.into_iter().chain(monitor) {
                    let _ = t.join();
                }
                return Err(e);
            }
        }
    }
    Ok(threads)
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiThread")
            .field("workers", &self.num_workers())
            .finish()
    }
}

//! The work-stealing multi-thread scheduler.
//!
//! N workers, each with a FIFO local queue others can steal half of, a LIFO slot for the task
//! it woke last, and a parker. A global injector takes spawns and wakes from outside the
//! workers. See `worker.rs` for the run loop, `idle.rs` for the parking protocol and
//! `block_on.rs` for how the thread in `block_on` takes part.

mod block_on;
mod idle;
mod worker;

use std::future::Future;
use std::panic::Location;

use crossbeam_utils::CachePadded;

pub(crate) use self::block_on::{GuestLocal, block_on};
use self::idle::Idle;
pub(crate) use self::worker::WorkerLocal;
use super::SchedulerContext;
use super::config::Config;
use super::metrics::WorkerMetrics;
use super::park::{Driver, DriverUnpark, Parker, Unparker};
use super::queue::{Inject, Local, Steal};
use crate::blocking;
use crate::loom_sync::{Arc, AtomicBool, Mutex, Ordering::SeqCst, fence};
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
}

struct Remote {
    steal: Steal<Task>,
    unparker: Unparker,
}

/// A run queue for a `block_on` guest: the guest takes `local` out while it runs, the workers
/// steal from `steal` like from each other.
struct GuestQueue {
    steal: Steal<Task>,
    local: Mutex<Option<Local<Task>>>,
}

/// What one worker thread starts with.
pub(crate) struct WorkerStart {
    pub(crate) index: usize,
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
        let mut remotes = Vec::with_capacity(n);
        let mut starts = Vec::with_capacity(n);
        for index in 0..n {
            let local = Local::new();
            let parker = Parker::new(Some(driver_unpark.clone()));
            remotes.push(Remote {
                steal: local.stealer(),
                unparker: parker.unparker(),
            });
            starts.push(WorkerStart {
                index,
                local,
                parker,
            });
        }
        let shared = Arc::new(Shared {
            remotes: remotes.into_boxed_slice(),
            guests: (0..GUEST_QUEUES)
                .map(|_| {
                    let local = Local::new();
                    GuestQueue {
                        steal: local.stealer(),
                        local: Mutex::new(Some(local)),
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
        });
        Ok((shared, starts))
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.remotes.len()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.inject.len()
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(SeqCst)
    }

    /// The worker polling task `id` right now, for the task dump; `None` when unknown.
    pub(crate) fn running_worker(&self, _id: crate::task::Id) -> Option<usize> {
        // lead fills this in from the poll watch
        None
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

    /// Wakes one parked worker if nobody is searching.
    fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.remotes[index].unparker.unpark();
        }
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
    for start in starts {
        let shared2 = shared.clone();
        let builder = shared.config.threads.builder("worker", start.index);
        match builder.spawn(move || worker::run(shared2, start)) {
            Ok(t) => threads.push(t),
            Err(e) => {
                shared.shutdown();
                for t in threads {
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

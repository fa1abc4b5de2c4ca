//! `RuntimeMetrics`: a read-only view of a runtime's counters.

use crate::scheduler::Handle as SchedulerHandle;
use crate::scheduler::metrics::{WorkerMetrics, read};

/// Counters of one runtime, read on demand. Obtained from [`Handle::metrics`] or
/// [`Runtime::metrics`]. Values are recent, not a consistent snapshot.
///
/// The current-thread flavor reports one worker (index 0): the thread in `block_on`.
///
/// [`Handle::metrics`]: crate::runtime::Handle::metrics
/// [`Runtime::metrics`]: crate::runtime::Runtime::metrics
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// rt.block_on(async {
///     conductor::spawn(async {}).await.unwrap();
/// });
/// let m = rt.metrics();
/// assert_eq!(m.num_workers(), 2);
/// assert_eq!(m.spawned_tasks_count(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    handle: SchedulerHandle,
}

macro_rules! worker_counter {
    ($(#[$doc:meta])* $name:ident => $field:ident) => {
        $(#[$doc])*
        ///
        /// # Panics
        ///
        /// If `worker >= num_workers()`.
        pub fn $name(&self, worker: usize) -> u64 {
            read(&self.worker(worker).$field)
        }
    };
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: SchedulerHandle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    fn worker(&self, index: usize) -> &WorkerMetrics {
        match &self.handle {
            SchedulerHandle::MultiThread(s) => &s.metrics[index],
            SchedulerHandle::CurrentThread(s) => {
                assert_eq!(
                    index, 0,
                    "worker index out of range: a current-thread runtime has one worker"
                );
                &s.metrics
            }
        }
    }

    /// Worker threads (1 for the current-thread flavor).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().worker_threads(3).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 3);
    /// ```
    pub fn num_workers(&self) -> usize {
        match &self.handle {
            SchedulerHandle::MultiThread(s) => s.num_workers(),
            SchedulerHandle::CurrentThread(_) => 1,
        }
    }

    /// Polls the blocking monitor found running longer than the blocking threshold (see
    /// [`Builder::blocking_threshold`](crate::runtime::Builder::blocking_threshold)). Always 0
    /// on the current-thread flavor and with detection disabled.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.block_on(async { conductor::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.metrics().blocking_detected_count(), 0);
    /// ```
    pub fn blocking_detected_count(&self) -> u64 {
        self.handle.diagnostic_counts().0
    }

    /// Times a blocked worker's queue was handed to a replacement worker thread.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.metrics().handoff_count(), 0);
    /// ```
    pub fn handoff_count(&self) -> u64 {
        self.handle.diagnostic_counts().1
    }

    /// Times the monitor found the I/O and timer driver unattended (a worker left it and got
    /// busy while the others slept) and woke a worker to take it, or polled it itself.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let _rescues = rt.metrics().driver_rescue_count();
    /// ```
    pub fn driver_rescue_count(&self) -> u64 {
        self.handle.diagnostic_counts().2
    }

    /// Tasks spawned and not yet finished (blocking tasks are not counted).
    ///
    /// A task leaves the count just after it wakes its `JoinHandle`, so right after a join
    /// returns the count may still include that task for a moment.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.block_on(async { conductor::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.metrics().num_alive_tasks(), 0);
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.owned().len()
    }

    /// Tasks spawned since the runtime started (blocking tasks are not counted).
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.block_on(async { conductor::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.metrics().spawned_tasks_count(), 1);
    /// ```
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.owned().spawned()
    }

    /// Threads in the blocking pool, idle ones included.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    /// assert!(rt.metrics().num_blocking_threads() >= 1);
    /// ```
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_threads()
    }

    /// Blocking closures waiting for a thread.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.metrics().blocking_queue_depth(), 0);
    /// ```
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking_spawner().queue_depth()
    }

    /// Tasks in the global (injection) queue.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.metrics().global_queue_depth(), 0);
    /// ```
    pub fn global_queue_depth(&self) -> usize {
        match &self.handle {
            SchedulerHandle::MultiThread(s) => s.global_queue_depth(),
            SchedulerHandle::CurrentThread(s) => s.global_queue_depth(),
        }
    }

    worker_counter! {
        /// Task polls by worker `worker`.
        ///
        /// ```
        /// let rt = conductor::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        /// rt.block_on(async { conductor::spawn(async {}).await.unwrap() });
        /// let m = rt.metrics();
        /// let _polls: u64 = (0..m.num_workers()).map(|w| m.worker_poll_count(w)).sum();
        /// ```
        worker_poll_count => polls
    }
    worker_counter! {
        /// Tasks worker `worker` stole from other workers.
        ///
        /// ```
        /// let rt = conductor::runtime::Runtime::new().unwrap();
        /// let _ = rt.metrics().worker_steal_count(0);
        /// ```
        worker_steal_count => steals
    }
    worker_counter! {
        /// Times worker `worker` parked.
        ///
        /// ```
        /// let rt = conductor::runtime::Runtime::new().unwrap();
        /// let _ = rt.metrics().worker_park_count(0);
        /// ```
        worker_park_count => parks
    }
    worker_counter! {
        /// Tasks scheduled (spawned or woken) from worker `worker` onto its own queues.
        ///
        /// ```
        /// let rt = conductor::runtime::Runtime::new().unwrap();
        /// let _ = rt.metrics().worker_local_schedule_count(0);
        /// ```
        worker_local_schedule_count => local_schedules
    }
    worker_counter! {
        /// Times worker `worker`'s local queue was full and half of it moved to the global queue.
        ///
        /// ```
        /// let rt = conductor::runtime::Runtime::new().unwrap();
        /// let _ = rt.metrics().worker_overflow_count(0);
        /// ```
        worker_overflow_count => overflows
    }
    worker_counter! {
        /// Tasks worker `worker` took from its LIFO slot.
        ///
        /// ```
        /// let rt = conductor::runtime::Runtime::new().unwrap();
        /// let _ = rt.metrics().worker_lifo_count(0);
        /// ```
        worker_lifo_count => lifo_hits
    }
    worker_counter! {
        /// Polls on worker `worker` that ended because the task spent its cooperative budget.
        ///
        /// ```
        /// let rt = conductor::runtime::Runtime::new().unwrap();
        /// let _ = rt.metrics().worker_budget_yield_count(0);
        /// ```
        worker_budget_yield_count => budget_yields
    }
}

//! `Runtime`: owns the worker threads and shuts everything down when dropped.
//!
//! # Shutdown, in order
//!
//! 1. Signal the scheduler: workers leave their loops at their next check, parked ones are
//!    unparked, wakes stop queueing tasks.
//! 2. Join the workers (at most until the timeout).
//! 3. On this thread, with the runtime's handle entered: close the owned-task list and drop
//!    every task's future, exactly once.
//! 4. Shut the blocking pool down: queued closures are cancelled, running ones are waited for
//!    until what is left of the timeout.

use std::future::Future;
use std::io;
use std::panic::Location;
use std::time::{Duration, Instant};

use super::{Handle, RuntimeMetrics, SpawnNotes, TaskDump, context};
use crate::blocking;
use crate::loom_sync::thread;
use crate::scheduler::config::Config;
use crate::scheduler::{self, current_thread, multi_thread};
use crate::task::JoinHandle;

/// A conductor runtime: a scheduler (multi-thread or current-thread), its threads and its
/// blocking pool. Dropping it shuts it down and waits for its threads.
///
/// # Examples
///
/// ```
/// use conductor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let h = conductor::spawn(async { 21 * 2 });
///     h.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
#[derive(Debug)]
pub struct Runtime {
    handle: Handle,
    workers: Vec<thread::JoinHandle<()>>,
    shut_down: bool,
}

impl Runtime {
    /// A multi-thread runtime with one worker per available core and the default settings.
    ///
    /// # Errors
    ///
    /// When a worker thread cannot be started.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new() -> io::Result<Runtime> {
        super::Builder::new_multi_thread().build()
    }

    pub(crate) fn new_multi_thread(config: Config) -> io::Result<Runtime> {
        let blocking = new_blocking_pool(&config);
        let (shared, starts) = multi_thread::Shared::new(config, blocking)?;
        let workers = multi_thread::start_workers(&shared, starts)?;
        Ok(Runtime {
            handle: Handle {
                inner: scheduler::Handle::MultiThread(shared),
            },
            workers,
            shut_down: false,
        })
    }

    pub(crate) fn new_current_thread(config: Config) -> io::Result<Runtime> {
        let blocking = new_blocking_pool(&config);
        let shared = current_thread::Shared::new(config, blocking)?;
        Ok(Runtime {
            handle: Handle {
                inner: scheduler::Handle::CurrentThread(shared),
            },
            workers: Vec::new(),
            shut_down: false,
        })
    }

    /// Runs `future` to completion on the calling thread and returns its output.
    ///
    /// On the multi-thread flavor the calling thread also runs tasks while it waits: tasks
    /// it wakes run on it at once, so messages between the `block_on` future and a task are
    /// cheap (no cross-thread wake-up), and when every worker is busy it takes tasks from the
    /// global queue too. Such tasks run on this thread's stack and are not counted in the
    /// per-worker metrics. On the current-thread flavor every task runs here.
    ///
    /// # Panics
    ///
    /// When called from async code (inside a task or another `block_on`): blocking there would
    /// stall a worker. `.await` the future instead.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task on this runtime, from any thread.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let h = rt.spawn(async { 3 });
    /// assert_eq!(rt.block_on(h).unwrap(), 3);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.inner.spawn_at(future, Location::caller())
    }

    /// Runs `f` on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let h = rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned));
    /// let name = rt.block_on(h).unwrap().unwrap();
    /// assert!(name.starts_with("conductor-blocking-"));
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.inner.spawn_blocking_at(f, Location::caller())
    }

    /// A handle to this runtime.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// std::thread::spawn(move || handle.block_on(async { 1 })).join().unwrap();
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// This runtime's counters.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// assert!(rt.metrics().num_workers() >= 1);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// A snapshot of every live task; see [`Handle::dump`].
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.dump().get(handle.id()).unwrap().location().file(), file!());
    /// ```
    pub fn dump(&self) -> TaskDump {
        self.handle.dump()
    }

    /// Spawns per spawn location; see [`Handle::spawn_notes`].
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// drop(rt.spawn(async {}));
    /// assert_eq!(rt.spawn_notes().sites().map(|s| s.spawns()).sum::<u64>(), 1);
    /// ```
    pub fn spawn_notes(&self) -> SpawnNotes {
        self.handle.spawn_notes()
    }

    /// Shuts down, waiting at most `timeout` for worker and blocking threads to finish what
    /// they are running. Every task's future is dropped before this returns, except one that
    /// a worker is still polling when the timeout runs out.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.spawn(std::future::pending::<()>());
    /// rt.shutdown_timeout(Duration::from_secs(1));
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for the runtime's threads; they exit on their own.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.spawn(std::future::pending::<()>());
    /// rt.shutdown_background();
    /// ```
    pub fn shutdown_background(mut self) {
        self.shutdown(Some(Duration::ZERO));
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        if std::mem::replace(&mut self.shut_down, true) {
            return;
        }
        shutdown(
            &self.handle.inner,
            std::mem::take(&mut self.workers),
            timeout,
        );
    }
}

/// The shutdown procedure in the module docs.
fn shutdown(
    scheduler: &scheduler::Handle,
    workers: Vec<thread::JoinHandle<()>>,
    timeout: Option<Duration>,
) {
    let deadline = timeout.map(|t| Instant::now() + t);
    scheduler.shutdown();
    for worker in workers {
        join_until(worker, deadline);
    }
    // The monitor first (it is awake at once and starts no replacement after it sees the
    // shutdown), then replacement workers; a handed-off thread still stuck in its poll is
    // waited for like any worker.
    if let Some(monitor) = scheduler.take_monitor_thread() {
        join_until(monitor, deadline);
    }
    for thread in scheduler.take_replacement_threads() {
        join_until(thread, deadline);
    }
    {
        let _handle = context::set_handle(scheduler.clone());
        scheduler.shutdown_tasks();
    }
    let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    scheduler.blocking_spawner().shutdown(left);
}

fn new_blocking_pool(config: &Config) -> blocking::Spawner {
    blocking::Spawner::new(
        config.max_blocking_threads,
        config.keep_alive,
        config.threads.clone(),
    )
}

/// Joins `thread`, or gives up on it (it is detached) at `deadline`.
fn join_until(thread: thread::JoinHandle<()>, deadline: Option<Instant>) {
    let Some(deadline) = deadline else {
        let _ = thread.join();
        return;
    };
    while !thread.is_finished() {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(1)));
    }
    let _ = thread.join();
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.shut_down {
            return;
        }
        if context::is_runtime_entered() {
            // Waiting for threads here would block a worker or a `block_on`. Shut down on a
            // thread of its own instead (so the tasks are still dropped and nothing leaks),
            // and report the misuse.
            self.shut_down = true;
            let scheduler = self.handle.inner.clone();
            let workers = std::mem::take(&mut self.workers);
            let spawned = thread::Builder::new()
                .name("conductor-shutdown".into())
                .spawn(move || shutdown(&scheduler, workers, None));
            if spawned.is_err() {
                self.handle.inner.shutdown();
            }
            if !std::thread::panicking() {
                panic!("{}", crate::error::DROP_RUNTIME_INSIDE_RUNTIME);
            }
            return;
        }
        self.shutdown(None);
    }
}

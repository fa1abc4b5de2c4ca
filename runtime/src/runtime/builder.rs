//! `Builder`: every runtime setting in one place.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::{LargeFutureReport, Runtime};
use crate::diag::{DEFAULT_LARGE_FUTURE_THRESHOLD, LargeFutureHook, SpawnTable};
use crate::scheduler::config::{BlockingDetection, Config, ThreadConfig};

/// Configures and builds a [`Runtime`].
///
/// There is no `enable_all`: I/O and time are always on once their drivers land.
///
/// # Examples
///
/// ```
/// use conductor::runtime::Builder;
///
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-pool")
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { conductor::spawn(async { 1 }).await.unwrap() }), 1);
/// ```
pub struct Builder {
    flavor: Flavor,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    keep_alive: Duration,
    global_queue_interval: u32,
    event_interval: u32,
    lifo_enabled: bool,
    start_paused: bool,
    threads: ThreadConfig,
    blocking_detection: BlockingDetection,
    large_future_threshold: usize,
    on_large_future: Option<LargeFutureHook>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flavor {
    MultiThread,
    CurrentThread,
}

/// Default `max_blocking_threads`.
const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;
/// Default `thread_keep_alive`.
const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);
/// Default `global_queue_interval`, in scheduler ticks.
const DEFAULT_GLOBAL_QUEUE_INTERVAL_TICKS: u32 = 61;
/// Default `event_interval`, in scheduler ticks.
const DEFAULT_EVENT_INTERVAL_TICKS: u32 = 61;

impl Builder {
    fn new(flavor: Flavor) -> Builder {
        Builder {
            flavor,
            worker_threads: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            keep_alive: DEFAULT_KEEP_ALIVE,
            global_queue_interval: DEFAULT_GLOBAL_QUEUE_INTERVAL_TICKS,
            event_interval: DEFAULT_EVENT_INTERVAL_TICKS,
            lifo_enabled: true,
            start_paused: false,
            threads: ThreadConfig::default(),
            blocking_detection: BlockingDetection::default(),
            large_future_threshold: DEFAULT_LARGE_FUTURE_THRESHOLD,
            on_large_future: None,
        }
    }

    /// A work-stealing runtime with one worker per available core by default.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new(Flavor::MultiThread)
    }

    /// A runtime that runs every task on the thread that calls `block_on`.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let id = std::thread::current().id();
    /// let ran_on = rt.block_on(async {
    ///     conductor::spawn(async { std::thread::current().id() }).await.unwrap()
    /// });
    /// assert_eq!(ran_on, id);
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder::new(Flavor::CurrentThread)
    }

    /// Worker threads of a multi-thread runtime (default: available parallelism). Ignored by
    /// the current-thread flavor.
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().worker_threads(3).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 3);
    /// ```
    #[track_caller]
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "{}", crate::error::ZERO_WORKER_THREADS);
        self.worker_threads = Some(n);
        self
    }

    /// Most threads the blocking pool starts (default 512).
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().max_blocking_threads(4).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "{}", crate::error::ZERO_MAX_BLOCKING_THREADS);
        self.max_blocking_threads = n;
        self
    }

    /// How long an idle blocking thread waits for work before it exits (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .thread_keep_alive(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_keep_alive(&mut self, keep_alive: Duration) -> &mut Self {
        self.keep_alive = keep_alive;
        self
    }

    /// Name of every thread the runtime starts (default `conductor-worker-{n}` and
    /// `conductor-blocking-{n}`).
    ///
    /// Tasks may also run on the thread inside `block_on` (see
    /// [`Runtime::block_on`](crate::runtime::Runtime::block_on)), which keeps its own name.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().thread_name("svc").build().unwrap();
    /// let name = rt.block_on(rt.spawn_blocking(|| {
    ///     std::thread::current().name().map(str::to_owned)
    /// }));
    /// assert_eq!(name.unwrap().as_deref(), Some("svc"));
    /// ```
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.threads.name = Some(name.into());
        self
    }

    /// Stack size of the runtime's threads (default: the standard library's).
    ///
    /// Tasks may also run on the thread inside `block_on`, on that thread's stack: a task
    /// that needs a deep stack should not rely on this setting alone when the program blocks
    /// on the runtime from a thread with a small stack.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .thread_stack_size(4 << 20)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.threads.stack_size = Some(bytes);
        self
    }

    /// Runs `f` on every runtime thread (workers and blocking threads) when it starts.
    ///
    /// If `f` panics, the panic is caught and reported on stderr (naming the hook and the
    /// thread), and the thread carries on as if the hook had returned.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let s = started.clone();
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_start(move || { s.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert_eq!(started.load(Ordering::SeqCst), 2);
    /// ```
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.threads.on_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on every runtime thread just before it exits.
    ///
    /// If `f` panics, the panic is caught and reported on stderr (naming the hook and the
    /// thread), and the thread exits normally.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let s = stopped.clone();
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_stop(move || { s.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert_eq!(stopped.load(Ordering::SeqCst), 2);
    /// ```
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.threads.on_stop = Some(Arc::new(f));
        self
    }

    /// Every `ticks` scheduler ticks a worker looks at the global queue before its own
    /// (default 61), so tasks spawned from outside never starve.
    ///
    /// # Panics
    ///
    /// If `ticks` is 0.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().global_queue_interval(31).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(ticks > 0, "{}", crate::error::ZERO_INTERVAL);
        self.global_queue_interval = ticks;
        self
    }

    /// Every `ticks` scheduler ticks a busy worker polls the driver for I/O and timer events
    /// (default 61).
    ///
    /// # Panics
    ///
    /// If `ticks` is 0.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().event_interval(31).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn event_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(ticks > 0, "{}", crate::error::ZERO_INTERVAL);
        self.event_interval = ticks;
        self
    }

    /// Turns off the LIFO slot: a task woken by a worker then goes to the back of that
    /// worker's queue instead of running next.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().disable_lifo_slot().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn disable_lifo_slot(&mut self) -> &mut Self {
        self.lifo_enabled = false;
        self
    }

    /// Starts the runtime with its clock paused (see [`crate::time::pause`]): timers then fire
    /// as soon as the runtime has nothing else to do, in deadline order, without real waiting.
    /// Meant for tests on the current-thread flavor, where it is deterministic; this is what
    /// `#[conductor::test(start_paused = true)]` uses.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = conductor::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = conductor::time::Instant::now();
    ///     conductor::time::sleep(Duration::from_secs(3600)).await; // returns at once
    ///     assert!(start.elapsed() >= Duration::from_secs(3600));
    /// });
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    /// A poll longer than `threshold` counts as blocking its worker (default 100 ms): the
    /// runtime's monitor thread reports it (see [`on_blocking`](Self::on_blocking)) and, unless
    /// [`blocking_handoff(false)`](Self::blocking_handoff), gives the worker's queued tasks to
    /// a replacement thread so they keep running. Multi-thread runtime only; the current-thread
    /// flavor has no second thread to notice with and ignores it.
    ///
    /// # Panics
    ///
    /// If `threshold` is zero.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .blocking_threshold(Duration::from_millis(50))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn blocking_threshold(&mut self, threshold: Duration) -> &mut Self {
        assert!(
            !threshold.is_zero(),
            "Builder::blocking_threshold: the threshold must be greater than zero \
             (use disable_blocking_detection to turn detection off)"
        );
        self.blocking_detection.threshold = Some(threshold);
        self
    }

    /// Turns blocking detection off: no monitor thread is started, nothing is reported or
    /// handed off, and an unattended I/O driver is not rescued.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .disable_blocking_detection()
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn disable_blocking_detection(&mut self) -> &mut Self {
        self.blocking_detection.threshold = None;
        self
    }

    /// Whether a blocked worker's queue and LIFO slot go to a replacement thread (default
    /// `true`). The blocked thread stops being a worker when its poll returns, so no more than
    /// `worker_threads` threads ever run tasks at once. With `false`, blocking is only
    /// reported. Hand-off keeps the runtime serving around a task stuck for good, but dropping
    /// the runtime still waits for that task's thread (use
    /// [`Runtime::shutdown_timeout`](crate::runtime::Runtime::shutdown_timeout) to bound it).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .blocking_handoff(false)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn blocking_handoff(&mut self, enabled: bool) -> &mut Self {
        self.blocking_detection.handoff = enabled;
        self
    }

    /// Calls `hook` with each [`BlockingReport`](crate::runtime::BlockingReport): once from the
    /// monitor thread when a poll passes the threshold, once from the worker when that poll
    /// returns. Without a hook, the first is printed on stderr, at most once every 10 seconds
    /// per spawn location. A panic in the hook is caught and printed. The first report runs on
    /// the monitor thread: a hook that blocks holds up detection, hand-off and driver rescue
    /// for the whole runtime, so keep it short (log, count, or send to a channel).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .on_blocking(|report| eprintln!("slow: {report}"))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn on_blocking<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&crate::runtime::BlockingReport) + Send + Sync + 'static,
    {
        self.blocking_detection.on_blocking = Some(Arc::new(hook));
        self
    }

    /// Futures larger than `bytes` (default 16 KiB) are reported when spawned, once per spawn
    /// location, to [`on_large_future`](Builder::on_large_future) or on stderr. A large future
    /// is copied on every spawn and makes each of its tasks that large; see
    /// [`LargeFutureReport`] for the fix. `usize::MAX` turns the report off.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread()
    ///     .large_future_threshold(64 * 1024)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn large_future_threshold(&mut self, bytes: usize) -> &mut Self {
        self.large_future_threshold = bytes;
        self
    }

    /// Sends large-future reports (see
    /// [`large_future_threshold`](Builder::large_future_threshold)) to `f` instead of stderr.
    /// `f` runs on the spawning thread, inside `spawn`, once per spawn location.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let reports = Arc::new(AtomicUsize::new(0));
    /// let r = reports.clone();
    /// let rt = conductor::runtime::Builder::new_current_thread()
    ///     .large_future_threshold(512)
    ///     .on_large_future(move |report| {
    ///         assert!(report.size() > 512);
    ///         r.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let big = [0u8; 1024];
    /// for _ in 0..3 {
    ///     drop(rt.spawn(async move { big.len() })); // one location: one report
    /// }
    /// assert_eq!(reports.load(Ordering::SeqCst), 1);
    /// ```
    pub fn on_large_future<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&LargeFutureReport) + Send + Sync + 'static,
    {
        self.on_large_future = Some(Arc::new(f));
        self
    }

    /// Builds the runtime and starts its worker threads.
    ///
    /// # Errors
    ///
    /// When a worker thread cannot be started.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(async { 5 }), 5);
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        let worker_threads = match self.flavor {
            Flavor::CurrentThread => 1,
            Flavor::MultiThread => self
                .worker_threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        };
        let config = Config {
            worker_threads,
            global_queue_interval: self.global_queue_interval,
            event_interval: self.event_interval,
            lifo_enabled: self.lifo_enabled,
            max_blocking_threads: self.max_blocking_threads,
            keep_alive: self.keep_alive,
            threads: self.threads.clone(),
            blocking_detection: self.blocking_detection.clone(),
            spawn_table: Arc::new(SpawnTable::new(
                self.large_future_threshold,
                self.on_large_future.clone(),
            )),
        };
        // Start the coarse clock that dates tasks (see `diag::clock`).
        crate::diag::clock::refresh();
        let rt = match self.flavor {
            Flavor::MultiThread => Runtime::new_multi_thread(config)?,
            Flavor::CurrentThread => Runtime::new_current_thread(config)?,
        };
        if self.start_paused {
            let _entered = rt.handle().enter();
            crate::time::pause();
        }
        Ok(rt)
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("lifo_enabled", &self.lifo_enabled)
            .field("start_paused", &self.start_paused)
            .field("blocking_threshold", &self.blocking_detection.threshold)
            .field("blocking_handoff", &self.blocking_detection.handoff)
            .field("large_future_threshold", &self.large_future_threshold)
            .field("on_large_future", &self.on_large_future.is_some())
            .finish()
    }
}

//! What the blocking detector tells the user.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use crate::task::Id;

/// A worker stayed inside one task's `poll` longer than the blocking threshold.
///
/// The runtime's monitor thread sends one report when it notices (with the duration so far,
/// [`is_finished`](Self::is_finished) `false`), and the worker sends a second one when the
/// poll finally returns (with the total, `is_finished` `true`). Both go to the hook set with
/// [`Builder::on_blocking`](crate::runtime::Builder::on_blocking); without a hook the first
/// one is printed on stderr, at most once every 10 seconds per spawn location.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use conductor::runtime::{BlockingReport, Builder};
///
/// let reports = Arc::new(Mutex::new(Vec::new()));
/// let seen = reports.clone();
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .blocking_threshold(Duration::from_millis(20))
///     .on_blocking(move |r: &BlockingReport| {
///         seen.lock().unwrap().push((r.spawn_location().line(), r.is_finished()))
///     })
///     .build()
///     .unwrap();
/// let line = line!() + 1;
/// rt.block_on(rt.spawn(async { std::thread::sleep(Duration::from_millis(150)) })).unwrap();
/// drop(rt);
/// let reports = reports.lock().unwrap();
/// assert!(reports.contains(&(line, false)) && reports.contains(&(line, true)));
/// ```
#[derive(Clone, Debug)]
pub struct BlockingReport {
    pub(crate) task_id: Id,
    pub(crate) location: &'static Location<'static>,
    pub(crate) worker: usize,
    pub(crate) duration: Duration,
    pub(crate) finished: bool,
    pub(crate) handed_off: bool,
    /// The thread is inside `Runtime::block_on`, not a worker.
    pub(crate) block_on_thread: bool,
}

impl BlockingReport {
    /// The id of the task whose `poll` is blocking.
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> u64 {
    /// r.task_id().as_u64()
    /// # }
    /// ```
    pub fn task_id(&self) -> Id {
        self.task_id
    }

    /// Where that task was spawned (`file:line:column` of the `spawn` call).
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> String {
    /// format!("{}:{}", r.spawn_location().file(), r.spawn_location().line())
    /// # }
    /// ```
    pub fn spawn_location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The index of the worker it blocks (as in [`RuntimeMetrics`](crate::runtime::RuntimeMetrics)'s
    /// per-worker counters). Indexes from `num_workers()` up are threads inside
    /// [`Runtime::block_on`](crate::runtime::Runtime::block_on), which run tasks too (they are
    /// reported, not handed off).
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> usize {
    /// r.worker()
    /// # }
    /// ```
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// How long the poll has been running (first report; measured from when the monitor first
    /// saw it, so it may be short by one monitor tick) or ran in total (second report).
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> bool {
    /// r.duration() >= std::time::Duration::from_millis(100)
    /// # }
    /// ```
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// `false` for the report sent while the poll is still running, `true` for the one sent
    /// when it returned.
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> bool {
    /// r.is_finished()
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the blocked thread is one inside
    /// [`Runtime::block_on`](crate::runtime::Runtime::block_on) (which runs tasks too), rather
    /// than a worker; [`worker`](Self::worker) is then `num_workers()` or more.
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> bool {
    /// r.is_block_on_thread()
    /// # }
    /// ```
    pub fn is_block_on_thread(&self) -> bool {
        self.block_on_thread
    }

    /// Whether the worker's queued tasks were handed to a replacement thread, so they kept
    /// running while this poll blocked.
    ///
    /// ```
    /// # #[allow(dead_code)]
    /// # fn f(r: &conductor::runtime::BlockingReport) -> bool {
    /// r.was_handed_off()
    /// # }
    /// ```
    pub fn was_handed_off(&self) -> bool {
        self.handed_off
    }
}

impl fmt::Display for BlockingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.duration.as_secs_f64() * 1e3;
        let thread = if self.block_on_thread {
            "the thread in block_on".to_owned()
        } else {
            format!("worker {}", self.worker)
        };
        if self.finished {
            write!(
                f,
                "task {} (spawned at {}) blocked {thread} for {ms:.0} ms in one poll",
                self.task_id, self.location
            )
        } else {
            write!(
                f,
                "task {} (spawned at {}) has blocked {thread} for {ms:.0} ms without yielding{}; \
                 move blocking calls to spawn_blocking, or yield in long loops",
                self.task_id,
                self.location,
                if self.handed_off {
                    " (its queue went to a replacement worker)"
                } else {
                    ""
                }
            )
        }
    }
}

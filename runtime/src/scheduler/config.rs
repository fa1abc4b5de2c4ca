//! The settings a `Builder` hands to the schedulers and the blocking pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::loom_sync::thread;
use crate::runtime::BlockingReport;

pub(crate) type Callback = Arc<dyn Fn() + Send + Sync + 'static>;

/// The user's blocking-report hook.
pub(crate) type BlockingHook = Arc<dyn Fn(&BlockingReport) + Send + Sync + 'static>;

/// Default blocking threshold: a poll longer than this is reported.
pub(crate) const DEFAULT_BLOCKING_THRESHOLD: Duration = Duration::from_millis(100);

/// The blocking detector's settings (multi-thread runtime).
#[derive(Clone)]
pub(crate) struct BlockingDetection {
    /// `None`: detection disabled, no monitor thread.
    pub(crate) threshold: Option<Duration>,
    /// Hand a blocked worker's queues to a replacement thread.
    pub(crate) handoff: bool,
    pub(crate) on_blocking: Option<BlockingHook>,
}

impl Default for BlockingDetection {
    fn default() -> Self {
        BlockingDetection {
            // Off under the loom cfg: the models build runtimes, and a monitor thread looping
            // on timeouts would make every model's state space explode.
            threshold: if cfg!(conductor_loom) {
                None
            } else {
                Some(DEFAULT_BLOCKING_THRESHOLD)
            },
            handoff: true,
            on_blocking: None,
        }
    }
}

impl BlockingDetection {
    /// How often the monitor looks: often enough to notice a blocked worker within a fraction
    /// of the threshold and an unattended driver within a few milliseconds.
    pub(crate) fn tick(&self) -> Option<Duration> {
        self.threshold
            .map(|t| (t / 8).clamp(Duration::from_millis(1), Duration::from_millis(5)))
    }
}

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) worker_threads: usize,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) lifo_enabled: bool,
    pub(crate) max_blocking_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) threads: ThreadConfig,
    pub(crate) blocking_detection: BlockingDetection,
    /// Spawn notes and the large-future check (one table per runtime).
    pub(crate) spawn_table: Arc<crate::diag::SpawnTable>,
}

/// How runtime threads are made.
#[derive(Clone, Default)]
pub(crate) struct ThreadConfig {
    /// Overrides the default names (`conductor-worker-{n}`, `conductor-blocking-{n}`).
    pub(crate) name: Option<String>,
    pub(crate) stack_size: Option<usize>,
    pub(crate) on_start: Option<Callback>,
    pub(crate) on_stop: Option<Callback>,
}

impl ThreadConfig {
    /// A thread builder (`std`'s; loom's under the loom cfg) for the `n`th thread of `kind` (`"worker"` or `"blocking"`).
    pub(crate) fn builder(&self, kind: &str, n: usize) -> thread::Builder {
        let name = match &self.name {
            Some(name) => name.clone(),
            None => format!("conductor-{kind}-{n}"),
        };
        let mut builder = thread::Builder::new().name(name);
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        builder
    }

    /// Runs `on_start` now and `on_stop` when the returned guard drops (also on unwind).
    ///
    /// A panicking hook is caught and reported on stderr, naming the hook and the thread; the
    /// thread goes on (a worker keeps running tasks, a blocking thread keeps its bookkeeping).
    /// Letting it unwind would kill a worker silently or leave the blocking pool counting a
    /// thread that no longer exists, and shutdown would wait for it forever.
    pub(crate) fn hooks(&self) -> HookGuard {
        if let Some(f) = &self.on_start {
            run_hook("on_thread_start", f);
        }
        HookGuard {
            on_stop: self.on_stop.clone(),
        }
    }
}

/// Runs a user hook, catching and reporting a panic.
fn run_hook(which: &str, f: &Callback) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f())).is_err() {
        let thread = std::thread::current();
        eprintln!(
            "conductor: the {which} hook panicked on thread '{}'; the panic was caught and the \
             thread carries on",
            thread.name().unwrap_or("<unnamed>")
        );
    }
}

pub(crate) struct HookGuard {
    on_stop: Option<Callback>,
}

impl Drop for HookGuard {
    fn drop(&mut self) {
        if let Some(f) = &self.on_stop {
            run_hook("on_thread_stop", f);
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("worker_threads", &self.worker_threads)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("lifo_enabled", &self.lifo_enabled)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("keep_alive", &self.keep_alive)
            .field("thread_name", &self.threads.name)
            .field("thread_stack_size", &self.threads.stack_size)
            .field("blocking_threshold", &self.blocking_detection.threshold)
            .field("blocking_handoff", &self.blocking_detection.handoff)
            .finish()
    }
}

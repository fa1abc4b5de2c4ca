//! The settings a `Builder` hands to the schedulers and the blocking pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::loom_sync::thread;

pub(crate) type Callback = Arc<dyn Fn() + Send + Sync + 'static>;

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) worker_threads: usize,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) lifo_enabled: bool,
    pub(crate) max_blocking_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) threads: ThreadConfig,
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
    pub(crate) fn hooks(&self) -> HookGuard {
        if let Some(f) = &self.on_start {
            f();
        }
        HookGuard {
            on_stop: self.on_stop.clone(),
        }
    }
}

pub(crate) struct HookGuard {
    on_stop: Option<Callback>,
}

impl Drop for HookGuard {
    fn drop(&mut self) {
        if let Some(f) = &self.on_stop {
            f();
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
            .finish()
    }
}

//! The two scheduler flavors behind one `Handle`.

pub(crate) mod config;
pub(crate) mod current_thread;
pub(crate) mod driver;
pub(crate) mod metrics;
pub(crate) mod multi_thread;
pub(crate) mod park;
mod queue;

use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;

use crate::blocking;
use crate::loom_sync::Arc;
use crate::task::{BOX_FUTURE_THRESHOLD, JoinHandle};

/// A reference to a runtime's scheduler; what `runtime::Handle` wraps.
#[derive(Clone)]
pub(crate) enum Handle {
    MultiThread(Arc<multi_thread::Shared>),
    CurrentThread(Arc<current_thread::Shared>),
}

/// This thread's scheduler-local state, set while it runs a worker loop or `block_on`.
#[derive(Clone, Copy)]
pub(crate) enum SchedulerContext {
    MultiWorker(NonNull<multi_thread::WorkerLocal>),
    MultiGuest(NonNull<multi_thread::GuestLocal>),
    CurrentThread(NonNull<current_thread::CoreLocal>),
}

impl Handle {
    #[inline]
    pub(crate) fn spawn_at<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.config().spawn_table.record::<F>(location);
        if std::mem::size_of::<F>() > BOX_FUTURE_THRESHOLD {
            self.spawn_inner::<_, F>(Box::pin(future), location)
        } else {
            self.spawn_inner::<_, F>(future, location)
        }
    }

    /// Spawns `future`, which stands for the user's future `O` (itself, or boxed).
    fn spawn_inner<F, O>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::MultiThread(shared) => {
                multi_thread::Shared::spawn::<F, O>(shared, future, location)
            }
            Handle::CurrentThread(shared) => {
                current_thread::Shared::spawn::<F, O>(shared, future, location)
            }
        }
    }

    pub(crate) fn config(&self) -> &config::Config {
        match self {
            Handle::MultiThread(s) => &s.config,
            Handle::CurrentThread(s) => &s.config,
        }
    }

    /// The worker polling task `id` now, for the task dump (the current-thread flavor has
    /// one, worker 0: the thread in `block_on`).
    pub(crate) fn running_worker(&self, id: crate::task::Id) -> Option<usize> {
        match self {
            Handle::MultiThread(s) => s.running_worker(id),
            Handle::CurrentThread(_) => Some(0),
        }
    }

    pub(crate) fn spawn_blocking_at<F, R>(
        &self,
        f: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.blocking_spawner().spawn(self, f, location)
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::MultiThread(s) => &s.blocking,
            Handle::CurrentThread(s) => &s.blocking,
        }
    }

    #[track_caller]
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self {
            Handle::MultiThread(shared) => multi_thread::block_on(shared, future),
            Handle::CurrentThread(shared) => current_thread::block_on(shared, future),
        }
    }

    /// The driver's handle (I/O and time), entered with the runtime on every thread.
    pub(crate) fn driver(&self) -> &park::DriverUnpark {
        match self {
            Handle::MultiThread(s) => &s.driver_unpark,
            Handle::CurrentThread(s) => &s.driver_unpark,
        }
    }

    pub(crate) fn owned(&self) -> &crate::task::list::OwnedTasks {
        match self {
            Handle::MultiThread(s) => &s.owned,
            Handle::CurrentThread(s) => &s.owned,
        }
    }

    /// Begins shutdown: no new tasks run; workers leave their loops.
    pub(crate) fn shutdown(&self) {
        match self {
            Handle::MultiThread(s) => s.shutdown(),
            Handle::CurrentThread(s) => s.shutdown(),
        }
        self.driver().shutdown();
    }

    /// Threads the scheduler started after the runtime was built (the blocking monitor and
    /// replacement workers), to be joined at shutdown.
    pub(crate) fn take_monitor_thread(&self) -> Option<crate::loom_sync::thread::JoinHandle<()>> {
        match self {
            Handle::MultiThread(s) => s.take_monitor_thread(),
            Handle::CurrentThread(_) => None,
        }
    }

    /// Replacement worker threads; take them after joining the monitor (see above).
    pub(crate) fn take_replacement_threads(&self) -> Vec<crate::loom_sync::thread::JoinHandle<()>> {
        match self {
            Handle::MultiThread(s) => s.take_replacement_threads(),
            Handle::CurrentThread(_) => Vec::new(),
        }
    }

    /// The blocking monitor's counters: (blocking detected, hand-offs, driver rescues).
    pub(crate) fn diagnostic_counts(&self) -> (u64, u64, u64) {
        match self {
            Handle::MultiThread(s) => s.diagnostic_counts(),
            Handle::CurrentThread(_) => (0, 0, 0),
        }
    }

    /// Drops every task, on the calling thread.
    pub(crate) fn shutdown_tasks(&self) {
        match self {
            Handle::MultiThread(s) => s.shutdown_tasks(),
            Handle::CurrentThread(s) => s.shutdown_tasks(),
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handle::MultiThread(s) => s.fmt(f),
            Handle::CurrentThread(_) => f.write_str("CurrentThread"),
        }
    }
}

//! `Handle`: a cheap reference to a runtime, usable from any thread.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;

use super::{RuntimeMetrics, SpawnNotes, TaskDump, context};
use crate::scheduler;
use crate::task::JoinHandle;

/// A reference to a runtime: spawn onto it, block on it from a plain thread, or enter it.
/// `Clone + Send + Sync`; it does not keep the runtime's threads alive.
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let from_thread = std::thread::spawn(move || {
///     let task = handle.spawn(async { 7 });
///     handle.block_on(task).unwrap()
/// });
/// assert_eq!(from_thread.join().unwrap(), 7);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// No runtime is entered on this thread.
///
/// # Examples
///
/// ```
/// let err = conductor::runtime::Handle::try_current().unwrap_err();
/// assert!(err.to_string().contains("no conductor runtime"));
/// ```
#[derive(Debug)]
pub struct TryCurrentError {
    thread_local_destroyed: bool,
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.thread_local_destroyed {
            f.write_str("the thread-local runtime context was destroyed (the thread is exiting)")
        } else {
            f.write_str("no conductor runtime is entered on this thread")
        }
    }
}

impl std::error::Error for TryCurrentError {}

/// Keeps a runtime entered on this thread until dropped; see [`Handle::enter`].
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Runtime::new().unwrap();
/// let _guard: conductor::runtime::EnterGuard<'_> = rt.handle().enter();
/// let h = conductor::spawn(async { 1 });
/// # drop(h);
/// ```
#[must_use = "the runtime is entered only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: context::SetHandleGuard,
    _handle: PhantomData<&'a Handle>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnterGuard")
    }
}

impl Handle {
    /// The handle of the runtime entered on this thread.
    ///
    /// # Panics
    ///
    /// Outside a runtime; see [`Handle::try_current`].
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = conductor::runtime::Handle::current();
    ///     handle.spawn(async {}).await.unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(_) => panic!("{}", crate::error::SPAWN_OUTSIDE_RUNTIME),
        }
    }

    /// The handle of the runtime entered on this thread, or an error.
    ///
    /// ```
    /// assert!(conductor::runtime::Handle::try_current().is_err());
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::with_current_handle(|inner| Handle {
            inner: inner.clone(),
        })
        .map_err(|e| TryCurrentError {
            thread_local_destroyed: matches!(e, context::NoContext::ThreadLocalDestroyed),
        })
    }

    /// Spawns a task onto this runtime, from any thread.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let h = rt.handle().spawn(async { "hi" });
    /// assert_eq!(rt.block_on(h).unwrap(), "hi");
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn_at(future, Location::caller())
    }

    /// Runs `f` on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let h = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(rt.block_on(h).unwrap(), 4);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.spawn_blocking_at(f, Location::caller())
    }

    /// Runs `future` to completion on the calling thread, which must not be a runtime thread
    /// (see [`Runtime::block_on`](crate::runtime::Runtime::block_on)).
    ///
    /// # Panics
    ///
    /// When called from async code.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let out = std::thread::spawn(move || handle.block_on(async { 5 })).join().unwrap();
    /// assert_eq!(out, 5);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.inner.block_on(future)
    }

    /// Enters the runtime on this thread, so `conductor::spawn` and `Handle::current` work,
    /// until the guard is dropped.
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let guard = rt.handle().enter();
    /// let h = conductor::spawn(async { 9 });
    /// drop(guard);
    /// assert_eq!(rt.block_on(h).unwrap(), 9);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_handle(self.inner.clone()),
            _handle: PhantomData,
        }
    }

    /// This runtime's counters.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// assert_eq!(rt.handle().metrics().num_workers(), 2);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.inner.clone())
    }

    /// A snapshot of every live task: id, state, polls, age, future size and spawn location
    /// (see [`TaskDump`]). Safe from any thread, inside a task too; the runtime keeps running,
    /// and a spawn or completion waits at most for one shard of the task list to be read.
    ///
    /// ```
    /// use conductor::runtime::{Handle, TaskState};
    ///
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let me = conductor::spawn(async {
    ///         let dump = Handle::current().dump();
    ///         dump.get(conductor::task::id()).unwrap().state()
    ///     });
    ///     assert!(matches!(me.await.unwrap(), TaskState::Running { .. }));
    /// });
    /// ```
    pub fn dump(&self) -> TaskDump {
        TaskDump::capture(&self.inner)
    }

    /// How many tasks were spawned at each spawn location, and how large their futures are
    /// (see [`SpawnNotes`]).
    ///
    /// ```
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle();
    /// let line = line!(); for _ in 0..4 { drop(handle.spawn(async {})); }
    /// let notes = handle.spawn_notes();
    /// let site = notes.sites().find(|s| s.location().line() == line).unwrap();
    /// assert_eq!(site.spawns(), 4);
    /// ```
    pub fn spawn_notes(&self) -> SpawnNotes {
        self.inner.config().spawn_table.snapshot()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("scheduler", &self.inner)
            .finish()
    }
}

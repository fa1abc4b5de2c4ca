//! Tasks: the unit the schedulers run, and their public handles.
//!
//! # Reference types
//!
//! One heap cell per task (`raw.rs`), reached through:
//!
//! - the owned-task list (`list.rs`): one reference while the task is alive in its runtime;
//! - `Notified`: one reference per queued "run me" (at most one exists, guarded by NOTIFIED);
//! - `JoinHandle` and `AbortHandle`: one reference each;
//! - `Waker`s: one reference each.
//!
//! # State bits
//!
//! `RUNNING | COMPLETE | NOTIFIED | CANCELLED | JOIN_INTEREST | JOIN_WAKER | refcount`; see
//! `state.rs` for each bit and `docs/architecture.md` for the state diagram.
//!
//! # Field access
//!
//! - `stage` (future or output): see `harness.rs`; only the RUNNING thread, then whoever
//!   owns the output after COMPLETE.
//! - `join_waker`: the JoinHandle while JOIN_WAKER is clear, read-only to the runtime while it
//!   is set.
//! - owned-list links: only under the list shard's lock.
//! - `polls`: written by the RUNNING thread only, read (relaxed) by task dumps.
//! - everything else is immutable after spawn.
//!
//! A completed task whose JoinHandle still wants the output stays in the owned list until the
//! handle takes it or is dropped, so a task dump can show it as completed-not-joined.

mod coop;
mod error;
mod harness;
mod id;
mod join;
mod join_set;
pub(crate) mod list;
mod local;
pub(crate) mod raw;
mod state;
mod task_local;
mod waker;
mod yield_now;

use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;

pub use self::coop::consume_budget;
pub(crate) use self::coop::{poll_proceed, with_budget};
pub use self::error::JoinError;
pub use self::id::Id;
pub use self::join::{AbortHandle, JoinHandle};
pub use self::join_set::JoinSet;
pub use self::local::{LocalEnterGuard, LocalJoinHandle, LocalSet, spawn_local};
pub use self::task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use self::yield_now::yield_now;

use self::raw::RawTask;
use crate::runtime::context;

/// What a scheduler provides to its tasks. Implemented by each flavor's shared state (behind
/// an `Arc`, stored in every task cell).
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// A waker made the task runnable. The caller keeps a reference to the task until this
    /// returns, so `self` (which lives in the task cell) stays valid throughout.
    fn schedule(&self, task: Notified<Self>);

    /// The task woke itself during its own poll (`yield_now`, or a spent budget): put it at the
    /// back of the queue.
    fn yield_now(&self, task: Notified<Self>);

    /// The owned-task list the scheduler's tasks are bound to, if any (blocking tasks have
    /// none). A completed task leaves it when its JoinHandle takes the output or is dropped,
    /// or at completion when it has no JoinHandle (see `harness::complete`).
    fn owned(&self) -> Option<&list::OwnedTasks>;
}

/// A "run me" reference to a task, held by a run queue.
pub(crate) struct Notified<S> {
    raw: RawTask,
    _scheduler: PhantomData<fn(S)>,
}

impl<S: Schedule> Notified<S> {
    pub(crate) fn from_raw(raw: RawTask) -> Notified<S> {
        Notified {
            raw,
            _scheduler: PhantomData,
        }
    }

    /// Polls the task (or cancels it, if aborted), consuming this reference.
    /// Gives up the wrapper without dropping its reference; `from_raw` takes it back.
    pub(crate) fn into_raw(self) -> RawTask {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }

    /// The task's header (id, spawn location) for diagnostics.
    pub(crate) fn header(&self) -> &raw::Header {
        self.raw.header()
    }

    pub(crate) fn run(self) {
        let raw = self.raw;
        std::mem::forget(self);
        #[cfg(feature = "tracing")]
        let _span = crate::trace::poll_span(raw.header()).entered();
        raw.poll();
    }

    /// Marks the task cancelled and runs it: the future is dropped, the JoinHandle gets
    /// `Cancelled`. Used for tasks a shut-down pool will never run.
    pub(crate) fn cancel(self) {
        let _ = self.raw.state().transition_to_notified_and_cancel();
        self.run();
    }
}

impl<S> Drop for Notified<S> {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

/// Allocates a task. With `owned`, three references are made (owned list, `Notified`,
/// `JoinHandle`) and the caller must `bind` the first; without, two (blocking tasks, which
/// the blocking pool tracks instead).
pub(crate) fn new_task<F, S>(
    future: F,
    scheduler: S,
    location: &'static Location<'static>,
    owned: bool,
) -> (RawTask, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    new_task_sized::<F, S, F>(future, scheduler, location, owned)
}

/// [`new_task`] for a future `F` that stands for `O` (a `Box` of it, say): the task dump
/// reports `size_of::<O>()`.
pub(crate) fn new_task_sized<F, S, O>(
    future: F,
    scheduler: S,
    location: &'static Location<'static>,
    owned: bool,
) -> (RawTask, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let refs = if owned { 3 } else { 2 };
    let id = Id::next();
    #[cfg(feature = "tracing")]
    crate::trace::spawned(id, location, std::mem::size_of::<O>());
    let raw = RawTask::new::<F, S, O>(future, scheduler, id, location, refs);
    (raw, Notified::from_raw(raw), JoinHandle::new(raw))
}

/// Futures larger than this are boxed once at spawn, so the task cell stays small and the
/// future is not copied again through the spawn path.
pub(crate) const BOX_FUTURE_THRESHOLD: usize = 2048;

/// Spawns a future onto the current runtime; see [`crate::spawn`].
///
/// # Panics
///
/// When called outside a conductor runtime.
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = conductor::task::spawn(async { "hello" });
/// assert_eq!(handle.await.unwrap(), "hello");
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let location = Location::caller();
    match context::with_current_handle(|handle| handle.spawn_at(future, location)) {
        Ok(join) => join,
        Err(_) => panic!("{}", crate::error::SPAWN_OUTSIDE_RUNTIME),
    }
}

/// Runs a blocking closure on the runtime's blocking pool, keeping it off the async workers.
///
/// If the pool has no thread and the OS refuses to start one (out of memory, a thread
/// limit), the closure never runs and the `JoinHandle` resolves to a cancelled `JoinError`;
/// when pool threads exist, the closure waits for one of them instead.
///
/// # Panics
///
/// When called outside a conductor runtime.
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let n = conductor::task::spawn_blocking(|| (1..=10).product::<u64>()).await.unwrap();
/// assert_eq!(n, 3_628_800);
/// # });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let location = Location::caller();
    match context::with_current_handle(|handle| handle.spawn_blocking_at(f, location)) {
        Ok(join) => join,
        Err(_) => panic!("{}", crate::error::SPAWN_OUTSIDE_RUNTIME),
    }
}

/// The id of the task being polled.
///
/// # Panics
///
/// Outside a task; see [`try_id`].
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let h = conductor::spawn(async { conductor::task::id() });
/// let id = h.id();
/// assert_eq!(h.await.unwrap(), id);
/// # });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect(crate::error::TASK_ID_OUTSIDE_TASK)
}

/// The id of the task being polled, or `None` outside a task.
///
/// # Examples
///
/// ```
/// assert!(conductor::task::try_id().is_none());
/// ```
pub fn try_id() -> Option<Id> {
    context::current_task_id()
}

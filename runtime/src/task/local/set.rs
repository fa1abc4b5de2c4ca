//! `LocalSet`: the public face of local tasks.

use std::fmt;
use std::future::{Future, poll_fn};
use std::marker::PhantomData;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};

use super::context::{self, Entered};
use super::join::LocalJoinHandle;
use super::tasks::{Inner, Tick};
use crate::runtime::Runtime;

/// A set of `!Send` tasks that run on the thread that polls the set.
///
/// Spawn tasks with [`LocalSet::spawn_local`], or with [`spawn_local`](crate::task::spawn_local)
/// from code the set is running. They run while the set is polled: by
/// [`run_until`](LocalSet::run_until) (or [`block_on`](LocalSet::block_on)) while a future of
/// yours runs next to them, or by awaiting the set, which completes once all of its tasks have
/// finished. The set polls at most a bounded batch of tasks each time it is polled, and spends
/// the cooperative budget of whatever polls it, so a busy set does not starve its runtime.
///
/// Dropping the set drops the futures of its unfinished tasks, on the dropping thread; their
/// handles then give a cancelled [`JoinError`](crate::task::JoinError).
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use conductor::task::LocalSet;
///
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// let set = LocalSet::new();
/// let counter = Rc::new(RefCell::new(0));
/// for _ in 0..3 {
///     let counter = counter.clone();
///     set.spawn_local(async move { *counter.borrow_mut() += 1 });
/// }
/// rt.block_on(set); // runs until every task has finished
/// assert_eq!(*counter.borrow(), 3);
/// ```
pub struct LocalSet {
    inner: Rc<Inner>,
}

impl LocalSet {
    /// An empty set.
    ///
    /// ```
    /// let set = conductor::task::LocalSet::new();
    /// # drop(set);
    /// ```
    pub fn new() -> LocalSet {
        LocalSet {
            inner: Rc::new(Inner::new()),
        }
    }

    /// Spawns a `!Send` future onto this set. It may be called before the set runs: the task
    /// starts when the set is next polled.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use conductor::task::LocalSet;
    ///
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let set = LocalSet::new();
    /// let name = Rc::new("local");
    /// let handle = set.spawn_local(async move { name.len() });
    /// assert_eq!(set.block_on(&rt, handle).unwrap(), 5);
    /// ```
    pub fn spawn_local<F>(&self, future: F) -> LocalJoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.inner.spawn(future)
    }

    /// Runs `future` and this set's tasks together until `future` completes, and returns its
    /// output. Tasks still unfinished then stay in the set, to run when it is next polled.
    /// Inside `future` and the tasks, [`spawn_local`](crate::task::spawn_local) spawns onto
    /// this set.
    ///
    /// # Panics
    ///
    /// When awaited from inside one of this set's own tasks.
    ///
    /// ```
    /// use conductor::task::{spawn_local, LocalSet};
    ///
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let set = LocalSet::new();
    /// let out = rt.block_on(set.run_until(async {
    ///     let a = spawn_local(async { 1 });
    ///     let b = spawn_local(async { 2 });
    ///     a.await.unwrap() + b.await.unwrap()
    /// }));
    /// assert_eq!(out, 3);
    /// ```
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        poll_fn(|cx| {
            let _entered = context::enter(&self.inner);
            self.inner.register(cx.waker());
            // The tasks first: the tick spends at most `MAX_POLLS_PER_TICK` units of the
            // budget, so `future` always gets some. The other order would starve the tasks of a
            // `future` that spends its whole budget every poll.
            let tick = self.inner.tick(cx);
            if let Poll::Ready(out) = future.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if tick == Tick::MoreWork {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await
    }

    /// Runs `future` and this set's tasks on `rt`, blocking this thread until `future`
    /// completes: `rt.block_on(self.run_until(future))`. Works with both runtime flavors; the
    /// local tasks always run on this thread.
    ///
    /// # Panics
    ///
    /// Like [`Runtime::block_on`], when this thread is already driving async code.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use conductor::task::{spawn_local, LocalSet};
    ///
    /// let rt = conductor::runtime::Runtime::new().unwrap(); // multi-thread
    /// let shared = Rc::new(7);
    /// let out = LocalSet::new().block_on(&rt, async {
    ///     let shared = shared.clone();
    ///     spawn_local(async move { *shared * 6 }).await.unwrap()
    /// });
    /// assert_eq!(out, 42);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Makes this set the current one on this thread until the guard is dropped, so
    /// [`spawn_local`](crate::task::spawn_local) works outside `run_until`. Tasks spawned this
    /// way start when the set runs.
    ///
    /// ```
    /// use conductor::task::{spawn_local, LocalSet};
    ///
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let set = LocalSet::new();
    /// let handle = {
    ///     let _guard = set.enter();
    ///     spawn_local(async { "spawned while entered" })
    /// };
    /// assert_eq!(set.block_on(&rt, handle).unwrap(), "spawned while entered");
    /// ```
    pub fn enter(&self) -> LocalEnterGuard<'_> {
        LocalEnterGuard {
            _entered: context::enter(&self.inner),
            _set: PhantomData,
        }
    }
}

impl Default for LocalSet {
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

/// Awaiting the set runs its tasks until all of them have finished (tasks they spawn
/// included).
///
/// # Panics
///
/// When polled from inside one of its own tasks.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use conductor::task::{spawn_local, LocalSet};
///
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// let done = Rc::new(Cell::new(0));
/// let set = LocalSet::new();
/// let d = done.clone();
/// set.spawn_local(async move {
///     let d2 = d.clone();
///     spawn_local(async move { d2.set(d2.get() + 1) }); // a child counts too
///     d.set(d.get() + 1);
/// });
/// rt.block_on(async { set.await });
/// assert_eq!(done.get(), 2);
/// ```
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _entered = context::enter(&self.inner);
        self.inner.register(cx.waker());
        match self.inner.tick(cx) {
            Tick::MoreWork => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Tick::OutOfBudget => Poll::Pending,
            Tick::Idle if self.inner.is_empty() => Poll::Ready(()),
            Tick::Idle => Poll::Pending,
        }
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        // Entered, so a destructor that calls `spawn_local` gets a cancelled handle from this
        // (closed) set instead of a panic or a task on another set.
        let _entered = context::enter(&self.inner);
        self.inner.shutdown();
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("finished", &self.inner.is_empty())
            .finish_non_exhaustive()
    }
}

/// The guard of [`LocalSet::enter`]: while it lives, the set is the current one on this
/// thread. Dropping it restores the set that was current before.
///
/// # Examples
///
/// ```
/// use conductor::task::LocalSet;
///
/// let set = LocalSet::new();
/// let guard: conductor::task::LocalEnterGuard<'_> = set.enter();
/// let handle = conductor::task::spawn_local(async {});
/// drop(guard);
/// assert!(!handle.is_finished());
/// ```
pub struct LocalEnterGuard<'a> {
    _entered: Entered,
    _set: PhantomData<&'a LocalSet>,
}

impl fmt::Debug for LocalEnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish_non_exhaustive()
    }
}

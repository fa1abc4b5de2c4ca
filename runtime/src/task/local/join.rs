//! `LocalJoinHandle`, and the cell it shares with its task.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::task::{Id, JoinError};

/// What a local task and its join handle share. Both live on the set's thread.
pub(super) struct JoinCell<T> {
    id: Id,
    /// Set by `abort`: the set cancels the task instead of polling it next.
    aborted: Cell<bool>,
    /// The task has its outcome (output, panic or cancellation); later outcomes are ignored.
    finished: Cell<bool>,
    /// The outcome, until the handle takes it.
    output: RefCell<Option<Result<T, JoinError>>>,
    /// Whoever awaits the handle.
    join_waker: RefCell<Option<Waker>>,
    /// The task's own waker, so an abort reaches a task that waits on nothing.
    task_waker: Waker,
}

impl<T> JoinCell<T> {
    pub(super) fn new(id: Id, task_waker: Waker) -> JoinCell<T> {
        JoinCell {
            id,
            aborted: Cell::new(false),
            finished: Cell::new(false),
            output: RefCell::new(None),
            join_waker: RefCell::new(None),
            task_waker,
        }
    }

    /// Records the task's outcome (the first one wins) and wakes the handle's awaiter.
    pub(super) fn complete(&self, outcome: Result<T, JoinError>) {
        if self.finished.replace(true) {
            return;
        }
        *self.output.borrow_mut() = Some(outcome);
        // Taken before waking: the awaiter may poll the handle from inside `wake`.
        let waker = self.join_waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The set's view of a task's cell, without its output type.
pub(super) trait TaskCell {
    /// Whether the handle asked for the task to be cancelled.
    fn is_aborted(&self) -> bool;
    /// The task ends without output: it was cancelled or it panicked.
    fn fail(&self, error: JoinError);
}

impl<T> TaskCell for JoinCell<T> {
    fn is_aborted(&self) -> bool {
        self.aborted.get()
    }

    fn fail(&self, error: JoinError) {
        self.complete(Err(error));
    }
}

/// An owned permission to await the output of a task spawned on a
/// [`LocalSet`](crate::task::LocalSet).
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked, was aborted, or its
/// set was dropped before it finished. Dropping the handle detaches the task: it keeps running
/// and its output is dropped. The handle is `!Send`: await it on the set's thread (from another
/// local task, or from the future given to [`run_until`](crate::task::LocalSet::run_until)).
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use conductor::task::{LocalJoinHandle, LocalSet};
///
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// let set = LocalSet::new();
/// let n = set.block_on(&rt, async {
///     let shared = Rc::new(20);
///     let handle: LocalJoinHandle<i32> = conductor::task::spawn_local(async move { *shared * 2 });
///     handle.await.unwrap() + 2
/// });
/// assert_eq!(n, 42);
/// ```
pub struct LocalJoinHandle<T> {
    cell: Rc<JoinCell<T>>,
}

impl<T> Unpin for LocalJoinHandle<T> {}

impl<T> LocalJoinHandle<T> {
    pub(super) fn new(cell: Rc<JoinCell<T>>) -> LocalJoinHandle<T> {
        LocalJoinHandle { cell }
    }

    /// Asks the task to stop. Unless it has already finished, its future is dropped (without
    /// being polled again) the next time the set runs, or when the set is dropped, and awaiting
    /// the handle gives a cancelled [`JoinError`].
    ///
    /// ```
    /// use conductor::task::LocalSet;
    ///
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let set = LocalSet::new();
    /// set.block_on(&rt, async {
    ///     let handle = conductor::task::spawn_local(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        if !self.cell.finished.get() && !self.cell.aborted.replace(true) {
            self.cell.task_waker.wake_by_ref();
        }
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    ///
    /// ```
    /// use conductor::task::LocalSet;
    ///
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let set = LocalSet::new();
    /// let handle = set.spawn_local(async {});
    /// assert!(!handle.is_finished()); // the set has not run yet
    /// set.block_on(&rt, async {
    ///     while !handle.is_finished() {
    ///         conductor::task::yield_now().await;
    ///     }
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.cell.finished.get()
    }

    /// The task's id; [`task::id`](crate::task::id) returns it inside the task.
    ///
    /// ```
    /// use conductor::task::LocalSet;
    ///
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let set = LocalSet::new();
    /// let handle = set.spawn_local(async { conductor::task::id() });
    /// let id = handle.id();
    /// assert_eq!(set.block_on(&rt, handle).unwrap(), id);
    /// ```
    pub fn id(&self) -> Id {
        self.cell.id
    }
}

impl<T> Future for LocalJoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Awaiting a handle spends budget, like `JoinHandle`: a loop joining finished tasks
        // still yields.
        let coop = std::task::ready!(crate::task::poll_proceed(cx));
        let cell = &self.cell;
        if let Some(outcome) = cell.output.borrow_mut().take() {
            coop.made_progress();
            return Poll::Ready(outcome);
        }
        if cell.finished.get() {
            panic!("{}", crate::error::LOCAL_JOIN_HANDLE_AFTER_COMPLETION);
        }
        let mut slot = cell.join_waker.borrow_mut();
        match &*slot {
            Some(current) if current.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for LocalJoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalJoinHandle")
            .field("id", &self.cell.id)
            .field("finished", &self.cell.finished.get())
            .finish()
    }
}

//! The cooperative budget of conductor: how many operations a task may perform in one poll
//! before the leaf futures it awaits start returning `Pending` (and waking it, so it goes to
//! the back of the run queue). Without it, a task whose channel or socket is always ready
//! would keep its worker forever.
//!
//! This crate is the one piece the scheduler (`conductor`) and the leaf crates
//! (`conductor-reactor`, `conductor-timer`) share, so the leaves can spend the budget without
//! knowing anything of the scheduler. The scheduler sets a fresh budget around each task poll
//! with [`with_budget`]; a leaf calls [`poll_proceed`] before each operation.
//!
//! ```
//! use std::task::{Context, Poll};
//!
//! fn poll_op(cx: &mut Context<'_>, ready: bool) -> Poll<()> {
//!     let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
//!     if ready {
//!         coop.made_progress();
//!         Poll::Ready(())
//!     } else {
//!         Poll::Pending // dropping `coop` gives the unit back
//!     }
//! }
//! # let waker = std::task::Waker::noop();
//! # let mut cx = Context::from_waker(&waker);
//! # assert!(poll_op(&mut cx, true).is_ready());
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

use std::cell::Cell;
use std::task::{Context, Poll};

/// Operations per poll (tokio's figure: big enough to amortise a reschedule, small enough that
/// one task cannot hog a worker for long).
pub const BUDGET_PER_POLL: u8 = 128;

#[cfg(not(conductor_loom))]
thread_local! {
    /// `None` outside a task poll, or inside an unconstrained section.
    static BUDGET: Cell<Option<u8>> = const { Cell::new(None) };
    /// Set when a leaf returned `Pending` because the budget ran out; read and cleared by
    /// `with_budget`, for the scheduler's budget-yield metric.
    static EXHAUSTED: Cell<bool> = const { Cell::new(false) };
}

// Under the loom cfg (the runtime's loom models) threads are loom threads, coroutines on one
// OS thread: a std thread-local would be shared by all of them and outlive each execution.
#[cfg(conductor_loom)]
loom::thread_local! {
    static BUDGET: Cell<Option<u8>> = Cell::new(None);
    static EXHAUSTED: Cell<bool> = Cell::new(false);
}

/// Runs `f` (a task poll) with a fresh budget. Returns its result and whether the budget ran
/// out during it.
///
/// ```
/// let ((), exhausted) = conductor_coop::with_budget(|| ());
/// assert!(!exhausted);
/// ```
pub fn with_budget<R>(f: impl FnOnce() -> R) -> (R, bool) {
    struct Reset(Option<u8>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = BUDGET.try_with(|b| b.set(self.0));
        }
    }
    let prev = BUDGET.with(|b| b.replace(Some(BUDGET_PER_POLL)));
    let _reset = Reset(prev);
    let out = f();
    let exhausted = EXHAUSTED.with(|e| e.replace(false));
    (out, exhausted)
}

/// Spends one unit. When none is left, wakes the task and returns `Pending`. Outside a task
/// poll (no budget set) it always proceeds. The returned guard gives the unit back if the
/// operation turns out not to be ready; call [`RestoreOnPending::made_progress`] when it was.
///
/// ```
/// # let waker = std::task::Waker::noop();
/// # let mut cx = std::task::Context::from_waker(&waker);
/// let ((), _) = conductor_coop::with_budget(|| {
///     for _ in 0..conductor_coop::BUDGET_PER_POLL {
///         let g = conductor_coop::poll_proceed(&mut cx);
///         assert!(g.is_ready());
///         if let std::task::Poll::Ready(g) = g { g.made_progress() }
///     }
///     assert!(conductor_coop::poll_proceed(&mut cx).is_pending());
/// });
/// ```
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let budget = BUDGET.try_with(|b| b.get()).ok().flatten();
    match budget {
        None => Poll::Ready(RestoreOnPending(None)),
        Some(0) => {
            EXHAUSTED.with(|e| e.set(true));
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            BUDGET.with(|b| b.set(Some(n - 1)));
            Poll::Ready(RestoreOnPending(Some(n)))
        }
    }
}

/// Returns the spent unit on drop unless [`made_progress`](Self::made_progress) was called.
///
/// ```
/// # let waker = std::task::Waker::noop();
/// # let mut cx = std::task::Context::from_waker(&waker);
/// if let std::task::Poll::Ready(guard) = conductor_coop::poll_proceed(&mut cx) {
///     guard.made_progress();
/// }
/// ```
#[derive(Debug)]
#[must_use = "dropping the guard gives the budget unit back; call made_progress when ready"]
pub struct RestoreOnPending(Option<u8>);

impl RestoreOnPending {
    /// The operation completed: keep the unit spent.
    pub fn made_progress(mut self) {
        self.0 = None;
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if let Some(n) = self.0 {
            let _ = BUDGET.try_with(|b| b.set(Some(n)));
        }
    }
}

//! The cooperative budget: how many operations a task may perform in one poll before the
//! leaf futures it awaits start returning `Pending` (and waking it, so it goes to the back of
//! the run queue). Without it, a task whose channel or socket is always ready would keep its
//! worker forever.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::sync::thread_local;

/// Operations per poll (tokio's figure: big enough to amortise a reschedule, small enough that
/// one task cannot hog a worker for long).
pub(crate) const BUDGET_PER_POLL: u8 = 128;

thread_local! {
    /// `None` outside a task poll, or inside an unconstrained section.
    static BUDGET: Cell<Option<u8>> = const { Cell::new(None) };
    /// Set when a leaf returned `Pending` because the budget ran out; the worker reads and
    /// clears it after the poll, for `worker_budget_yield_count`.
    static EXHAUSTED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (a task poll) with a fresh budget. Returns its result and whether the budget ran
/// out during it.
pub(crate) fn with_budget<R>(f: impl FnOnce() -> R) -> (R, bool) {
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

/// Spends one unit. When none is left, wakes the task and returns `Pending`.
/// The returned guard gives the unit back if the operation turns out not to be ready.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
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

/// Returns the spent unit on drop unless `made_progress` was called.
pub(crate) struct RestoreOnPending(Option<u8>);

impl RestoreOnPending {
    pub(crate) fn made_progress(mut self) {
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

/// Spends one unit of the current task's cooperative budget, yielding to the scheduler first
/// if it is spent. Call it in long loops that never await anything that is not ready.
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let mut sum = 0u64;
/// for i in 0..10_000u64 {
///     sum += i;
///     conductor::task::consume_budget().await;
/// }
/// assert_eq!(sum, 49_995_000);
/// # });
/// ```
pub async fn consume_budget() {
    ConsumeBudget.await
}

struct ConsumeBudget;

impl Future for ConsumeBudget {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let restore = std::task::ready!(poll_proceed(cx));
        restore.made_progress();
        Poll::Ready(())
    }
}

//! The cooperative budget, from `conductor-coop` (shared with the reactor and timer crates),
//! and its public face, `consume_budget`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub(crate) use conductor_coop::{poll_proceed, with_budget};

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

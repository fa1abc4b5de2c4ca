//! `yield_now`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives the worker back to the scheduler once: the task goes to the back of the run queue,
/// so every other runnable task on this worker runs before it resumes.
///
/// # Examples
///
/// ```
/// # conductor::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::sync::{Arc, Mutex};
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let l = log.clone();
/// let peer = conductor::spawn(async move { l.lock().unwrap().push("peer") });
/// conductor::task::yield_now().await;
/// log.lock().unwrap().push("after yield");
/// peer.await.unwrap();
/// assert_eq!(*log.lock().unwrap(), ["peer", "after yield"]);
/// # });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // A wake during the task's own poll is treated as a yield by the harness: the task is
        // rescheduled at the back of the queue, not in the LIFO slot.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

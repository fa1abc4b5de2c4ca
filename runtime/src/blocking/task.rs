//! The future and the scheduler of a blocking task.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::task::{Notified, Schedule};

/// Runs the closure when polled. Never returns `Pending`.
pub(super) struct BlockingTask<F>(Option<F>);

impl<F> BlockingTask<F> {
    pub(super) fn new(f: F) -> BlockingTask<F> {
        BlockingTask(Some(f))
    }
}

// The closure is never pinned: it is moved out and called.
impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self
            .0
            .take()
            .expect("a blocking task is polled exactly once");
        Poll::Ready(f())
    }
}

/// Blocking tasks are queued by the pool directly and never woken: their future completes on
/// the first poll. An abort of a queued one sets CANCELLED (the task is already NOTIFIED), so
/// `schedule` is never asked to queue it again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified<Self>) {
        // Unreachable by the argument above; running it is the safe answer if it ever is.
        task.run();
    }

    fn yield_now(&self, task: Notified<Self>) {
        task.run();
    }

    fn owned(&self) -> Option<&crate::task::list::OwnedTasks> {
        None
    }
}

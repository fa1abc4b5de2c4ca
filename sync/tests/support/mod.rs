//! Helpers shared by the sync tests: runtimes, a bound on every async test, hand polling.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Every test body finishes within this, or fails (never hangs).
pub const LIMIT: Duration = Duration::from_secs(20);

/// A 2-worker conductor runtime running `fut`, failing if it takes longer than [`LIMIT`].
pub fn multi_thread<F>(fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = conductor::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async move {
        conductor::time::timeout(LIMIT, fut)
            .await
            .expect("test body timed out")
    })
}

/// A current-thread conductor runtime running `fut` under [`LIMIT`].
pub fn current_thread<F: Future>(fut: F) -> F::Output {
    let rt = conductor::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move {
        conductor::time::timeout(LIMIT, fut)
            .await
            .expect("test body timed out")
    })
}

/// A waker that counts its wakes.
#[derive(Default)]
pub struct CountingWaker(AtomicUsize);

impl CountingWaker {
    pub fn new() -> (Arc<Self>, Waker) {
        let w = Arc::new(Self::default());
        (w.clone(), Waker::from(w))
    }

    pub fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls a pinned future once with `waker`.
pub fn poll<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

//! A minimal executor with a timer driver, for this crate's doc examples and tests (the
//! runtime cannot be a dependency of the timer). Not API.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use crate::Driver;

struct Unpark {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Runs `future` on this thread with a fresh timer entered, parking the thread until the
/// next deadline between polls.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let unpark = Arc::new(Unpark {
        thread: thread::current(),
        woken: AtomicBool::new(true),
    });
    let waker = Waker::from(unpark.clone());
    let (mut driver, handle) = Driver::new(waker.clone());
    let _guard = handle.enter();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if unpark.woken.swap(false, Ordering::Acquire) {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
        if !unpark.woken.load(Ordering::Acquire) {
            match driver.park_timeout(None) {
                Some(t) => thread::park_timeout(t),
                None => thread::park(),
            }
        }
        driver.process();
    }
}

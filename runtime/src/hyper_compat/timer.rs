//! [`HyperTimer`]: hyper's `Timer` on conductor's timer wheel.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant as StdInstant};

use crate::time::{Instant, Sleep};

/// hyper's timers (`hyper::rt::Timer`) on conductor's [`Sleep`], so hyper's timeouts follow
/// paused time in tests and `reset` reuses the timer entry instead of allocating a new one.
///
/// Its sleeps must be created on a runtime (hyper creates them while it polls the
/// connection, so inside a task).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use conductor::hyper_compat::HyperTimer;
/// use hyper::rt::Timer;
///
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let timer = HyperTimer::new();
/// let start = timer.now();
/// timer.sleep(Duration::from_millis(2)).await;
/// assert!(timer.now() - start >= Duration::from_millis(2));
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct HyperTimer {
    _private: (),
}

impl HyperTimer {
    /// The timer.
    ///
    /// # Examples
    ///
    /// ```
    /// let _timer = conductor::hyper_compat::HyperTimer::new();
    /// ```
    pub fn new() -> HyperTimer {
        HyperTimer { _private: () }
    }
}

/// A conductor [`Sleep`] that hyper can hold as a `dyn hyper::rt::Sleep`.
#[derive(Debug)]
struct HyperSleep {
    inner: Sleep,
}

impl HyperSleep {
    fn inner(self: Pin<&mut Self>) -> Pin<&mut Sleep> {
        // SAFETY: `inner` is structurally pinned: `HyperSleep` is `!Unpin` through it, never
        // moves it out, and has no `Drop` of its own.
        unsafe { self.map_unchecked_mut(|s| &mut s.inner) }
    }
}

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner().poll(cx)
    }
}

impl hyper::rt::Sleep for HyperSleep {}

impl hyper::rt::Timer for HyperTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            inner: crate::time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: StdInstant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            inner: crate::time::sleep_until(Instant::from_std(deadline)),
        })
    }

    fn now(&self) -> StdInstant {
        // The runtime's clock, which may be paused, so deadlines hyper computes agree with
        // the sleeps above.
        Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: StdInstant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(ours) => ours.inner().reset(Instant::from_std(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

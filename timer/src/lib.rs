//! The timer of conductor: a hierarchical timing wheel, and the [`sleep`], [`timeout`] and
//! [`interval`] futures built on it. The runtime re-exports the user-facing part as
//! `conductor::time`.
//!
//! ```
//! # use conductor_timer as time;
//! # time::__doc::block_on(async {
//! use std::time::Duration;
//!
//! time::sleep(Duration::from_millis(1)).await;
//! let res = time::timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
//! assert!(res.is_err());
//! # });
//! ```
//!
//! # Design
//!
//! - `wheel/`: a plain data structure (6 levels x 64 slots of 1 ms, intrusive lists, a
//!   64-bit occupancy mask per level) with its own clock input; insert, cancel and fire are
//!   O(1). Each entry keeps its exact deadline, so nothing fires early and the driver parks
//!   until the exact earliest deadline.
//! - `entry.rs`: the entry stored inside each [`Sleep`] (no allocation per timer), its state
//!   word and the rules that make the wheel's raw pointers safe.
//! - [`Driver`] (`park_timeout`, `process`) and [`Handle`] (what `Sleep` registers with, one
//!   `parking_lot` mutex around the wheel). The crate knows nothing of the runtime: it stores
//!   and fires `Waker`s, and wakes the runtime's driver through a `Waker` it is given.
//! - Paused time ([`pause`], [`advance`], [`resume`]) for tests.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

mod clock;
mod driver;
mod entry;
mod error;
mod handle;
mod instant;
mod interval;
mod monotonic;
mod sleep;
mod sync;
mod timeout;
mod wheel;

#[cfg(not(conductor_loom))]
#[doc(hidden)]
pub mod __doc;

use std::time::Duration;

pub use driver::Driver;
pub use error::Elapsed;
pub use handle::{EnterGuard, Handle};
pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Timeout, timeout, timeout_at};

/// Pauses time on the current runtime: [`Instant::now`] stops, and when the runtime is idle
/// with timers pending, the clock jumps to the earliest deadline (auto-advance), so a test
/// with `sleep(Duration::from_secs(3600))` finishes at once. Meant for tests on the
/// current-thread flavor (`#[conductor::test(start_paused = true)]` calls it first).
///
/// Auto-advance happens when the thread holding the driver parks with nothing to do; on the
/// multi-thread flavor that can be while other workers or blocking tasks are still busy, so
/// use paused time there only for simple cases.
///
/// # Panics
///
/// Outside a runtime, or when time is already paused.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
/// use conductor_timer::{Instant, pause, sleep};
///
/// pause();
/// let start = Instant::now();
/// sleep(Duration::from_secs(3600)).await; // auto-advanced: returns at once
/// assert!(start.elapsed() >= Duration::from_secs(3600));
/// # });
/// ```
#[track_caller]
pub fn pause() {
    let handle = Handle::current();
    assert!(handle.inner.clock.pause(), "{}", error::ALREADY_PAUSED);
}

/// Lets paused time run again, from where it stands (it never goes back).
///
/// # Panics
///
/// Outside a runtime, or when time is not paused.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// conductor_timer::pause();
/// conductor_timer::resume();
/// # });
/// ```
#[track_caller]
pub fn resume() {
    let handle = Handle::current();
    assert!(handle.inner.clock.resume(), "{}", error::NOT_PAUSED);
}

/// Moves paused time forward by `duration`, fires the timers that became due, and yields
/// once so their tasks can run.
///
/// # Panics
///
/// Outside a runtime, or when time is not paused.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
/// use conductor_timer::{Instant, advance, pause};
///
/// pause();
/// let start = Instant::now();
/// advance(Duration::from_secs(5)).await;
/// assert_eq!(Instant::now() - start, Duration::from_secs(5));
/// # });
/// ```
#[track_caller]
pub fn advance(duration: Duration) -> impl std::future::Future<Output = ()> + Send + 'static {
    let handle = Handle::current();
    assert!(handle.inner.clock.is_paused(), "{}", error::NOT_PAUSED);
    handle.inner.clock.advance(duration);
    let now = handle.inner.clock.now();
    driver::process(&handle.inner, now, false);
    YieldOnce(false)
}

/// Returns `Pending` once (waking itself), then `Ready`.
#[derive(Debug)]
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests;

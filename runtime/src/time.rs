//! Time: [`sleep`], [`timeout`], [`interval`], and paused time for tests.
//!
//! Timers live in a hierarchical timing wheel (the `conductor-timer` crate; see "The timer"
//! in `docs/architecture.md`) driven by the runtime's driver: before a worker parks it asks
//! for the next deadline, after it wakes it fires what expired, and a busy worker fires due
//! timers every `event_interval` ticks. Each timer keeps its exact deadline, so it fires as
//! close after it as the OS wakes the thread, never before.
//!
//! ```
//! use std::time::Duration;
//! use conductor::time::{self, Instant};
//!
//! conductor::runtime::Runtime::new().unwrap().block_on(async {
//!     let start = Instant::now();
//!     time::sleep(Duration::from_millis(5)).await;
//!     assert!(start.elapsed() >= Duration::from_millis(5));
//!
//!     let slow = time::timeout(Duration::from_millis(5), std::future::pending::<()>());
//!     assert!(slow.await.is_err());
//! });
//! ```
//!
//! # Paused time
//!
//! [`pause`] freezes [`Instant::now`] for the runtime; while paused, a runtime with nothing
//! to do jumps the clock to the next timer deadline, and [`advance`] moves it by hand. Use it
//! on the current-thread flavor (`#[conductor::test(start_paused = true)]` pauses before the
//! test body runs):
//!
//! ```
//! use std::time::Duration;
//! use conductor::time::{self, Instant};
//!
//! let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
//! rt.block_on(async {
//!     time::pause();
//!     let start = Instant::now();
//!     time::sleep(Duration::from_secs(24 * 3600)).await; // returns at once
//!     assert!(start.elapsed() >= Duration::from_secs(24 * 3600));
//! });
//! ```

pub use conductor_timer::{
    Elapsed, Instant, Interval, MissedTickBehavior, Sleep, Timeout, advance, interval, interval_at,
    pause, resume, sleep, sleep_until, timeout, timeout_at,
};

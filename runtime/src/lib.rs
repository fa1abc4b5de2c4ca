//! conductor: a work-stealing, multi-threaded async runtime.
//!
//! A [`Runtime`](runtime::Runtime) runs tasks, futures spawned with [`spawn`], on a pool of
//! worker threads that steal work from each other (or on one thread, with the current-thread
//! flavor), and runs blocking closures on a separate pool
//! ([`task::spawn_blocking`]). Tasks are one allocation each; waking one never allocates.
//! See `docs/architecture.md` for the design.
//!
//! ```
//! use conductor::runtime::Runtime;
//! use conductor::task::JoinSet;
//!
//! let rt = Runtime::new().unwrap();
//! let total = rt.block_on(async {
//!     let mut set = JoinSet::new();
//!     for i in 0..100u64 {
//!         set.spawn(async move { i });
//!     }
//!     let blocking = conductor::task::spawn_blocking(|| 1000u64);
//!     let mut sum = blocking.await.unwrap();
//!     while let Some(res) = set.join_next().await {
//!         sum += res.unwrap();
//!     }
//!     sum
//! });
//! assert_eq!(total, 1000 + 4950);
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

#[cfg(conductor_loom)]
#[doc(hidden)]
pub mod __loom;
mod blocking;
mod error;
pub mod runtime;
mod scheduler;
mod sync;
pub mod task;

use std::future::Future;

use task::JoinHandle;

/// Spawns a future as a new task on the current runtime and returns its [`JoinHandle`].
///
/// The task starts running in the background at once; awaiting the handle gives its output.
/// The spawn location is recorded for diagnostics.
///
/// # Panics
///
/// When called outside a conductor runtime (outside a task, `block_on` or `Handle::enter`).
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = conductor::spawn(async { 40 + 2 });
/// assert_eq!(handle.await.unwrap(), 42);
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    task::spawn(future)
}

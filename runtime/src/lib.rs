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
mod diag;
mod error;
pub mod fs;
#[cfg(feature = "hyper")]
pub mod hyper_compat;
pub mod runtime;
pub use conductor_reactor::net;
pub use conductor_reactor::signal;
mod loom_sync;
mod scheduler;
/// Async synchronization primitives: channels (`oneshot`, `mpsc`, `broadcast`, `watch`),
/// `Mutex`, `RwLock`, `Semaphore`, `Notify`, `Barrier` and `OnceCell`. They work on any
/// executor and spend conductor's cooperative budget when a conductor task awaits them.
pub use conductor_sync as sync;
pub mod task;
pub mod time;
#[cfg(feature = "tracing")]
mod trace;

/// Async I/O: the `futures-io` traits the socket types implement, the extension traits that
/// give them `read`, `write_all` and friends, and [`PollEvented`](io::PollEvented) to register
/// any `mio` source with the runtime's reactor.
///
/// ```
/// use conductor::io::{AsyncReadExt, AsyncWriteExt};
/// use conductor::net::UnixStream;
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub mod io {
    pub use conductor_reactor::{Interest, PollEvented, Ready};
    pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
    pub use futures_util::io::{
        AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter, ReadHalf,
        WriteHalf, copy, empty, repeat, sink,
    };
}

use std::future::Future;

use task::JoinHandle;

/// Runs an `async fn main` (or any `async fn`) on a new multi-thread runtime.
///
/// `#[conductor::main]` builds the runtime with [`Builder`](runtime::Builder), runs the body in
/// [`block_on`](runtime::Runtime::block_on) and returns its value; arguments such as
/// `flavor = "current_thread"` or `worker_threads = 4` configure the runtime. The reference
/// follows.
///
/// ```
/// #[conductor::main(worker_threads = 2)]
/// async fn main() {
///     let workers = conductor::runtime::Handle::current().metrics().num_workers();
///     assert_eq!(conductor::spawn(async move { workers }).await.unwrap(), 2);
/// }
/// ```
pub use conductor_macros::main;

/// Runs an `async fn` test on a new current-thread runtime, one per test.
///
/// `#[conductor::test]` adds `#[test]`, so `#[should_panic]` and `#[ignore]` work beside it,
/// and takes the same arguments as [`macro@main`]. The reference follows.
///
/// ```
/// #[conductor::test]
/// async fn joins() {
///     assert_eq!(conductor::spawn(async { 1 }).await.unwrap(), 1);
/// }
/// # fn main() {}
/// ```
pub use conductor_macros::test;

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

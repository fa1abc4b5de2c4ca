//! Async synchronization primitives: the channels and locks tasks coordinate with.
//!
//! Re-exported as `conductor::sync`. The implementations are runtime-agnostic (any executor can
//! poll them: they only store and wake `Waker`s) but spend conductor's cooperative budget when a
//! conductor task polls them, so a task whose channel is always ready still yields its worker.
//! Every waiting future is cancel-safe as documented on it: dropping a `recv`, `acquire` or
//! `lock` future loses no message and no permit.
//!
//! The lock family:
//!
//! - [`Semaphore`]: fair (FIFO) counting semaphore; the base of the locks below. Acquire and
//!   release with no one waiting are one atomic operation each.
//! - [`Mutex`]: a one-permit semaphore around the data; owned and mapped guards.
//! - [`RwLock`]: readers take one permit, a writer all of them; FIFO makes it
//!   writer-preferring without starving readers.
//! - [`Notify`]: `notify_one` (one stored permit) and `notify_waiters`.
//! - [`Barrier`]: groups of `n` tasks, one leader per group.
//! - [`OnceCell`]: async one-time initialization; a cancelled initializer hands over.
//!
//! All waiting futures queue on one kind of FIFO wait-list (a slab-backed linked list behind a
//! mutex: safe code, O(1) cancellation, no allocation per wait once warmed up).
//!
//! ```
//! use std::sync::Arc;
//! use conductor_sync::{Mutex, Semaphore};
//!
//! # futures::executor::block_on(async {
//! let limit = Arc::new(Semaphore::new(2));
//! let total = Arc::new(Mutex::new(0));
//! let _permit = limit.acquire().await.unwrap();
//! *total.lock().await += 1;
//! assert_eq!(*total.lock().await, 1);
//! # });
//! ```
//!
//! Channels:
//!
//! - [`oneshot`]: one value from one sender to one receiver.
//! - [`mpsc`]: many senders, one receiver, bounded (with backpressure) or unbounded.
//! - [`broadcast`]: many senders, many receivers, each receiver sees every value.
//! - [`watch`]: one sender, many receivers, each sees the latest value.
//!
//! ```
//! # futures::executor::block_on(async {
//! let (tx, mut rx) = conductor_sync::mpsc::channel(8);
//! tx.send("hello").await.unwrap();
//! assert_eq!(rx.recv().await, Some("hello"));
//! # });
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

mod block_on;
mod loom_facade;
mod wait_list;
mod wake_list;

mod barrier;
mod batch_semaphore;
mod error;
mod mutex;
mod notify;
mod once_cell;
mod rwlock;
mod semaphore;

pub use barrier::{Barrier, BarrierWaitResult};
pub use error::{AcquireError, SetError, TryAcquireError, TryLockError};
pub use mutex::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard};
pub use notify::{Notified, Notify};
pub use once_cell::OnceCell;
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
mod waiters;

pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

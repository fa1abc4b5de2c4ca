//! Async synchronization primitives: the channels and locks tasks coordinate with.
//!
//! Re-exported as `conductor::sync`. The implementations are runtime-agnostic (any executor can
//! poll them: they only store and wake `Waker`s) but spend conductor's cooperative budget when a
//! conductor task polls them, so a task whose channel is always ready still yields its worker.
//! Every waiting future is cancel-safe as documented on it: dropping a `recv`, `acquire` or
//! `lock` future loses no message and no permit.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

mod loom_facade;
mod wait_list;
mod wake_list;

mod barrier;
mod batch_semaphore;
mod block_on;
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

//! The one place this crate gets its thread-visible primitives from: `std`/`parking_lot` in a
//! normal build, loom's under `--cfg conductor_loom`, so the models in `loom-tests/` explore
//! every interleaving of the wait-list protocols. Nothing else in this crate names `std::sync`
//! or `parking_lot` directly, with two exceptions that take part in no protocol: the
//! `std::sync::Arc` of the public API (`lock_owned(self: Arc<Self>)`, owned permits and
//! guards) and the thread-parking waker of `block_on.rs` (`blocking_lock`).

#![allow(unused_imports, dead_code)]

#[cfg(not(conductor_loom))]
mod imp {
    pub(crate) use parking_lot::{Mutex, MutexGuard};
    pub(crate) use std::sync::Arc;
    pub(crate) use std::sync::OnceLock;
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
}

#[cfg(conductor_loom)]
mod imp {
    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
    // loom has no OnceLock; `OnceCell` keeps std's (its protocol is the semaphore's, which
    // the models do cover).
    pub(crate) use std::sync::OnceLock;

    /// loom's mutex behind `parking_lot`'s API (no poisoning).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap()
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock().ok()
        }
    }
}

pub(crate) use imp::*;

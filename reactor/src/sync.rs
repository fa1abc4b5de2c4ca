//! The one place the reactor gets the primitives that the loom models replace.
//!
//! In a normal build these are `std`'s atomics and `Arc` and `parking_lot`'s `Mutex`. Under
//! `--cfg conductor_loom` they are loom's, so the readiness model in `loom-tests/` explores
//! every interleaving of [`ScheduledIo`](crate::scheduled_io::ScheduledIo)'s protocol. mio
//! itself never runs under loom: the runtime swaps the whole I/O driver for a condvar there.

#[cfg(not(conductor_loom))]
mod imp {
    pub(crate) use parking_lot::Mutex;
    pub(crate) use std::sync::Arc;
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
}

#[cfg(conductor_loom)]
mod imp {
    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// loom's mutex with `parking_lot`'s API (no poisoning), so call sites read the same.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap()
        }
    }
}

pub(crate) use imp::*;

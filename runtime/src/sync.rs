//! The one place the runtime gets its synchronization primitives from.
//!
//! In a normal build these are `std`'s atomics and `Arc`, and `parking_lot`'s `Mutex` and
//! `Condvar`. Under `--cfg conductor_loom` they are loom's, so the loom models in
//! `loom-tests/` explore every interleaving of the protocols written on top of them. Code in
//! this crate must not name `std::sync` or `parking_lot` directly for anything that another
//! thread can observe.

#[cfg(not(conductor_loom))]
mod imp {
    pub(crate) use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
    pub(crate) use std::sync::Arc;

    pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard};

    /// An `UnsafeCell` with loom's closure-based access API, so call sites read the same under
    /// both cfgs.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }

    /// Waits on `condvar` for at most `timeout`; returns `true` when it timed out.
    pub(crate) fn wait_timeout<T>(
        condvar: &Condvar,
        guard: &mut MutexGuard<'_, T>,
        timeout: std::time::Duration,
    ) -> bool {
        condvar.wait_for(guard, timeout).timed_out()
    }

    pub(crate) fn wait<T>(condvar: &Condvar, guard: &mut MutexGuard<'_, T>) {
        condvar.wait(guard)
    }

    pub(crate) fn spin_loop() {
        std::hint::spin_loop()
    }
}

#[cfg(conductor_loom)]
mod imp {
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
    pub(crate) use loom::sync::Arc;

    /// loom's mutex behind `parking_lot`'s API (no poisoning, guard returned directly).
    #[derive(Debug)]
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

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    #[derive(Debug, Default)]
    pub(crate) struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }
        pub(crate) fn notify_one(&self) -> bool {
            self.0.notify_one();
            true
        }
        pub(crate) fn notify_all(&self) -> usize {
            self.0.notify_all();
            0
        }
    }

    /// loom has no timed wait; a timed wait is modelled as a wait that may also return
    /// spuriously, which loom explores as a timeout.
    pub(crate) fn wait_timeout<T>(
        condvar: &Condvar,
        guard: &mut MutexGuard<'_, T>,
        _timeout: std::time::Duration,
    ) -> bool {
        // loom's Condvar consumes the guard; swap a fresh one in.
        replace_guard(guard, |g| condvar.0.wait(g).unwrap());
        false
    }

    pub(crate) fn wait<T>(condvar: &Condvar, guard: &mut MutexGuard<'_, T>) {
        replace_guard(guard, |g| condvar.0.wait(g).unwrap());
    }

    fn replace_guard<'a, T>(
        slot: &mut MutexGuard<'a, T>,
        f: impl FnOnce(MutexGuard<'a, T>) -> MutexGuard<'a, T>,
    ) {
        // SAFETY: `slot` is read out and written back before anything can observe it; `f`
        // does not unwind under loom (a panic aborts the model).
        unsafe {
            let guard = std::ptr::read(slot);
            std::ptr::write(slot, f(guard));
        }
    }

    pub(crate) fn spin_loop() {
        loom::thread::yield_now()
    }
}

pub(crate) use imp::*;

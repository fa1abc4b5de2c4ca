//! The one place the runtime gets its synchronization primitives from.
//!
//! In a normal build these are `std`'s atomics, `Arc`, threads and `thread_local!`, and
//! `parking_lot`'s `Mutex` and `Condvar`. Under `--cfg conductor_loom` they are loom's, so the
//! loom models in `loom-tests/` explore every interleaving of the protocols written on top of
//! them. Code in this crate must not name `std::sync`, `std::thread` or `parking_lot` directly
//! for anything that another thread can observe, nor declare a `thread_local!` other than this
//! one (`crate::loom_sync::thread_local`) when the value is per thread of the runtime.

#[cfg(not(conductor_loom))]
mod imp {
    pub(crate) use std::sync::Arc;
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};

    pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard};
    pub(crate) use std::thread_local;

    /// Runtime threads (workers, blocking threads): `std`'s.
    pub(crate) mod thread {
        pub(crate) use std::thread::{Builder, JoinHandle, current};
    }

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
    use std::ops::{Deref, DerefMut};

    pub(crate) use crate::loom_thread_local as thread_local;
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::sync::atomic::{Ordering, fence};

    pub(crate) use self::atomic::{AtomicBool, AtomicU64, AtomicUsize};

    /// loom's atomics, with one change: `store` is a `swap`. loom lets a plain store fall
    /// between the read and the write of a concurrent read-modify-write on the same atomic
    /// (loom issues 254 and 389), so a flag set with `store(true)` can be lost to another
    /// thread's `swap(false)` that read it as `false` first, and models report wake-ups lost
    /// that cannot be. A swap is itself a read-modify-write, which loom orders correctly. The
    /// swap carries only the store's release half (a `SeqCst` store becomes a `Release` swap,
    /// which is what loom makes of a `SeqCst` store anyway), so it adds no synchronization
    /// and hides no missing one.
    mod atomic {
        use loom::sync::atomic::Ordering::{self, AcqRel, Acquire, Relaxed, Release, SeqCst};

        fn store_half(order: Ordering) -> Ordering {
            match order {
                Relaxed => Relaxed,
                Release | SeqCst => Release,
                Acquire | AcqRel => panic!("there is no acquire store"),
                _ => order,
            }
        }

        macro_rules! atomic {
            ($name:ident, $t:ty, $($extra:ident),*) => {
                #[derive(Debug, Default)]
                pub(crate) struct $name(loom::sync::atomic::$name);

                #[allow(dead_code)] // the whole std surface, used or not
                impl $name {
                    pub(crate) fn new(v: $t) -> Self {
                        Self(loom::sync::atomic::$name::new(v))
                    }
                    pub(crate) fn load(&self, order: Ordering) -> $t {
                        self.0.load(order)
                    }
                    pub(crate) fn store(&self, v: $t, order: Ordering) {
                        self.0.swap(v, store_half(order));
                    }
                    pub(crate) fn swap(&self, v: $t, order: Ordering) -> $t {
                        self.0.swap(v, order)
                    }
                    pub(crate) fn compare_exchange(
                        &self,
                        current: $t,
                        new: $t,
                        success: Ordering,
                        failure: Ordering,
                    ) -> Result<$t, $t> {
                        self.0.compare_exchange(current, new, success, failure)
                    }
                    pub(crate) fn compare_exchange_weak(
                        &self,
                        current: $t,
                        new: $t,
                        success: Ordering,
                        failure: Ordering,
                    ) -> Result<$t, $t> {
                        self.0.compare_exchange_weak(current, new, success, failure)
                    }
                    $(
                        pub(crate) fn $extra(&self, v: $t, order: Ordering) -> $t {
                            self.0.$extra(v, order)
                        }
                    )*
                }
            };
        }

        atomic!(AtomicBool, bool, fetch_and, fetch_or, fetch_xor);
        atomic!(
            AtomicUsize,
            usize,
            fetch_add,
            fetch_sub,
            fetch_and,
            fetch_or,
            fetch_xor
        );
        atomic!(
            AtomicU64, u64, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor
        );
    }

    /// loom's mutex behind `parking_lot`'s API (no poisoning, guard returned directly).
    ///
    /// `try_lock` does not use loom's: loom marks a thread that is about to `try_lock` a mutex
    /// as blocked when another thread takes it, so a worker trying the driver while another
    /// sleeps in it would be reported as a deadlock (loom issue 376). Here try-lockers exclude
    /// each other through `try_held` and only the winner touches the loom mutex. Among
    /// try-lockers that is exact. A try-lock that meets a `lock()` holder waits for it instead
    /// of failing, as if it had come just after; that is sound here because no `lock()` holder
    /// of a try-locked mutex blocks while holding it (the driver is only try-locked; a guest
    /// queue slot is try-locked to borrow it and locked briefly to hand it back).
    #[derive(Debug)]
    pub(crate) struct Mutex<T> {
        inner: loom::sync::Mutex<T>,
        try_held: AtomicBool,
    }

    /// The guard remembers its mutex, so a timed wait can let go of the lock and take it back
    /// (see `wait_timeout`).
    pub(crate) struct MutexGuard<'a, T> {
        mutex: &'a loom::sync::Mutex<T>,
        guard: Option<loom::sync::MutexGuard<'a, T>>,
        /// Set when the guard came from `try_lock`: cleared after the lock is released.
        try_held: Option<&'a AtomicBool>,
    }

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self {
                inner: loom::sync::Mutex::new(value),
                try_held: AtomicBool::new(false),
            }
        }
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            MutexGuard {
                mutex: &self.inner,
                guard: Some(self.inner.lock().unwrap()),
                try_held: None,
            }
        }
        /// Whether a try-locker holds it (the blocking monitor's peek; it never runs under
        /// loom).
        #[allow(dead_code)]
        pub(crate) fn is_locked(&self) -> bool {
            self.try_held.load(Ordering::Relaxed)
        }
        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            if self.try_held.swap(true, Ordering::Acquire) {
                return None;
            }
            Some(MutexGuard {
                mutex: &self.inner,
                guard: Some(self.inner.lock().unwrap()),
                try_held: Some(&self.try_held),
            })
        }
    }

    impl<T> Drop for MutexGuard<'_, T> {
        fn drop(&mut self) {
            drop(self.guard.take());
            if let Some(held) = self.try_held {
                held.store(false, Ordering::Release);
            }
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    impl<T> Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.guard.as_ref().expect("guard held outside a wait")
        }
    }

    impl<T> DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            self.guard.as_mut().expect("guard held outside a wait")
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

    /// loom has no clock. A timed wait is modelled as a timeout that fires as soon as the
    /// waiter runs again: it lets go of the lock, lets every other thread run (`yield_now`),
    /// takes the lock back and reports a timeout. A notification sent meanwhile reaches
    /// nobody, as one that races a real timeout does, so loom checks that every caller
    /// re-reads its condition after the wait. (loom's own `wait_timeout` never times out,
    /// which would hide the keep-alive paths of the blocking pool.)
    pub(crate) fn wait_timeout<T>(
        _condvar: &Condvar,
        guard: &mut MutexGuard<'_, T>,
        _timeout: std::time::Duration,
    ) -> bool {
        drop(guard.guard.take());
        loom::thread::yield_now();
        guard.guard = Some(guard.mutex.lock().unwrap());
        true
    }

    pub(crate) fn wait<T>(condvar: &Condvar, guard: &mut MutexGuard<'_, T>) {
        let held = guard.guard.take().expect("guard held outside a wait");
        guard.guard = Some(condvar.0.wait(held).unwrap());
    }

    pub(crate) fn spin_loop() {
        loom::thread::yield_now()
    }

    /// Runtime threads are loom threads. loom's `JoinHandle` cannot say whether its thread
    /// has finished; `is_finished` answers `false`, which keeps both callers on their safe
    /// side (the blocking pool keeps the handle, a timed join waits out its deadline). Models
    /// shut runtimes down without a timeout, which joins.
    pub(crate) mod thread {
        pub(crate) use loom::thread::current;

        pub(crate) struct Builder(loom::thread::Builder);

        impl Builder {
            #[allow(clippy::new_without_default)]
            pub(crate) fn new() -> Builder {
                Builder(loom::thread::Builder::new())
            }
            pub(crate) fn name(self, name: String) -> Builder {
                Builder(self.0.name(name))
            }
            pub(crate) fn stack_size(self, size: usize) -> Builder {
                Builder(self.0.stack_size(size))
            }
            pub(crate) fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
            where
                F: FnOnce() -> T + Send + 'static,
                T: Send + 'static,
            {
                self.0.spawn(f).map(JoinHandle)
            }
        }

        pub(crate) struct JoinHandle<T>(loom::thread::JoinHandle<T>);

        impl<T> JoinHandle<T> {
            pub(crate) fn join(self) -> std::thread::Result<T> {
                self.0.join()
            }
            pub(crate) fn thread(&self) -> &loom::thread::Thread {
                self.0.thread()
            }
            pub(crate) fn is_finished(&self) -> bool {
                false
            }
        }

        impl<T> std::fmt::Debug for JoinHandle<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JoinHandle")
            }
        }
    }
}

/// loom threads are coroutines on one OS thread, so a `std` thread-local would be shared by
/// all of them; loom's is per loom thread. Its macro predates `const { .. }` initializers, so
/// this one drops the `const`.
#[cfg(conductor_loom)]
#[macro_export]
#[doc(hidden)]
macro_rules! loom_thread_local {
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        loom::thread_local!($(#[$attr])* $vis static $name: $t = $init;);
        $crate::loom_thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        loom::thread_local!($(#[$attr])* $vis static $name: $t = $init;);
        $crate::loom_thread_local!($($rest)*);
    };
    () => {};
}

pub(crate) use imp::*;

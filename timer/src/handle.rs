//! [`Handle`]: the cheap, clonable reference to a timer that `Sleep`s register with, and the
//! thread-local that makes one current.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::task::Waker;

use crate::clock::Clock;
use crate::entry::Entry;
use crate::error;
use crate::sync::{Arc, Mutex, MutexGuard, thread_local};
use crate::wheel::Wheel;

#[cfg(not(conductor_loom))]
thread_local! {
    /// The timer `sleep` and friends use on this thread; set by [`Handle::enter`]. A `const`
    /// initializer: no lazy-init check on the `timeout` and `sleep` fast paths.
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

#[cfg(conductor_loom)]
thread_local! {
    /// As above; loom's `thread_local!` takes no `const` initializer.
    #[allow(clippy::missing_const_for_thread_local)]
    static CURRENT: RefCell<Option<Handle>> = RefCell::new(None);
}

/// A reference to a timer: `Clone + Send + Sync`, one pointer wide.
///
/// The runtime makes its timer's handle current on every thread it runs (workers, blocking
/// threads, `block_on`), which is where [`sleep`](crate::sleep) finds it.
///
/// # Examples
///
/// ```
/// use std::task::Waker;
///
/// let (_driver, handle) = conductor_timer::Driver::new(Waker::noop().clone());
/// let _guard = handle.enter();
/// assert!(conductor_timer::Handle::try_current().is_some());
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) clock: Clock,
    wheel: Mutex<Locked>,
    /// Wakes the driver when a deadline earlier than the one it parks until is registered.
    pub(crate) unpark: Waker,
}

/// What the lock protects.
pub(crate) struct Locked {
    pub(crate) wheel: Wheel<Entry>,
    /// The wheel time (ns) the driver will wake at by itself: `u64::MAX` while it parks with
    /// no deadline, 0 while it is awake (it reads the wheel before parking again). A new
    /// deadline earlier than this must unpark it.
    pub(crate) next_wake: u64,
    pub(crate) shutdown: bool,
}

/// Keeps a [`Handle`] current on this thread until dropped; see [`Handle::enter`].
///
/// # Examples
///
/// ```
/// let (_driver, handle) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
/// let guard = handle.enter();
/// drop(guard);
/// assert!(conductor_timer::Handle::try_current().is_none());
/// ```
#[must_use = "the handle stays current only while the guard lives"]
pub struct EnterGuard {
    prev: Option<Handle>,
    _not_send: PhantomData<*const ()>,
}

impl Inner {
    pub(crate) fn new(unpark: Waker) -> Inner {
        Inner {
            clock: Clock::new(),
            wheel: Mutex::new(Locked {
                wheel: Wheel::new(),
                next_wake: 0,
                shutdown: false,
            }),
            unpark,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Locked> {
        self.wheel.lock()
    }
}

impl Handle {
    /// The handle current on this thread.
    ///
    /// # Panics
    ///
    /// When no timer is current (outside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_driver, handle) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
    /// let _guard = handle.enter();
    /// let _same = conductor_timer::Handle::current();
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!("{}", error::NO_TIMER),
        }
    }

    /// The handle current on this thread, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(conductor_timer::Handle::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Handle> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// Runs `f` with the current handle without cloning it.
    pub(crate) fn with_current<R>(f: impl FnOnce(&Handle) -> R) -> Option<R> {
        CURRENT
            .try_with(|c| c.borrow().as_ref().map(f))
            .ok()
            .flatten()
    }

    /// Makes this handle current on this thread until the guard drops (restoring the one
    /// before, so enters nest).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_driver, handle) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
    /// let _guard = handle.enter();
    /// let _sleep = conductor_timer::sleep(std::time::Duration::from_secs(1));
    /// ```
    pub fn enter(&self) -> EnterGuard {
        let prev = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        EnterGuard {
            prev,
            _not_send: PhantomData,
        }
    }

    /// Runtime shutdown: unlinks every timer and wakes its task. A timer of this handle
    /// polled afterwards never completes (the runtime's tasks are dropped, not polled).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_driver, handle) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
    /// handle.shutdown();
    /// ```
    pub fn shutdown(&self) {
        let mut wakers = Vec::new();
        let mut locked = self.inner.lock();
        locked.shutdown = true;
        while let Some(entry) = locked.wheel.pop_any() {
            // SAFETY: the lock is held and `entry` was linked until just now.
            wakers.extend(unsafe { Entry::fire(entry, true) });
        }
        drop(locked);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Timers registered now (linked in the wheel). For tests and models.
    #[doc(hidden)]
    pub fn registered(&self) -> usize {
        self.inner.lock().wheel.len()
    }
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}

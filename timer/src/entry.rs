//! The timer entry: what a [`Sleep`](crate::Sleep) registers in the wheel, stored inside the
//! `Sleep` itself (no allocation per timer).
//!
//! # State
//!
//! ```text
//!  IDLE ──poll──> REGISTERED ──driver fires──> FIRED
//!   ^                 │  ^                       │
//!   └────drop/cancel──┘  └───────reset───────────┘        any ──shutdown──> SHUTDOWN
//! ```
//!
//! - `IDLE`: not in the wheel, no waker. Creating and dropping a `Sleep` that is never polled
//!   stays here and never takes the lock.
//! - `REGISTERED`: linked in the wheel (a slot, `pending` or `ready`), waker maybe stored.
//! - `FIRED`: unlinked by the driver, waker taken and woken.
//! - `SHUTDOWN`: unlinked by runtime shutdown; it never completes.
//!
//! # Field access
//!
//! - `node` and `waker` are only touched with the wheel's lock held (by the owner's `poll`,
//!   `reset` and `Drop`, and by the driver), or by the owner while `IDLE` (no one else can
//!   reach an unlinked entry).
//! - `state` is written only with the lock held; the owner reads it without the lock.
//!
//! # Why this is safe
//!
//! The wheel holds raw pointers to entries. An entry is linked only through a pinned `Sleep`
//! (`Sleep::poll` takes `Pin<&mut Self>`), so its address is stable, and `Sleep`'s `Drop`
//! unlinks it under the lock before the memory goes: the wheel can never reach a freed entry.
//! The driver fires under the lock, storing `FIRED` last (Release); an owner that reads
//! `FIRED` (Acquire) knows the driver is done with the entry and skips the lock in `Drop`.
//! Wakers are taken out under the lock and woken after it is released.

use std::cell::UnsafeCell as StdUnsafeCell;
use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::task::Waker;

use crate::handle::Inner;
use crate::sync::{AtomicU8, Ordering, UnsafeCell};
use crate::wheel::{Link, Node};

/// Not in the wheel; the owner has exclusive access.
const IDLE: u8 = 0;
/// Linked in the wheel.
const REGISTERED: u8 = 1;
/// Fired by the driver (unlinked, waker taken).
const FIRED: u8 = 2;
/// Unlinked by shutdown.
const SHUTDOWN: u8 = 3;

/// What `Entry::poll_elapsed` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(crate) enum Polled {
    /// The deadline passed.
    Elapsed,
    /// Registered; the waker will be called.
    Pending,
    /// The deadline had already passed when the entry registered: the caller wakes its task
    /// and returns `Pending` once (a zero sleep yields), then `Elapsed`.
    Yield,
    /// The runtime shut down.
    Shutdown,
}

pub(crate) struct Entry {
    node: StdUnsafeCell<Node<Entry>>,
    waker: UnsafeCell<Option<Waker>>,
    state: AtomicU8,
    _pinned: PhantomPinned,
}

// SAFETY: `node` and `waker` are only accessed under the wheel lock (or by the sole owner
// while IDLE), `state` is atomic; the `NonNull`s in `node` point to entries that follow the
// same rules.
unsafe impl Send for Entry {}
// SAFETY: as above: shared access never touches the cells without the lock.
unsafe impl Sync for Entry {}

// SAFETY: `node` is a field of the entry and only the wheel touches it.
unsafe impl Link for Entry {
    fn node(this: NonNull<Self>) -> NonNull<Node<Self>> {
        // SAFETY: `this` is valid (the wheel's contract), so the field pointer is non-null.
        unsafe { NonNull::new_unchecked(StdUnsafeCell::raw_get(&raw const (*this.as_ptr()).node)) }
    }
}

impl Entry {
    pub(crate) fn new() -> Entry {
        Entry {
            node: StdUnsafeCell::new(Node::new()),
            waker: UnsafeCell::new(None),
            state: AtomicU8::new(IDLE),
            _pinned: PhantomPinned,
        }
    }

    /// Whether the driver fired this entry (Acquire: pairs with the Release store in
    /// `fire`, so the driver's last access to the entry happens before ours).
    pub(crate) fn is_fired(&self) -> bool {
        self.state.load(Ordering::Acquire) == FIRED
    }

    /// Registers (first poll) or refreshes the waker; `when` is the deadline in wheel ns.
    ///
    /// # Safety
    ///
    /// `self` is pinned: it stays at this address until dropped, and its owner calls
    /// [`cancel`](Self::cancel) before it is dropped.
    pub(crate) unsafe fn poll_elapsed(&self, inner: &Inner, when: u64, waker: &Waker) -> Polled {
        match self.state.load(Ordering::Acquire) {
            FIRED => return Polled::Elapsed,
            SHUTDOWN => return Polled::Shutdown,
            _ => {}
        }
        let mut wake_driver = false;
        let mut wheel = inner.lock();
        if wheel.shutdown {
            return Polled::Shutdown;
        }
        // Relaxed: every store happens under the lock we hold.
        let polled = match self.state.load(Ordering::Relaxed) {
            FIRED => Polled::Elapsed,
            SHUTDOWN => Polled::Shutdown,
            IDLE => {
                // SAFETY: the lock is held (field access rule).
                self.waker.with_mut(|w| unsafe { *w = Some(waker.clone()) });
                // SAFETY: pinned and cancelled before drop (our contract); IDLE means unlinked.
                match unsafe { wheel.wheel.insert(NonNull::from(self), when) } {
                    Ok(()) => {
                        self.state.store(REGISTERED, Ordering::Relaxed);
                        wake_driver = when < wheel.next_wake;
                        Polled::Pending
                    }
                    Err(_) => {
                        // SAFETY: the lock is held.
                        self.waker.with_mut(|w| unsafe { *w = None });
                        self.state.store(FIRED, Ordering::Release);
                        Polled::Yield
                    }
                }
            }
            _ => {
                // SAFETY: the lock is held.
                self.waker.with_mut(|w| unsafe {
                    match &mut *w {
                        Some(old) if old.will_wake(waker) => {}
                        slot => *slot = Some(waker.clone()),
                    }
                });
                Polled::Pending
            }
        };
        drop(wheel);
        if wake_driver {
            inner.unpark.wake_by_ref();
        }
        polled
    }

    /// Moves a registered entry to `when`, keeping its waker; an `IDLE` one stays idle (it
    /// registers on its next poll). A fired one registers again without a waker.
    ///
    /// # Safety
    ///
    /// As [`poll_elapsed`](Self::poll_elapsed).
    pub(crate) unsafe fn reset(&self, inner: &Inner, when: u64) {
        // Relaxed: only the owner (us) moves the state out of IDLE.
        if self.state.load(Ordering::Relaxed) == IDLE {
            return;
        }
        let mut wake_driver = false;
        let mut waker = None;
        let mut wheel = inner.lock();
        if wheel.shutdown || self.state.load(Ordering::Relaxed) == SHUTDOWN {
            return;
        }
        let ptr = NonNull::from(self);
        // SAFETY: the entry is linked in this wheel or in none; pinned (our contract).
        unsafe { wheel.wheel.remove(ptr) };
        // SAFETY: as above; now unlinked.
        match unsafe { wheel.wheel.insert(ptr, when) } {
            Ok(()) => {
                self.state.store(REGISTERED, Ordering::Relaxed);
                wake_driver = when < wheel.next_wake;
            }
            Err(_) => {
                // SAFETY: the lock is held.
                waker = self.waker.with_mut(|w| unsafe { (*w).take() });
                self.state.store(FIRED, Ordering::Release);
            }
        }
        drop(wheel);
        if wake_driver {
            inner.unpark.wake_by_ref();
        }
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Unlinks the entry if it is linked (the owner's `Drop`). O(1).
    pub(crate) fn cancel(&self, inner: &Inner) {
        // Acquire: pairs with `fire`'s Release store; a fired entry is no longer reachable,
        // and IDLE ones never were.
        match self.state.load(Ordering::Acquire) {
            IDLE | FIRED | SHUTDOWN => return,
            _ => {}
        }
        let mut wheel = inner.lock();
        // SAFETY: linked in this wheel or in none (it may have fired since the load above).
        unsafe { wheel.wheel.remove(NonNull::from(self)) };
        // SAFETY: the lock is held.
        let waker = self.waker.with_mut(|w| unsafe { (*w).take() });
        self.state.store(IDLE, Ordering::Relaxed);
        drop(wheel);
        drop(waker);
    }

    /// Driver side: the entry was popped (unlinked) from the wheel; take its waker and mark
    /// it fired (or shut down).
    ///
    /// # Safety
    ///
    /// The lock is held and `this` was linked in the wheel until just now (so it is alive).
    pub(crate) unsafe fn fire(this: NonNull<Entry>, shutdown: bool) -> Option<Waker> {
        // SAFETY: alive: linked entries are unlinked before their memory goes.
        let entry = unsafe { this.as_ref() };
        // SAFETY: the lock is held.
        let waker = entry.waker.with_mut(|w| unsafe { (*w).take() });
        // Release: the owner's Acquire load of FIRED then sees every access above finished.
        let state = if shutdown { SHUTDOWN } else { FIRED };
        entry.state.store(state, Ordering::Release);
        waker
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("state", &self.state.load(Ordering::Relaxed))
            .finish()
    }
}

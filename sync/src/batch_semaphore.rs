//! The fair semaphore every lock in this crate is built on: a permit word for the lock-free
//! fast paths and a FIFO [`WaitList`] of waiters behind a mutex.
//!
//! # The permit word
//!
//! ```text
//! bits 2..  permits available to anyone (not assigned to a waiter)
//! bit  1    WAITERS: the wait-list is not empty
//! bit  0    CLOSED
//! ```
//!
//! Invariant (at every point the wait-list mutex is not held): `WAITERS` is set exactly when
//! the wait-list is non-empty, and then the available count is 0. Released permits go to the
//! queued waiters first, in FIFO order, and only what is left over becomes available. So a
//! newcomer's fast path (a CAS that needs `available >= n`) can never overtake a waiter: that
//! is the fairness. A waiter needing more than what is released keeps what it was given (its
//! `needed` count goes down) and stays at the head.
//!
//! Who writes the word: `try_acquire` (CAS, only when enough is available, hence never while
//! `WAITERS` is set), a release without `WAITERS` (CAS that fails if `WAITERS` appeared), and,
//! under the wait-list mutex, an acquirer setting `WAITERS` and a release clearing it. `close`
//! sets `CLOSED` at any time. Every change is a CAS loop or a single RMW, so the writers compose.
//!
//! # A waiter's life
//!
//! The `Acquire` future inserts a slot on its first Pending poll and owns it until it completes
//! or is dropped (see `wait_list`). A release or `close` only unlinks it: `needed == 0` means
//! granted, `needed > 0` after unlinking means closed. Dropping the future frees the slot and
//! releases whatever had been assigned to it (`requested - needed`), which passes those permits
//! to the next waiter: nothing is lost, whatever point the future is dropped at.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use crate::error::TryAcquireError;
use crate::loom_facade::{AtomicUsize, Mutex, MutexGuard, Ordering};
use crate::wait_list::{Key, WaitList};
use crate::wake_list::WakeList;

const CLOSED: usize = 1;
const WAITERS: usize = 2;
const SHIFT: usize = 2;

/// The most permits a semaphore can hold.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

const TOO_MANY_PERMITS: &str = "a semaphore cannot hold more than Semaphore::MAX_PERMITS \
                                (usize::MAX >> 3) permits; release or add fewer";

#[derive(Debug)]
struct Waiter {
    /// Permits still to be assigned; 0 once granted.
    needed: usize,
    waker: Option<Waker>,
}

/// A fair counting semaphore with FIFO waiters; see the module docs.
#[derive(Debug)]
pub(crate) struct BatchSemaphore {
    state: AtomicUsize,
    waiters: Mutex<WaitList<Waiter>>,
}

impl BatchSemaphore {
    #[cfg(not(conductor_loom))]
    pub(crate) const fn new(permits: usize) -> Self {
        assert!(permits <= MAX_PERMITS, "{}", TOO_MANY_PERMITS);
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    #[cfg(conductor_loom)]
    pub(crate) fn new(permits: usize) -> Self {
        assert!(permits <= MAX_PERMITS, "{}", TOO_MANY_PERMITS);
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub(crate) fn available_permits(&self) -> usize {
        // Relaxed: a snapshot for the caller, ordering nothing.
        self.state.load(Ordering::Relaxed) >> SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        // Acquire: pairs with close's Release, for a caller that then reads what the closer
        // wrote before closing.
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Takes `n` permits if that many are available now. Never overtakes a queued waiter (while
    /// there are waiters the available count is 0).
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if cur >> SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            // Acquire on success: the permits were released (Release) by whoever held them,
            // and what they wrote under the permits (a mutex's data) must be visible to us.
            match self.state.compare_exchange_weak(
                cur,
                cur - (n << SHIFT),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// The future that waits for `n` permits in FIFO order.
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            requested: n,
            key: None,
        }
    }

    /// Gives `n` permits back (or adds them): first to the queued waiters, in order, the rest
    /// to the available count.
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut cur = self.state.load(Ordering::Relaxed);
        while cur & WAITERS == 0 {
            assert!((cur >> SHIFT) + n <= MAX_PERMITS, "{}", TOO_MANY_PERMITS);
            // Release: publishes the holder's writes to the next acquirer's Acquire CAS. The
            // CAS fails if an acquirer set WAITERS meanwhile; then the permits go to it below.
            match self.state.compare_exchange_weak(
                cur,
                cur + (n << SHIFT),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        self.release_locked(self.waiters.lock(), n);
    }

    /// Assigns `n` permits to the queued waiters in order, then restores the word's invariant:
    /// if the list is now empty, clears `WAITERS` and makes the leftover available. Wakes the
    /// granted waiters after unlocking.
    fn release_locked(&self, mut list: MutexGuard<'_, WaitList<Waiter>>, mut n: usize) {
        let mut wakers = WakeList::new();
        while n > 0 {
            let Some(key) = list.front() else { break };
            let waiter = list.get_mut(key);
            let take = n.min(waiter.needed);
            waiter.needed -= take;
            n -= take;
            if waiter.needed == 0 {
                if let Some(waker) = waiter.waker.take() {
                    wakers.push(waker);
                }
                list.unlink(key);
            }
        }
        if list.is_empty() {
            let mut cur = self.state.load(Ordering::Relaxed);
            loop {
                assert!((cur >> SHIFT) + n <= MAX_PERMITS, "{}", TOO_MANY_PERMITS);
                // Release: as in `release`, for permits that become available. Concurrent
                // writers here are only `close` (the others do not write while WAITERS is set
                // or while the count is 0), so the loop ends after at most one retry.
                match self.state.compare_exchange_weak(
                    cur,
                    (cur & !WAITERS) + (n << SHIFT),
                    Ordering::Release,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break,
                    Err(actual) => cur = actual,
                }
            }
        } else {
            debug_assert_eq!(n, 0, "permits left over while waiters are queued");
        }
        drop(list);
        wakers.wake_all();
    }

    /// Closes the semaphore: every queued waiter and every later acquire fails. Permits held
    /// or available stay as they are.
    pub(crate) fn close(&self) {
        // Release: pairs with `is_closed`'s Acquire.
        self.state.fetch_or(CLOSED, Ordering::Release);
        let mut list = self.waiters.lock();
        let mut wakers = WakeList::new();
        while let Some(key) = list.front() {
            if let Some(waker) = list.get_mut(key).waker.take() {
                wakers.push(waker);
            }
            list.unlink(key);
        }
        // Relaxed: under the lock; the list is empty, so the invariant says WAITERS is clear.
        self.state.fetch_and(!WAITERS, Ordering::Relaxed);
        drop(list);
        wakers.wake_all();
    }

    /// The slow path of a first poll: under the lock, take what is available; if not enough,
    /// zero the count, set `WAITERS` and queue for the rest.
    fn enqueue(&self, n: usize, waker: &Waker) -> Result<Option<Key>, ()> {
        let mut list = self.waiters.lock();
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Err(());
            }
            let available = cur >> SHIFT;
            let (new, got_all) = if available >= n {
                (cur - (n << SHIFT), true)
            } else {
                ((cur & CLOSED) | WAITERS, false)
            };
            // Acquire: we may take permits released with Release (see try_acquire).
            match self
                .state
                .compare_exchange_weak(cur, new, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) if got_all => return Ok(None),
                Ok(_) => {
                    let key = list.insert(Waiter {
                        needed: n - available,
                        waker: Some(waker.clone()),
                    });
                    return Ok(Some(key));
                }
                Err(actual) => cur = actual,
            }
        }
    }
}

/// Waits for `requested` permits of a [`BatchSemaphore`]; `Ok(())` means the caller now owns
/// them (and must release them). Cancel-safe: dropping it at any point returns every permit
/// assigned to it.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub(crate) struct Acquire<'a> {
    sem: &'a BatchSemaphore,
    requested: usize,
    /// The wait-list slot, from the first Pending poll until completion or drop.
    key: Option<Key>,
}

impl Future for Acquire<'_> {
    type Output = Result<(), ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let Some(key) = this.key else {
            let out = match this.sem.try_acquire(this.requested) {
                Ok(()) => Ok(()),
                Err(TryAcquireError::Closed) => Err(()),
                Err(TryAcquireError::NoPermits) => {
                    match this.sem.enqueue(this.requested, cx.waker()) {
                        Ok(None) => Ok(()),
                        Ok(Some(key)) => {
                            this.key = Some(key);
                            return Poll::Pending;
                        }
                        Err(()) => Err(()),
                    }
                }
            };
            coop.made_progress();
            return Poll::Ready(out);
        };
        let mut list = this.sem.waiters.lock();
        if list.is_linked(key) {
            let waiter = list.get_mut(key);
            if !waiter
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                waiter.waker = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
        this.key = None;
        let needed = list.free(key).needed;
        coop.made_progress();
        if needed == 0 {
            Poll::Ready(Ok(()))
        } else {
            // Closed while waiting: give back what had been assigned.
            this.sem.release_locked(list, this.requested - needed);
            Poll::Ready(Err(()))
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut list = self.sem.waiters.lock();
        let needed = list.free(key).needed;
        // Even with nothing assigned this restores the invariant if we were the last waiter.
        self.sem.release_locked(list, self.requested - needed);
    }
}

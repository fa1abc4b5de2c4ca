//! `Notify`: wakes one waiting task (or stores one permit), or every task waiting right now.
//!
//! State: a mutex around the stored permit and the FIFO of waiting `Notified` futures, plus a
//! counter of `notify_waiters` calls that a `Notified` reads when it is *created*. A
//! `notify_waiters` bumps it under the mutex, so a `Notified` created before the call finds
//! the counter changed when it is first polled and completes, while one created after it does
//! not: "wakes the futures that exist now", even those not yet polled.
//!
//! A `Notified` that `notify_one` picked (unlinked and marked `One`) but that is dropped before
//! it completes passes the notification on to the next waiter (or back to the stored permit),
//! so a cancelled waiter never swallows a `notify_one`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use crate::loom_facade::{AtomicUsize, Mutex, Ordering};
use crate::wait_list::{Key, WaitList};
use crate::wake_list::WakeList;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotifiedBy {
    One,
    All,
}

#[derive(Debug)]
struct Waiter {
    /// Set (and the slot unlinked) by the notify that picked this waiter.
    notified: Option<NotifiedBy>,
    waker: Option<Waker>,
}

#[derive(Debug)]
struct Inner {
    /// A `notify_one` that found no waiter: the next `Notified` consumes it.
    permit: bool,
    waiters: WaitList<Waiter>,
}

impl Inner {
    /// Hands one notification to the first waiter, or stores the permit if none waits.
    fn notify_one(&mut self, wakers: &mut WakeList) {
        match self.waiters.front() {
            Some(key) => {
                let waiter = self.waiters.get_mut(key);
                waiter.notified = Some(NotifiedBy::One);
                if let Some(waker) = waiter.waker.take() {
                    wakers.push(waker);
                }
                self.waiters.unlink(key);
            }
            None => self.permit = true,
        }
    }
}

/// Wakes tasks waiting for an event, with no data attached.
///
/// - [`notify_one`](Notify::notify_one) wakes the first waiting [`Notified`] (FIFO) or, if none
///   waits, stores **one** permit that the next `notified().await` consumes at once. Several
///   calls with no waiter still store just one permit.
/// - [`notify_waiters`](Notify::notify_waiters) wakes every `Notified` created before the call
///   (polled yet or not) and stores no permit.
///
/// Runtime-agnostic; on conductor each completed `notified().await` spends one budget unit.
///
/// ```
/// use std::sync::Arc;
/// use conductor_sync::Notify;
///
/// # futures::executor::block_on(async {
/// let notify = Arc::new(Notify::new());
/// let n2 = notify.clone();
/// std::thread::spawn(move || n2.notify_one());
/// notify.notified().await; // the permit is stored if the thread was first
/// # });
/// ```
#[derive(Debug)]
pub struct Notify {
    /// How many `notify_waiters` calls there have been (wrapping); written under `inner`.
    waiters_calls: AtomicUsize,
    inner: Mutex<Inner>,
}

impl Default for Notify {
    fn default() -> Self {
        Self::new()
    }
}

impl Notify {
    /// A `Notify` with no permit stored.
    ///
    /// ```
    /// let notify = conductor_sync::Notify::new();
    /// # drop(notify);
    /// ```
    #[cfg(not(conductor_loom))]
    pub const fn new() -> Self {
        Self {
            waiters_calls: AtomicUsize::new(0),
            inner: Mutex::new(Inner {
                permit: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// A `Notify` with no permit stored.
    #[cfg(conductor_loom)]
    pub fn new() -> Self {
        Self {
            waiters_calls: AtomicUsize::new(0),
            inner: Mutex::new(Inner {
                permit: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// A `Notify` usable in a `static` (the same as [`new`](Self::new), which is `const`).
    ///
    /// ```
    /// static EVENT: conductor_sync::Notify = conductor_sync::Notify::const_new();
    /// EVENT.notify_one();
    /// # futures::executor::block_on(EVENT.notified());
    /// ```
    #[cfg(not(conductor_loom))]
    pub const fn const_new() -> Self {
        Self::new()
    }

    /// A future that completes when this `Notify` is notified.
    ///
    /// It takes part in [`notify_waiters`](Self::notify_waiters) from the moment it is created,
    /// but in [`notify_one`](Self::notify_one) only once it is polled or
    /// [`enable`](Notified::enable)d (before that, a `notify_one` stores the permit, which the
    /// future consumes when first polled).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping a `Notified` that `notify_one` had already chosen passes that
    /// notification on to the next waiter (or stores it as the permit). One that only a
    /// `notify_waiters` reached just ends.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let notify = conductor_sync::Notify::new();
    /// let fut = notify.notified();
    /// notify.notify_waiters(); // `fut` exists, so it is notified
    /// fut.await;
    /// # });
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            // Acquire: pairs with the Release increment of a notify_waiters; the value only
            // has to be compared with later reads of the same counter under the mutex.
            waiters_calls: self.waiters_calls.load(Ordering::Acquire),
            state: State::Init,
        }
    }

    /// Wakes the first waiting `Notified`, or stores one permit if none waits.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let notify = conductor_sync::Notify::new();
    /// notify.notify_one();
    /// notify.notify_one(); // still one permit
    /// notify.notified().await;
    /// # });
    /// ```
    pub fn notify_one(&self) {
        let mut wakers = WakeList::new();
        self.inner.lock().notify_one(&mut wakers);
        wakers.wake_all();
    }

    /// Wakes every `Notified` created before this call. Stores no permit: a `Notified` created
    /// later waits for the next notification.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let notify = conductor_sync::Notify::new();
    /// notify.notify_waiters();
    /// let mut later = Box::pin(notify.notified());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(later.as_mut().poll(&mut cx).is_pending());
    /// ```
    pub fn notify_waiters(&self) {
        let mut inner = self.inner.lock();
        // Release: a Notified created after this (Acquire load) sees the new count. Written
        // under the mutex so a pending `Notified` compares against it consistently.
        self.waiters_calls.fetch_add(1, Ordering::Release);
        let mut wakers = WakeList::new();
        while let Some(key) = inner.waiters.front() {
            let waiter = inner.waiters.get_mut(key);
            waiter.notified = Some(NotifiedBy::All);
            if let Some(waker) = waiter.waker.take() {
                wakers.push(waker);
            }
            inner.waiters.unlink(key);
        }
        drop(inner);
        wakers.wake_all();
    }
}

#[derive(Debug)]
enum State {
    /// Neither polled nor enabled: not queued.
    Init,
    /// Queued (or already picked by a notify, not yet observed).
    Waiting(Key),
    /// Completed: stays ready.
    Done,
}

/// The future of [`Notify::notified`].
///
/// ```
/// # futures::executor::block_on(async {
/// let notify = conductor_sync::Notify::new();
/// let fut: conductor_sync::Notified<'_> = notify.notified();
/// notify.notify_one();
/// fut.await;
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    /// `notify_waiters` calls seen at creation.
    waiters_calls: usize,
    state: State,
}

impl Notified<'_> {
    /// Queues the future for `notify_one` without polling it, so a notification sent from
    /// now on reaches it even before it is awaited. Returns `true` if it is already notified
    /// (the next poll completes). Calling it again, or after a poll, only reports.
    ///
    /// ```
    /// use std::pin::pin;
    /// # futures::executor::block_on(async {
    /// let notify = conductor_sync::Notify::new();
    /// let mut fut = pin!(notify.notified());
    /// assert!(!fut.as_mut().enable());
    /// notify.notify_one(); // goes to `fut`, not to a stored permit
    /// assert!(fut.as_mut().enable());
    /// fut.await;
    /// # });
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.get_mut().register(None)
    }

    /// Registers (first time) or refreshes the waker; returns whether notified.
    fn register(&mut self, waker: Option<&Waker>) -> bool {
        let mut inner = self.notify.inner.lock();
        match self.state {
            State::Done => true,
            State::Init => {
                // Relaxed: read under the mutex that every increment is made under.
                if self.notify.waiters_calls.load(Ordering::Relaxed) != self.waiters_calls {
                    self.state = State::Done;
                    return true;
                }
                if inner.permit {
                    inner.permit = false;
                    self.state = State::Done;
                    return true;
                }
                let key = inner.waiters.insert(Waiter {
                    notified: None,
                    waker: waker.cloned(),
                });
                self.state = State::Waiting(key);
                false
            }
            State::Waiting(key) => {
                if inner.waiters.is_linked(key) {
                    if let Some(waker) = waker {
                        let slot = &mut inner.waiters.get_mut(key).waker;
                        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
                            *slot = Some(waker.clone());
                        }
                    }
                    return false;
                }
                inner.waiters.free(key);
                self.state = State::Done;
                true
            }
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if let State::Done = this.state {
            return Poll::Ready(());
        }
        let coop = ready!(conductor_coop::poll_proceed(cx));
        if this.register(Some(cx.waker())) {
            coop.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let State::Waiting(key) = self.state else {
            return;
        };
        let mut inner = self.notify.inner.lock();
        let mut wakers = WakeList::new();
        if inner.waiters.free(key).notified == Some(NotifiedBy::One) {
            // Picked by notify_one but never observed: pass it on.
            inner.notify_one(&mut wakers);
        }
        drop(inner);
        wakers.wake_all();
    }
}

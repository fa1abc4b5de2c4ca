//! A single-producer, multi-consumer channel that holds one value: receivers see the latest
//! one and can wait for it to change. [`channel`].
//!
//! ```
//! # futures::executor::block_on(async {
//! let (tx, mut rx) = conductor_sync::watch::channel("starting");
//! std::thread::spawn(move || {
//!     tx.send("running").unwrap();
//!     tx.send("done").unwrap();
//! });
//! rx.wait_for(|s| *s == "done").await.unwrap();
//! # });
//! ```
//!
//! # Design
//!
//! The value sits in a read-write lock. A state word counts versions (bit 0: the sender was
//! dropped); the sender bumps it while it holds the write lock, so a reader that reads the
//! version under the read lock knows which version it sees. Each receiver remembers the last
//! version it marked seen. Waiting receivers are on a wait list that the sender drains after
//! every change; a receiver registers and re-checks the version under the wait list's lock,
//! so a change is never missed between the check and the registration.
//!
//! Do not hold a [`Ref`] across an `.await` or while sending: it holds the read lock.
//!
//! # Cancel safety
//!
//! `changed` and `wait_for` are cancel-safe: a version is marked seen only in the poll that
//! returns.

pub mod error;

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::loom_facade::{Arc, AtomicU64, AtomicUsize, Mutex, Ordering, RwLock, RwLockReadGuard};
use crate::waiters::WaitList;

use error::{RecvError, SendError};

/// Bit 0 of the state word: the sender was dropped.
const CLOSED: u64 = 1;
/// One version step in the state word.
const VERSION_STEP: u64 = 2;

/// Creates a watch channel holding `init`.
///
/// ```
/// let (tx, rx) = conductor_sync::watch::channel(1);
/// tx.send(2).unwrap();
/// assert_eq!(*rx.borrow(), 2);
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicU64::new(0),
        rx_count: AtomicUsize::new(1),
        rx_waiters: Mutex::new(WaitList::new()),
        tx_waiters: Mutex::new(WaitList::new()),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

struct Shared<T> {
    value: RwLock<T>,
    /// `version * VERSION_STEP | CLOSED`.
    state: AtomicU64,
    rx_count: AtomicUsize,
    /// `changed()` futures.
    rx_waiters: Mutex<WaitList>,
    /// `Sender::closed()` futures.
    tx_waiters: Mutex<WaitList>,
}

impl<T> Shared<T> {
    /// The state word. Acquire: pairs with the AcqRel bump, which the sender makes while
    /// holding the write lock, so the version read goes with the value it describes.
    fn state(&self) -> u64 {
        self.state.load(Ordering::Acquire)
    }

    fn version(&self) -> u64 {
        self.state() & !CLOSED
    }

    fn notify_receivers(&self) {
        let wakes = self.rx_waiters.lock().take_all();
        wakes.wake();
    }
}

/// A read guard on the channel's value. Holds the read lock: drop it before awaiting or
/// sending.
///
/// ```
/// let (_tx, rx) = conductor_sync::watch::channel(String::from("v"));
/// let value = rx.borrow();
/// assert_eq!(value.as_str(), "v");
/// assert!(!value.has_changed());
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// Whether this value was not yet marked seen by the receiver when it was borrowed
    /// (always `false` from the sender).
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert!(rx.borrow().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Replaces or modifies the value and tells the receivers. Dropping it closes the channel:
/// receivers keep the last value, and `changed` returns an error once they have seen it.
///
/// ```
/// let (tx, rx) = conductor_sync::watch::channel(vec![1]);
/// tx.send_modify(|v| v.push(2));
/// assert_eq!(*rx.borrow(), [1, 2]);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Stores `value` and notifies the receivers.
    ///
    /// # Errors
    ///
    /// The value back in [`SendError`] if there is no receiver (the stored value is then left
    /// unchanged).
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(*tx.borrow(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        drop(self.send_replace(value));
        Ok(())
    }

    /// Stores `value` whether or not there are receivers, notifies them, and returns the old
    /// value.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut value = Some(value);
        let mut old = None;
        self.send_if_modified(|slot| {
            old = Some(std::mem::replace(slot, value.take().expect("called once")));
            true
        });
        old.expect("send_if_modified calls the closure")
    }

    /// Modifies the value in place under the write lock and notifies the receivers.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// tx.send_modify(|n| *n += 5);
    /// assert_eq!(*rx.borrow(), 5);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|v| {
            modify(v);
            true
        });
    }

    /// Modifies the value in place; notifies the receivers only if `modify` returns `true`.
    /// Returns what `modify` returned.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// assert!(!tx.send_if_modified(|_| false));
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        {
            let mut guard = self.shared.value.write();
            if !modify(&mut guard) {
                return false;
            }
            // AcqRel, made under the write lock: a reader that reads the new version under
            // the read lock also sees the new value.
            self.shared.state.fetch_add(VERSION_STEP, Ordering::AcqRel);
        }
        self.shared.notify_receivers();
        true
    }

    /// The current value (holds the read lock; see [`Ref`]).
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
            has_changed: false,
        }
    }

    /// A new receiver that has seen the current value.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::watch::channel(0);
    /// let rx2 = tx.subscribe();
    /// assert!(!rx2.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        // Relaxed: we hold a reference to the channel (the `Arc` increment rule).
        self.shared.rx_count.fetch_add(1, Ordering::Relaxed);
        let seen = self.shared.version();
        Receiver {
            shared: self.shared.clone(),
            seen,
        }
    }

    /// Receivers now.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// let _rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.rx_count.load(Ordering::Acquire)
    }

    /// Whether every receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone. Cancel-safe.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// std::thread::spawn(move || drop(rx));
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&self) {
        TxClosed {
            shared: &self.shared,
            waiter: None,
        }
        .await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // AcqRel: receivers that see CLOSED (Acquire) also see every change before it.
        self.shared.state.fetch_or(CLOSED, Ordering::AcqRel);
        self.shared.notify_receivers();
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

/// Sees the channel's latest value and waits for changes. Clone it for more receivers (the
/// clone has seen what this one has seen).
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::watch::channel(0);
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// rx.changed().await.unwrap();
/// assert_eq!(*rx.borrow_and_update(), 2, "only the latest value");
/// # });
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The last version marked seen.
    seen: u64,
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// assert!(rx.has_changed().unwrap(), "still unseen");
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let has_changed = self.shared.version() != self.seen;
        Ref { guard, has_changed }
    }

    /// The current value, marking it seen.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let version = self.shared.version();
        let has_changed = version != self.seen;
        self.seen = version;
        Ref { guard, has_changed }
    }

    /// Whether a value not yet marked seen is there.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender was dropped.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::watch::channel(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state();
        if state & CLOSED != 0 {
            return Err(RecvError);
        }
        Ok(state & !CLOSED != self.seen)
    }

    /// Marks the current value unseen: the next `changed` returns at once.
    ///
    /// ```
    /// let (_tx, mut rx) = conductor_sync::watch::channel(0);
    /// rx.mark_changed();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn mark_changed(&mut self) {
        // Versions are multiples of VERSION_STEP: an odd one never matches.
        self.seen = self.shared.version() | 1;
    }

    /// Marks the current value seen.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// rx.mark_unchanged();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version();
    }

    /// Waits for a value not yet marked seen, and marks it seen (read it with
    /// [`borrow`](Self::borrow)). Several sends in between count as one change: a receiver
    /// sees only the latest value.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender was dropped and this receiver has seen the last value.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::watch::channel(0);
    /// std::thread::spawn(move || tx.send(1).unwrap());
    /// rx.changed().await.unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// # });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        Changed {
            shared: &self.shared,
            seen: &mut self.seen,
            waiter: None,
        }
        .await
    }

    /// Waits until `pred` holds for the value (checking the current value first), marks it
    /// seen and returns it.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender was dropped before `pred` held.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::watch::channel(0);
    /// std::thread::spawn(move || {
    ///     for i in 1..=5 {
    ///         tx.send(i).unwrap();
    ///     }
    /// });
    /// assert_eq!(*rx.wait_for(|n| *n == 5).await.unwrap(), 5);
    /// # });
    /// ```
    pub async fn wait_for(
        &mut self,
        mut pred: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        loop {
            {
                let guard = self.shared.value.read();
                let version = self.shared.version();
                let has_changed = version != self.seen;
                self.seen = version;
                if pred(&guard) {
                    return Ok(Ref { guard, has_changed });
                }
            }
            Changed {
                shared: &self.shared,
                seen: &mut self.seen,
                waiter: None,
            }
            .await?;
        }
    }

    /// Whether both receivers watch the same channel.
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::watch::channel(0);
    /// assert!(rx.same_channel(&rx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        // Relaxed: we hold a reference to the channel (the `Arc` increment rule).
        self.shared.rx_count.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // AcqRel: `closed()` observing zero must see the receivers' last actions.
        if self.shared.rx_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            let wakes = self.shared.tx_waiters.lock().take_all();
            wakes.wake();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}

/// `changed()`: ready once the version differs from `seen` (and marks it seen), or with an
/// error once the sender is gone and nothing new is left.
struct Changed<'a, T> {
    shared: &'a Shared<T>,
    seen: &'a mut u64,
    waiter: Option<u64>,
}

impl<T> Changed<'_, T> {
    fn check(&mut self) -> Option<Result<(), RecvError>> {
        let state = self.shared.state();
        let version = state & !CLOSED;
        if version != *self.seen {
            *self.seen = version;
            Some(Ok(()))
        } else if state & CLOSED != 0 {
            Some(Err(RecvError))
        } else {
            None
        }
    }
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let out = match this.check() {
            Some(out) => out,
            None => {
                let shared = this.shared;
                let mut waiters = shared.rx_waiters.lock();
                waiters.register(&mut this.waiter, cx.waker());
                // Re-check under the wait list's lock: a sender that changed the state before
                // we registered drained the list after its change, so it either saw our entry
                // or its change is visible here.
                match this.check() {
                    Some(out) => {
                        if let Some(id) = this.waiter.take() {
                            waiters.remove(id);
                        }
                        out
                    }
                    None => return Poll::Pending,
                }
            }
        };
        if let Some(id) = this.waiter.take() {
            this.shared.rx_waiters.lock().remove(id);
        }
        coop.made_progress();
        Poll::Ready(out)
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.shared.rx_waiters.lock().remove(id);
        }
    }
}

/// `Sender::closed()`.
struct TxClosed<'a, T> {
    shared: &'a Shared<T>,
    waiter: Option<u64>,
}

impl<T> Future for TxClosed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let mut waiters = this.shared.tx_waiters.lock();
        // Checked under the wait list's lock: the last receiver decrements, then drains the
        // list, so either it sees our entry or we see zero.
        if this.shared.rx_count.load(Ordering::Acquire) == 0 {
            if let Some(id) = this.waiter.take() {
                waiters.remove(id);
            }
            coop.made_progress();
            return Poll::Ready(());
        }
        waiters.register(&mut this.waiter, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for TxClosed<'_, T> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.shared.tx_waiters.lock().remove(id);
        }
    }
}

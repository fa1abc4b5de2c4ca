//! A multi-producer, multi-consumer channel where every receiver sees every value: [`channel`].
//!
//! ```
//! # futures::executor::block_on(async {
//! let (tx, mut rx1) = conductor_sync::broadcast::channel(16);
//! let mut rx2 = tx.subscribe();
//! tx.send("hi").unwrap();
//! assert_eq!(rx1.recv().await, Ok("hi"));
//! assert_eq!(rx2.recv().await, Ok("hi"));
//! # });
//! ```
//!
//! # Design
//!
//! A ring of `capacity` values under one lock, indexed by a position that only grows: the
//! value sent at position `p` lives in slot `p % capacity` until position `p + capacity`
//! overwrites it. Each receiver keeps the position it reads next, so a receiver that fell
//! more than `capacity` behind learns exactly how many values it missed
//! ([`RecvError::Lagged`]). A send never waits: slow receivers lag
//! instead of holding senders back. Receivers clone values out under the lock.
//!
//! # Cancel safety
//!
//! `recv` is cancel-safe: the receiver's position moves only in the poll that returns a value
//! (or a lag), so a dropped `recv` loses nothing.

pub mod error;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::loom_facade::{Arc, Mutex};
use crate::waiters::WaitList;

use error::{RecvError, SendError, TryRecvError, ZERO_CAPACITY};

/// Creates a broadcast channel that keeps the last `capacity` values for slow receivers.
///
/// # Panics
///
/// If `capacity` is 0.
///
/// ```
/// let (tx, mut rx) = conductor_sync::broadcast::channel(2);
/// assert_eq!(tx.send(1), Ok(1), "one receiver got it");
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "{}", ZERO_CAPACITY);
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            ring: (0..capacity).map(|_| None).collect(),
            tail: 0,
            rx_count: 1,
            tx_count: 1,
            waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, next: 0 },
    )
}

struct Shared<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    /// Slot `p % len` holds the value sent at position `p`, for the last `len` positions.
    ring: Box<[Option<T>]>,
    /// The position the next send writes.
    tail: u64,
    rx_count: usize,
    tx_count: usize,
    /// Receivers waiting for a value past `tail`.
    waiters: WaitList,
}

impl<T> State<T> {
    fn cap(&self) -> u64 {
        self.ring.len() as u64
    }

    /// The oldest position still held.
    fn head(&self) -> u64 {
        self.tail.saturating_sub(self.cap())
    }
}

/// Sends values to every receiver; clone it for more producers.
///
/// ```
/// let (tx, _rx) = conductor_sync::broadcast::channel::<u8>(4);
/// let tx2 = tx.clone();
/// assert_eq!(tx2.send(1), Ok(1));
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many receivers there are. Never waits: if
    /// the ring is full the oldest value is overwritten and receivers that did not read it
    /// will see [`RecvError::Lagged`].
    ///
    /// # Errors
    ///
    /// The value back in [`SendError`] if there is no receiver.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::broadcast::channel(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send(()), Ok(2));
    /// drop(rx);
    /// drop(_rx2);
    /// assert!(tx.send(()).is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let (old, wakes, receivers) = {
            let mut st = self.shared.state.lock();
            if st.rx_count == 0 {
                return Err(SendError(value));
            }
            let idx = (st.tail % st.cap()) as usize;
            let old = st.ring[idx].replace(value);
            st.tail += 1;
            (old, st.waiters.take_all(), st.rx_count)
        };
        drop(old);
        wakes.wake();
        Ok(receivers)
    }

    /// A new receiver that sees values sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = self.shared.state.lock();
        st.rx_count += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.tail,
        }
    }

    /// Receivers now.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::broadcast::channel::<()>(4);
    /// assert_eq!(tx.receiver_count(), 1);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().rx_count
    }

    /// Values held for slow receivers now (at most the capacity).
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::broadcast::channel(2);
    /// for i in 0..5 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(tx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        let st = self.shared.state.lock();
        (st.tail - st.head()) as usize
    }

    /// Whether nothing was sent yet.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::broadcast::channel::<()>(2);
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::broadcast::channel::<()>(2);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().tx_count += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let wakes = {
            let mut st = self.shared.state.lock();
            st.tx_count -= 1;
            if st.tx_count > 0 {
                return;
            }
            st.waiters.take_all()
        };
        wakes.wake();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender").finish_non_exhaustive()
    }
}

/// Receives every value sent after it was created, in order.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::broadcast::channel(4);
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// assert_eq!(rx.recv().await, Ok(1));
/// assert_eq!(rx.recv().await, Ok(2));
/// # });
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The position this receiver reads next.
    next: u64,
}

enum Next<T> {
    Value(T),
    Lagged(u64),
    Empty,
    Closed,
}

/// What the receiver at position `next` gets now; advances `next` past it.
fn next_locked<T: Clone>(next: &mut u64, st: &State<T>) -> Next<T> {
    let head = st.head();
    if *next < head {
        let missed = head - *next;
        *next = head;
        return Next::Lagged(missed);
    }
    if *next == st.tail {
        return if st.tx_count == 0 {
            Next::Closed
        } else {
            Next::Empty
        };
    }
    let idx = (*next % st.cap()) as usize;
    let value = st.ring[idx]
        .clone()
        .expect("positions in head..tail hold a value");
    *next += 1;
    Next::Value(value)
}

impl<T: Clone> Receiver<T> {
    fn poll_recv(
        &mut self,
        waiter: &mut Option<u64>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, RecvError>> {
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let mut st = self.shared.state.lock();
        let out = match next_locked(&mut self.next, &st) {
            Next::Value(v) => Ok(v),
            Next::Lagged(n) => Err(RecvError::Lagged(n)),
            Next::Closed => Err(RecvError::Closed),
            Next::Empty => {
                st.waiters.register(waiter, cx.waker());
                return Poll::Pending;
            }
        };
        if let Some(id) = waiter.take() {
            st.waiters.remove(id);
        }
        coop.made_progress();
        Poll::Ready(out)
    }

    /// The next value.
    ///
    /// # Errors
    ///
    /// [`RecvError::Lagged`] with the exact number of values this receiver missed (the next
    /// call returns the oldest value still held), [`RecvError::Closed`] once every sender is
    /// gone and every value was read.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future loses no value.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::broadcast::channel(4);
    /// std::thread::spawn(move || tx.send(5).unwrap());
    /// assert_eq!(rx.recv().await, Ok(5));
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        Recv {
            rx: self,
            waiter: None,
        }
        .await
    }

    /// The next value if there is one now.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`], [`TryRecvError::Lagged`] or [`TryRecvError::Closed`].
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let st = self.shared.state.lock();
        match next_locked(&mut self.next, &st) {
            Next::Value(v) => Ok(v),
            Next::Lagged(n) => Err(TryRecvError::Lagged(n)),
            Next::Closed => Err(TryRecvError::Closed),
            Next::Empty => Err(TryRecvError::Empty),
        }
    }

    /// Receives from synchronous code, blocking the thread. Never call it from async code.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::broadcast::channel(4);
    /// std::thread::spawn(move || tx.send(1).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(1));
    /// ```
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        crate::block_on::block_on(self.recv())
    }
}

impl<T> Receiver<T> {
    /// A new receiver on the same channel that sees values sent from now on (not the ones
    /// this receiver has yet to read).
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut rx2 = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx2.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Self {
        let mut st = self.shared.state.lock();
        st.rx_count += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.tail,
        }
    }

    /// Values sent that this receiver has yet to read (more than the capacity means some are
    /// lost and the next receive reports a lag).
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        let st = self.shared.state.lock();
        (st.tail - self.next) as usize
    }

    /// Whether this receiver has read every value sent.
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::broadcast::channel::<()>(4);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Receivers now, this one included.
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::broadcast::channel::<()>(4);
    /// assert_eq!(rx.receiver_count(), 1);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().rx_count
    }

    /// Whether every sender is gone (values may still be left to read).
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::broadcast::channel::<()>(4);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().tx_count == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.state.lock().rx_count -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// `Receiver::recv`'s future: removes its wait-list entry when dropped.
struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    waiter: Option<u64>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.rx.poll_recv(&mut this.waiter, cx)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.rx.shared.state.lock().waiters.remove(id);
        }
    }
}

//! The bounded flavour's handles: [`Sender`], [`Receiver`], [`Permit`], [`OwnedPermit`],
//! [`WeakSender`].

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::loom_facade::Arc;

use super::chan::Chan;
use super::error::{SendError, TryRecvError, TrySendError, ZERO_CAPACITY, ZERO_LIMIT};
use super::futures::{Acquire, Closed, SendFut};

/// Creates a bounded channel holding at most `capacity` values (counting reserved permits).
///
/// # Panics
///
/// If `capacity` is 0.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::channel(2);
/// tx.send(1).await.unwrap();
/// tx.send(2).await.unwrap();
/// assert!(tx.try_send(3).is_err(), "full");
/// assert_eq!(rx.recv().await, Some(1));
/// # });
/// ```
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "{}", ZERO_CAPACITY);
    let chan = Arc::new(Chan::new(capacity));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// Sends values into a bounded channel; clone it for more producers. The channel closes for
/// the receiver when every sender is dropped.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::channel(4);
/// let tx2 = tx.clone();
/// tx.send("a").await.unwrap();
/// tx2.send("b").await.unwrap();
/// drop((tx, tx2));
/// assert_eq!(rx.recv().await, Some("a"));
/// assert_eq!(rx.recv().await, Some("b"));
/// assert_eq!(rx.recv().await, None);
/// # });
/// ```
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room if the channel is full. Waiting senders get room in
    /// the order they started waiting.
    ///
    /// # Errors
    ///
    /// The value back in [`SendError`] if the receiver was dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops the value it owns (it was never sent)
    /// and gives up its place in line; use [`reserve`](Self::reserve) to wait for room without
    /// giving the value away.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// tx.send(5).await.unwrap();
    /// assert_eq!(rx.recv().await, Some(5));
    /// # });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        SendFut {
            chan: &self.chan,
            waiter: None,
            value: Some(value),
        }
        .await
    }

    /// Sends `value` if there is room now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when at capacity (or senders are waiting),
    /// [`TrySendError::Closed`] when the receiver is gone; both carry the value back.
    ///
    /// ```
    /// use conductor_sync::mpsc::{self, error::TrySendError};
    /// let (tx, _rx) = mpsc::channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(value)
    }

    /// Sends from synchronous code, blocking the thread while the channel is full. Never call
    /// it from async code: it blocks the worker.
    ///
    /// # Errors
    ///
    /// The value back in [`SendError`] if the receiver was dropped or closed.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// std::thread::spawn(move || {
    ///     tx.blocking_send(1).unwrap();
    ///     tx.blocking_send(2).unwrap();
    /// });
    /// assert_eq!(rx.blocking_recv(), Some(1));
    /// assert_eq!(rx.blocking_recv(), Some(2));
    /// ```
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::block_on::block_on(self.send(value))
    }

    /// Waits for room and reserves one slot: the [`Permit`] sends without waiting, and gives
    /// the slot back if dropped. Cancel-safe: dropping the future loses nothing and passes on
    /// any slot it was about to get.
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver was dropped or closed.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// let permit = tx.reserve().await.unwrap();
    /// assert!(tx.try_send(0).is_err(), "the only slot is reserved");
    /// permit.send(1);
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        match (Acquire {
            chan: &self.chan,
            waiter: None,
        })
        .await
        {
            Ok(()) => Ok(Permit { chan: &self.chan }),
            Err(()) => Err(SendError(())),
        }
    }

    /// [`reserve`](Self::reserve) that owns the sender, so the permit can move into another
    /// task; [`OwnedPermit::send`] gives the sender back.
    ///
    /// # Errors
    ///
    /// The sender back in [`SendError`] if the receiver was dropped or closed.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// let permit = tx.reserve_owned().await.unwrap();
    /// let _tx = permit.send(3);
    /// assert_eq!(rx.recv().await, Some(3));
    /// # });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<Sender<T>>> {
        match (Acquire {
            chan: &self.chan,
            waiter: None,
        })
        .await
        {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(()) => Err(SendError(self)),
        }
    }

    /// Reserves a slot if one is free now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], carrying `()`.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().is_err());
    /// drop(permit);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.chan.try_acquire()?;
        Ok(Permit { chan: &self.chan })
    }

    /// Waits until the receiver is dropped or closed. Cancel-safe.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = conductor_sync::mpsc::channel::<()>(1);
    /// std::thread::spawn(move || drop(rx));
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&self) {
        Closed {
            chan: &self.chan,
            waiter: None,
        }
        .await
    }

    /// Whether the receiver was dropped or closed.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::channel::<()>(1);
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Free slots now: the bound minus buffered values and outstanding permits.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::mpsc::channel(3);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.capacity()
    }

    /// The bound the channel was created with.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::mpsc::channel::<()>(3);
    /// assert_eq!(tx.max_capacity(), 3);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.bound()
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (a, _rx) = conductor_sync::mpsc::channel::<()>(1);
    /// let (b, _rx2) = conductor_sync::mpsc::channel::<()>(1);
    /// assert!(a.same_channel(&a.clone()));
    /// assert!(!a.same_channel(&b));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    /// A sender that does not keep the channel open; [`WeakSender::upgrade`] it to send.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::mpsc::channel::<()>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.tx_inc();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.tx_dec();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Sender")
            .field("max_capacity", &self.chan.bound())
            .finish_non_exhaustive()
    }
}

/// A [`Sender`] that does not keep the channel open.
///
/// ```
/// let (tx, mut rx) = conductor_sync::mpsc::channel::<u8>(1);
/// let weak = tx.downgrade();
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(conductor_sync::mpsc::error::TryRecvError::Disconnected));
/// assert!(weak.upgrade().is_none());
/// ```
pub struct WeakSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> WeakSender<T> {
    /// A sender, if any other sender is still alive.
    ///
    /// ```
    /// let (tx, _rx) = conductor_sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// weak.upgrade().unwrap().try_send(1).unwrap();
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.chan.tx_try_inc().then(|| Sender {
            chan: self.chan.clone(),
        })
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::WeakSender").finish_non_exhaustive()
    }
}

/// One reserved slot: [`send`](Self::send) fills it without waiting; dropping it frees it.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
/// tx.reserve().await.unwrap().send("x");
/// assert_eq!(rx.recv().await, Some("x"));
/// # });
/// ```
pub struct Permit<'a, T> {
    chan: &'a Chan<T>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` in the reserved slot. If the receiver closed since the slot was
    /// reserved, the value is dropped.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(2);
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// ```
    pub fn send(self, value: T) {
        let chan = self.chan;
        std::mem::forget(self);
        drop(chan.send_permitted(value));
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release(1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Permit").finish_non_exhaustive()
    }
}

/// A reserved slot that owns its [`Sender`] (from [`Sender::reserve_owned`]).
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
/// let permit = tx.reserve_owned().await.unwrap();
/// let tx = permit.release();
/// tx.send(1).await.unwrap();
/// assert_eq!(rx.recv().await, Some(1));
/// # });
/// ```
pub struct OwnedPermit<T> {
    sender: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    /// Sends `value` in the reserved slot and gives the sender back. If the receiver closed
    /// since, the value is dropped.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// let tx = tx.reserve_owned().await.unwrap().send(1);
    /// assert!(tx.try_send(2).is_err(), "full again");
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("an OwnedPermit holds its sender until used");
        drop(sender.chan.send_permitted(value));
        sender
    }

    /// Frees the slot unused and gives the sender back.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, _rx) = conductor_sync::mpsc::channel::<u8>(1);
    /// let tx = tx.reserve_owned().await.unwrap().release();
    /// assert_eq!(tx.capacity(), 1);
    /// # });
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("an OwnedPermit holds its sender until used");
        sender.chan.release(1);
        sender
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.chan.release(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::OwnedPermit").finish_non_exhaustive()
    }
}

/// Receives the values of a bounded channel, in the order they were sent. Dropping it closes
/// the channel and drops every buffered value.
///
/// Also a [`futures_core::Stream`] of the values.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::channel(8);
/// for i in 0..3 {
///     tx.send(i).await.unwrap();
/// }
/// drop(tx);
/// let mut got = Vec::new();
/// while let Some(i) = rx.recv().await {
///     got.push(i);
/// }
/// assert_eq!(got, [0, 1, 2]);
/// # });
/// ```
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Receiver<T> {
    /// The next value, or `None` once every sender is gone (or the receiver was closed and
    /// no reserved slot remains) and the buffer is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a value is taken out of the channel only in the poll that returns it, so
    /// dropping the future (in a `select`, say) loses no message.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(7).unwrap());
    /// assert_eq!(rx.recv().await, Some(7));
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.chan.poll_recv(cx)).await
    }

    /// Polls for the next value (the building block of [`recv`](Self::recv) and of `Stream`).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(rx.poll_recv(&mut cx).is_pending());
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Waits for at least one value, then appends up to `limit` buffered values to `buf`.
    /// Returns how many were appended; 0 means the channel is finished. Cancel-safe.
    ///
    /// # Panics
    ///
    /// If `limit` is 0.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(4);
    /// for i in 0..3 {
    ///     tx.send(i).await.unwrap();
    /// }
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.recv_many(&mut buf, 2).await, 2);
    /// assert_eq!(buf, [0, 1]);
    /// # });
    /// ```
    pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        assert!(limit > 0, "{}", ZERO_LIMIT);
        std::future::poll_fn(|cx| self.chan.poll_recv_many(buf, limit, cx)).await
    }

    /// Takes the next value if one is buffered.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if nothing is buffered, [`TryRecvError::Disconnected`] if
    /// nothing more can come.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Receives from synchronous code, blocking the thread. Never call it from async code.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(1).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(1));
    /// assert_eq!(rx.blocking_recv(), None);
    /// ```
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::block_on::block_on(self.recv())
    }

    /// Closes the channel without dropping the receiver: sends fail from now on, waiting
    /// senders wake with an error, and what is buffered (or sent through slots reserved
    /// before) can still be received.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::channel(2);
    /// tx.send(1).await.unwrap();
    /// rx.close();
    /// assert!(tx.send(2).await.is_err());
    /// assert_eq!(rx.recv().await, Some(1));
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Values buffered now.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether nothing is buffered now.
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::mpsc::channel::<()>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Free slots now (see [`Sender::capacity`]).
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::mpsc::channel::<()>(2);
    /// assert_eq!(rx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.capacity()
    }

    /// The bound the channel was created with.
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::mpsc::channel::<()>(2);
    /// assert_eq!(rx.max_capacity(), 2);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.bound()
    }

    /// Live senders (weak ones not counted).
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::mpsc::channel::<()>(2);
    /// let _tx2 = tx.clone();
    /// assert_eq!(rx.sender_strong_count(), 2);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.chan.tx_count()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.rx_drop();
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().chan.poll_recv(cx)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Receiver")
            .field("max_capacity", &self.chan.bound())
            .finish_non_exhaustive()
    }
}

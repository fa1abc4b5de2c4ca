//! The unbounded flavour's handles: [`UnboundedSender`], [`UnboundedReceiver`]. The same
//! channel as the bounded one with no bound: sending never waits.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::loom_facade::Arc;

use super::chan::Chan;
use super::error::{SendError, TryRecvError, ZERO_LIMIT};
use super::futures::Closed;

/// Creates a channel with no bound: [`UnboundedSender::send`] never waits. Memory grows with
/// the values the receiver has not taken yet.
///
/// ```
/// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap();
/// }
/// assert_eq!(rx.try_recv(), Ok(0));
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Arc::new(Chan::new(usize::MAX));
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver {
            chan,
            local: VecDeque::new(),
        },
    )
}

/// Sends values into an unbounded channel; clone it for more producers.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
/// tx.clone().send(1).unwrap();
/// assert_eq!(rx.recv().await, Some(1));
/// # });
/// ```
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting.
    ///
    /// # Errors
    ///
    /// The value back in [`SendError`] if the receiver was dropped or closed.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::mpsc::unbounded_channel();
    /// drop(rx);
    /// assert_eq!(tx.send(1).unwrap_err().0, 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan
            .try_send(value)
            .map_err(|e| SendError(e.into_inner()))
    }

    /// Waits until the receiver is dropped or closed. Cancel-safe.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = conductor_sync::mpsc::unbounded_channel::<()>();
    /// drop(rx);
    /// tx.closed().await;
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
    /// let (tx, rx) = conductor_sync::mpsc::unbounded_channel::<()>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (a, _rx) = conductor_sync::mpsc::unbounded_channel::<()>();
    /// assert!(a.same_channel(&a.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.tx_inc();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.tx_dec();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::UnboundedSender")
            .finish_non_exhaustive()
    }
}

/// Receives the values of an unbounded channel, in the order they were sent. Dropping it
/// closes the channel and drops every buffered value. Also a [`futures_core::Stream`].
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
/// tx.send("a").unwrap();
/// drop(tx);
/// assert_eq!(rx.recv().await, Some("a"));
/// assert_eq!(rx.recv().await, None);
/// # });
/// ```
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
    /// Values already taken out of the channel in one batch, served without the lock.
    local: VecDeque<T>,
}

impl<T> UnboundedReceiver<T> {
    /// The next value, or `None` once every sender is gone and the buffer is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future loses no message.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.chan.poll_recv_batched(&mut self.local, cx)).await
    }

    /// Polls for the next value.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv_batched(&mut self.local, cx)
    }

    /// Waits for at least one value, then appends up to `limit` buffered values to `buf`;
    /// returns how many (0: the channel is finished). Cancel-safe.
    ///
    /// # Panics
    ///
    /// If `limit` is 0.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.recv_many(&mut buf, 10).await, 2);
    /// # });
    /// ```
    pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        assert!(limit > 0, "{}", ZERO_LIMIT);
        std::future::poll_fn(|cx| {
            self.chan
                .poll_recv_many_batched(&mut self.local, buf, limit, cx)
        })
        .await
    }

    /// Takes the next value if one is buffered.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] or [`TryRecvError::Disconnected`].
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel::<u8>();
    /// assert!(rx.try_recv().is_err());
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv_batched(&mut self.local)
    }

    /// Receives from synchronous code, blocking the thread. Never call it from async code.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
    /// std::thread::spawn(move || tx.send(1).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(1));
    /// ```
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::block_on::block_on(self.recv())
    }

    /// Closes the channel; what is buffered can still be received.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Values buffered now.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::mpsc::unbounded_channel();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len() + self.local.len()
    }

    /// Whether nothing is buffered now.
    ///
    /// ```
    /// let (_tx, rx) = conductor_sync::mpsc::unbounded_channel::<()>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// Values are moved in and out of `local`, never pinned in place.
impl<T> Unpin for UnboundedReceiver<T> {}

impl<T> Drop for UnboundedReceiver<T> {
    fn drop(&mut self) {
        self.chan.rx_drop();
    }
}

impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        this.chan.poll_recv_batched(&mut this.local, cx)
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::UnboundedReceiver")
            .finish_non_exhaustive()
    }
}

//! The mpsc channel's errors. Every send error carries the unsent value back.

use std::fmt;

/// The receiver was dropped or closed; the unsent value is inside.
///
/// ```
/// let (tx, rx) = conductor_sync::mpsc::unbounded_channel();
/// drop(rx);
/// let err = tx.send(String::from("lost?")).unwrap_err();
/// assert_eq!(err.0, "lost?", "no: it comes back");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

crate::error::value_error_impls!(
    SendError,
    "channel closed: the receiver was dropped or closed"
);

/// Why [`try_send`](super::Sender::try_send) did not send; the value is inside either way.
///
/// ```
/// use conductor_sync::mpsc::{self, error::TrySendError};
/// let (tx, rx) = mpsc::channel(1);
/// tx.try_send(1).unwrap();
/// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
/// drop(rx);
/// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The channel is at capacity (or senders are already waiting for room).
    Full(T),
    /// The receiver was dropped or closed.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    ///
    /// ```
    /// use conductor_sync::mpsc::error::TrySendError;
    /// assert_eq!(TrySendError::Full(4).into_inner(), 4);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("channel full"),
            TrySendError::Closed(_) => f.write_str("channel closed"),
        }
    }
}

impl<T> std::error::Error for TrySendError<T> {}

impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(err: SendError<T>) -> Self {
        TrySendError::Closed(err.0)
    }
}

/// Why [`try_recv`](super::Receiver::try_recv) returned no value.
///
/// ```
/// use conductor_sync::mpsc::{self, error::TryRecvError};
/// let (tx, mut rx) = mpsc::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing buffered; senders remain.
    Empty,
    /// Nothing buffered and every sender is gone: nothing more will come.
    Disconnected,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Disconnected => f.write_str("channel empty and every sender dropped"),
        }
    }
}

impl std::error::Error for TryRecvError {}

/// `channel(0)`.
pub(super) const ZERO_CAPACITY: &str =
    "mpsc::channel needs a capacity of at least 1; use a oneshot or an unbounded channel instead";
/// `Receiver::recv_many` with `limit == 0`.
pub(super) const ZERO_LIMIT: &str = "recv_many needs a limit of at least 1";

//! The oneshot channel's errors.

use std::fmt;

/// The sender was dropped without sending: returned by awaiting a
/// [`Receiver`](super::Receiver) and by [`blocking_recv`](super::Receiver::blocking_recv).
///
/// ```
/// let (tx, rx) = conductor_sync::oneshot::channel::<u8>();
/// drop(tx);
/// assert_eq!(futures::executor::block_on(rx), Err(conductor_sync::oneshot::RecvError));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot channel closed: the sender was dropped without sending")
    }
}

impl std::error::Error for RecvError {}

/// Why [`try_recv`](super::Receiver::try_recv) returned no value.
///
/// ```
/// use conductor_sync::oneshot::{self, TryRecvError};
/// let (tx, mut rx) = oneshot::channel::<u8>();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value yet; the sender may still send.
    Empty,
    /// No value will come: the sender was dropped, the receiver was closed, or the value was
    /// already taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("oneshot channel empty"),
            TryRecvError::Closed => f.write_str("oneshot channel closed"),
        }
    }
}

impl std::error::Error for TryRecvError {}

/// Polling a `Receiver` again after it returned `Ready`.
pub(super) const POLLED_AFTER_COMPLETE: &str = "oneshot::Receiver polled after it completed; \
     a oneshot delivers one result: keep it instead of awaiting the receiver again";

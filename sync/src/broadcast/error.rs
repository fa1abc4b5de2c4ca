//! The broadcast channel's errors.

use std::fmt;

/// No receiver exists; the unsent value is inside.
///
/// ```
/// let (tx, rx) = conductor_sync::broadcast::channel(4);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().0, 1);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

crate::error::value_error_impls!(SendError, "broadcast channel has no receivers");

/// Why [`recv`](super::Receiver::recv) returned no value.
///
/// ```
/// # futures::executor::block_on(async {
/// use conductor_sync::broadcast::{self, error::RecvError};
/// let (tx, mut rx) = broadcast::channel(1);
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// assert_eq!(rx.recv().await, Err(RecvError::Lagged(1)));
/// assert_eq!(rx.recv().await, Ok(2));
/// drop(tx);
/// assert_eq!(rx.recv().await, Err(RecvError::Closed));
/// # });
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvError {
    /// Every sender is gone and this receiver has seen every value.
    Closed,
    /// This receiver fell behind: this many values were overwritten before it read them. The
    /// next receive returns the oldest value still held.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("broadcast channel closed"),
            RecvError::Lagged(n) => write!(f, "broadcast receiver lagged by {n} values"),
        }
    }
}

impl std::error::Error for RecvError {}

/// Why [`try_recv`](super::Receiver::try_recv) returned no value.
///
/// ```
/// use conductor_sync::broadcast::{self, error::TryRecvError};
/// let (_tx, mut rx) = broadcast::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing new; senders remain.
    Empty,
    /// Every sender is gone and this receiver has seen every value.
    Closed,
    /// Values were overwritten before this receiver read them (see [`RecvError::Lagged`]).
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("broadcast channel empty"),
            TryRecvError::Closed => f.write_str("broadcast channel closed"),
            TryRecvError::Lagged(n) => write!(f, "broadcast receiver lagged by {n} values"),
        }
    }
}

impl std::error::Error for TryRecvError {}

/// `channel(0)`.
pub(super) const ZERO_CAPACITY: &str = "broadcast::channel needs a capacity of at least 1 (the number of values kept for slow receivers)";

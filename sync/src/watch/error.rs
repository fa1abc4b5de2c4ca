//! The watch channel's errors.

use std::fmt;

/// No receiver exists; the value that was not stored is inside.
///
/// ```
/// let (tx, rx) = conductor_sync::watch::channel(0);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().0, 1);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

crate::error::value_error_impls!(SendError, "watch channel has no receivers");

/// The sender was dropped (and, for `changed`, no unseen value is left).
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = conductor_sync::watch::channel(0);
/// drop(tx);
/// assert_eq!(rx.changed().await, Err(conductor_sync::watch::error::RecvError));
/// # });
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch channel closed: the sender was dropped")
    }
}

impl std::error::Error for RecvError {}

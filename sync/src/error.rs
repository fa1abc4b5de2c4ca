//! The errors of the lock-family primitives.

use std::fmt;

/// `Debug` (naming the type, not the value, which need not be `Debug`), `Display` (`$msg`)
/// and `Error` for a channel's `$t<T>(pub T)` error that hands an unsent value back.
macro_rules! value_error_impls {
    ($t:ident, $msg:literal) => {
        impl<T> std::fmt::Debug for $t<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }

        impl<T> std::fmt::Display for $t<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($msg)
            }
        }

        impl<T> std::error::Error for $t<T> {}
    };
}

pub(crate) use value_error_impls;

/// The semaphore was closed while or before acquiring: no permit was taken.
///
/// ```
/// use conductor_sync::Semaphore;
///
/// let sem = Semaphore::new(1);
/// sem.close();
/// let err = futures::executor::block_on(sem.acquire()).unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(pub(crate) ());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why a `try_acquire` took no permit.
///
/// ```
/// use conductor_sync::{Semaphore, TryAcquireError};
///
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore is closed.
    Closed,
    /// Not enough permits are available now (or others are queued ahead).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

/// The lock is held (or others are queued for it), so `try_lock`/`try_read`/`try_write`
/// could not take it.
///
/// ```
/// use conductor_sync::Mutex;
///
/// let m = Mutex::new(1);
/// let _g = m.try_lock().unwrap();
/// assert_eq!(m.try_lock().unwrap_err().to_string(), "lock is held");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lock is held")
    }
}

impl std::error::Error for TryLockError {}

/// Why [`OnceCell::set`](crate::OnceCell::set) did not store the value; carries it back.
///
/// ```
/// use conductor_sync::{OnceCell, SetError};
///
/// let cell = OnceCell::new();
/// cell.set(1).unwrap();
/// assert_eq!(cell.set(2), Err(SetError::AlreadyInitialized(2)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitialized(T),
    /// Another caller is initializing the cell right now.
    Initializing(T),
}

impl<T> SetError<T> {
    /// The value that was not stored.
    ///
    /// ```
    /// use conductor_sync::OnceCell;
    ///
    /// let cell = OnceCell::new_with(Some(1));
    /// assert_eq!(cell.set(7).unwrap_err().into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            SetError::AlreadyInitialized(v) | SetError::Initializing(v) => v,
        }
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitialized(_) => f.write_str("cell already initialized"),
            SetError::Initializing(_) => f.write_str("cell is being initialized"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

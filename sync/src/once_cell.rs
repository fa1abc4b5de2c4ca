//! `OnceCell`: a value set once, by at most one initializer at a time.
//!
//! The value lives in a `OnceLock`; who may initialize is decided by a one-permit semaphore.
//! An initializer holds the permit while its future runs; on success it stores the value and
//! closes the semaphore, which fails every queued waiter's acquire (and they read the value).
//! If the initializer fails or is dropped (cancelled), the permit is released and goes to the
//! next waiter in FIFO order, which initializes in its turn.

use std::fmt;
use std::future::Future;

use crate::batch_semaphore::BatchSemaphore;
use crate::error::SetError;
use crate::loom_facade::OnceLock;

/// A thread-safe cell written once, with async initialization that runs at most once at a time.
///
/// ```
/// use conductor_sync::OnceCell;
///
/// static CONFIG: OnceCell<String> = OnceCell::const_new();
///
/// # futures::executor::block_on(async {
/// let v = CONFIG.get_or_init(|| async { String::from("loaded") }).await;
/// assert_eq!(v, "loaded");
/// assert_eq!(CONFIG.get().map(String::as_str), Some("loaded"));
/// # });
/// ```
pub struct OnceCell<T> {
    value: OnceLock<T>,
    init: BatchSemaphore,
}

/// Releases the init permit unless disarmed: runs when an initializer fails, panics or is
/// dropped mid-way, handing initialization to the next waiter.
struct InitPermit<'a>(Option<&'a BatchSemaphore>);

impl Drop for InitPermit<'_> {
    fn drop(&mut self) {
        if let Some(sem) = self.0 {
            sem.release(1);
        }
    }
}

impl<T> OnceCell<T> {
    /// An empty cell.
    ///
    /// ```
    /// let cell = conductor_sync::OnceCell::<u8>::new();
    /// assert!(!cell.initialized());
    /// ```
    pub fn new() -> Self {
        Self {
            value: OnceLock::new(),
            init: BatchSemaphore::new(1),
        }
    }

    /// An empty cell usable in a `static`.
    ///
    /// ```
    /// static CELL: conductor_sync::OnceCell<u8> = conductor_sync::OnceCell::const_new();
    /// assert!(CELL.get().is_none());
    /// ```
    #[cfg(not(conductor_loom))]
    pub const fn const_new() -> Self {
        Self {
            value: OnceLock::new(),
            init: BatchSemaphore::new(1),
        }
    }

    /// A cell holding `value` if it is `Some`.
    ///
    /// ```
    /// let cell = conductor_sync::OnceCell::new_with(Some(3));
    /// assert_eq!(cell.get(), Some(&3));
    /// ```
    pub fn new_with(value: Option<T>) -> Self {
        let cell = Self::new();
        if let Some(value) = value {
            let _ = cell.value.set(value);
            cell.init.close();
        }
        cell
    }

    /// Whether the cell holds a value.
    ///
    /// ```
    /// let cell = conductor_sync::OnceCell::new();
    /// cell.set(1).unwrap();
    /// assert!(cell.initialized());
    /// ```
    pub fn initialized(&self) -> bool {
        self.value.get().is_some()
    }

    /// The value, if set.
    ///
    /// ```
    /// let cell = conductor_sync::OnceCell::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set(2).unwrap();
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, mutably, if set.
    ///
    /// ```
    /// let mut cell = conductor_sync::OnceCell::new_with(Some(1));
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// Stores `value` if the cell is empty and no initializer is running.
    ///
    /// # Errors
    ///
    /// [`SetError::AlreadyInitialized`] or [`SetError::Initializing`], carrying `value` back.
    ///
    /// ```
    /// use conductor_sync::{OnceCell, SetError};
    /// let cell = OnceCell::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(SetError::AlreadyInitialized(2)));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitialized(value));
        }
        match self.init.try_acquire(1) {
            Ok(()) => {
                if self.initialized() {
                    self.init.release(1);
                    return Err(SetError::AlreadyInitialized(value));
                }
                self.store(value);
                Ok(())
            }
            Err(crate::TryAcquireError::Closed) => Err(SetError::AlreadyInitialized(value)),
            Err(crate::TryAcquireError::NoPermits) => Err(SetError::Initializing(value)),
        }
    }

    /// With the init permit held: stores the value and closes the semaphore, so every waiter
    /// wakes and reads it. The permit is never released.
    fn store(&self, value: T) -> &T {
        if self.value.set(value).is_err() {
            unreachable!("OnceCell: only the init permit's holder stores a value");
        }
        self.init.close();
        self.value.get().expect("just stored")
    }

    /// The value, initializing it with `f().await` if the cell is empty. Concurrent callers
    /// wait in FIFO order while one of them initializes; `f` runs only in that one.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: if the initializing caller is dropped mid-way, the next waiter (or the next
    /// caller) runs its own `f`.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let cell = conductor_sync::OnceCell::new();
    /// assert_eq!(*cell.get_or_init(|| async { 1 }).await, 1);
    /// assert_eq!(*cell.get_or_init(|| async { 2 }).await, 1);
    /// # });
    /// ```
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(f().await) })
            .await
        {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// The value, initializing it with `f().await` if the cell is empty; an `Err` from `f`
    /// leaves the cell empty (the next waiter tries its own `f`) and is returned.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`get_or_init`](Self::get_or_init).
    ///
    /// # Errors
    ///
    /// `f`'s error.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let cell = conductor_sync::OnceCell::new();
    /// assert_eq!(cell.get_or_try_init(|| async { Err::<u8, _>("no") }).await, Err("no"));
    /// assert_eq!(cell.get_or_try_init(|| async { Ok::<_, &str>(5) }).await, Ok(&5));
    /// # });
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        if self.init.acquire(1).await.is_err() {
            // Closed: only `store` closes, after setting the value.
            return Ok(self.value.get().expect("OnceCell closed without a value"));
        }
        let mut permit = InitPermit(Some(&self.init));
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        let value = f().await?;
        permit.0 = None;
        Ok(self.store(value))
    }

    /// The value, consuming the cell.
    ///
    /// ```
    /// assert_eq!(conductor_sync::OnceCell::new_with(Some(4)).into_inner(), Some(4));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Takes the value out, leaving the cell empty (and initializable again).
    ///
    /// ```
    /// let mut cell = conductor_sync::OnceCell::new_with(Some(4));
    /// assert_eq!(cell.take(), Some(4));
    /// assert!(cell.set(5).is_ok());
    /// ```
    pub fn take(&mut self) -> Option<T> {
        let value = self.value.take();
        if value.is_some() {
            self.init = BatchSemaphore::new(1);
        }
        value
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> Self {
        Self::new_with(Some(value))
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    fn clone(&self) -> Self {
        Self::new_with(self.get().cloned())
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

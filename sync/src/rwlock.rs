//! `RwLock`: a fair async reader-writer lock on a semaphore of `max_readers` permits, and its
//! guards. A reader takes one permit, a writer all of them; the semaphore's FIFO order makes
//! it writer-preferring without starving anyone: once a writer queues, later readers queue
//! behind it, and the writer gets the lock as soon as the readers before it are done.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
// std's Arc: part of the public API (owned guards), not of a loom-checked protocol.
use std::sync::Arc;

use crate::batch_semaphore::BatchSemaphore;
use crate::error::TryLockError;

/// The most readers a [`RwLock`] allows by default (and at most): `u32::MAX >> 3`.
const MAX_READS: u32 = u32::MAX >> 3;

const NEVER_CLOSED: &str = "an RwLock's semaphore is never closed";

/// A fair async reader-writer lock: many readers or one writer, served in FIFO order.
///
/// ```
/// use conductor_sync::RwLock;
///
/// # futures::executor::block_on(async {
/// let lock = RwLock::new(5);
/// {
///     let r1 = lock.read().await;
///     let r2 = lock.read().await;
///     assert_eq!(*r1 + *r2, 10);
/// }
/// *lock.write().await += 1;
/// assert_eq!(*lock.read().await, 6);
/// # });
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    sem: BatchSemaphore,
    data: UnsafeCell<T>,
}

// SAFETY: a write guard holds every permit (exclusive `&mut T`: needs `T: Send` to be used from
// another thread), read guards share `&T` between threads (needs `T: Sync`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}
// SAFETY: moving the lock moves the `T`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new unlocked lock allowing up to `u32::MAX >> 3` readers at once.
    ///
    /// ```
    /// let lock = conductor_sync::RwLock::new(1);
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    pub fn new(value: T) -> Self {
        Self::with_max_readers(value, MAX_READS)
    }

    /// A new unlocked lock allowing at most `max_readers` readers at once (a reader beyond
    /// that waits).
    ///
    /// # Panics
    ///
    /// If `max_readers` is 0 or over `u32::MAX >> 3`.
    ///
    /// ```
    /// let lock = conductor_sync::RwLock::with_max_readers(0, 2);
    /// let _a = lock.try_read().unwrap();
    /// let _b = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    pub fn with_max_readers(value: T, max_readers: u32) -> Self {
        assert!(
            (1..=MAX_READS).contains(&max_readers),
            "RwLock::with_max_readers: max_readers must be between 1 and u32::MAX >> 3, got {max_readers}"
        );
        Self {
            max_readers,
            sem: BatchSemaphore::new(max_readers as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// A new unlocked lock, usable in a `static`.
    ///
    /// ```
    /// static CONFIG: conductor_sync::RwLock<u8> = conductor_sync::RwLock::const_new(3);
    /// assert_eq!(*CONFIG.try_read().unwrap(), 3);
    /// ```
    #[cfg(not(conductor_loom))]
    pub const fn const_new(value: T) -> Self {
        Self {
            max_readers: MAX_READS,
            sem: BatchSemaphore::new(MAX_READS as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// The value, consuming the lock.
    ///
    /// ```
    /// assert_eq!(conductor_sync::RwLock::new("v").into_inner(), "v");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access, in FIFO order: behind any queued writer.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future never leaves a read lock taken.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let lock = conductor_sync::RwLock::new(1);
    /// assert_eq!(*lock.read().await, 1);
    /// # });
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.sem.acquire(1).await.expect(NEVER_CLOSED);
        RwLockReadGuard { lock: self }
    }

    /// Waits for exclusive access, in FIFO order.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future never leaves the lock taken; the read permits it had
    /// gathered while waiting go on to the next waiters.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let lock = conductor_sync::RwLock::new(1);
    /// *lock.write().await = 2;
    /// assert_eq!(*lock.read().await, 2);
    /// # });
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.sem
            .acquire(self.max_readers as usize)
            .await
            .expect(NEVER_CLOSED);
        RwLockWriteGuard {
            lock: self,
            _not_sync: PhantomData,
        }
    }

    /// Takes shared access if no writer holds or waits for the lock.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if a writer holds it, or anyone is queued.
    ///
    /// ```
    /// let lock = conductor_sync::RwLock::new(1);
    /// let w = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// drop(w);
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.sem.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(RwLockReadGuard { lock: self })
    }

    /// Takes exclusive access if the lock is free and no one is queued.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if it is held or anyone is queued.
    ///
    /// ```
    /// let lock = conductor_sync::RwLock::new(1);
    /// let r = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// drop(r);
    /// assert!(lock.try_write().is_ok());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.sem
            .try_acquire(self.max_readers as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(RwLockWriteGuard {
            lock: self,
            _not_sync: PhantomData,
        })
    }

    /// [`read`](Self::read) for a guard owning an `Arc` of the lock (`'static`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as `read`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # futures::executor::block_on(async {
    /// let lock = Arc::new(conductor_sync::RwLock::new(1));
    /// let r = lock.clone().read_owned().await;
    /// assert_eq!(*r, 1);
    /// # });
    /// ```
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.sem.acquire(1).await.expect(NEVER_CLOSED);
        OwnedRwLockReadGuard { lock: self }
    }

    /// [`write`](Self::write) for a guard owning an `Arc` of the lock (`'static`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as `write`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # futures::executor::block_on(async {
    /// let lock = Arc::new(conductor_sync::RwLock::new(1));
    /// *lock.clone().write_owned().await = 4;
    /// assert_eq!(*lock.read().await, 4);
    /// # });
    /// ```
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.sem
            .acquire(self.max_readers as usize)
            .await
            .expect(NEVER_CLOSED);
        OwnedRwLockWriteGuard {
            lock: self,
            _not_sync: PhantomData,
        }
    }

    /// [`try_read`](Self::try_read) for an owned guard.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] as `try_read`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(conductor_sync::RwLock::new(1));
    /// assert_eq!(*lock.clone().try_read_owned().unwrap(), 1);
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        self.sem.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(OwnedRwLockReadGuard { lock: self })
    }

    /// [`try_write`](Self::try_write) for an owned guard.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] as `try_write`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(conductor_sync::RwLock::new(1));
    /// *lock.clone().try_write_owned().unwrap() = 2;
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        self.sem
            .try_acquire(self.max_readers as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(OwnedRwLockWriteGuard {
            lock: self,
            _not_sync: PhantomData,
        })
    }

    /// The value through `&mut self` (no locking: no guard can exist).
    ///
    /// ```
    /// let mut lock = conductor_sync::RwLock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.field("max_readers", &self.max_readers).finish()
    }
}

/// Shared access to an [`RwLock`]'s data; dropping it releases the read lock.
///
/// ```
/// let lock = conductor_sync::RwLock::new(2);
/// let r = lock.try_read().unwrap();
/// assert_eq!(*r, 2);
/// ```
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    /// `&RwLock<T>` is `Send`/`Sync` when `T: Send + Sync`, which is what sharing `&T` needs.
    lock: &'a RwLock<T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds one permit, so no writer (which needs all of them) holds the
        // lock: no `&mut T` exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to an [`RwLock`]'s data; dropping it releases the lock.
///
/// ```
/// let lock = conductor_sync::RwLock::new(2);
/// *lock.try_write().unwrap() = 3;
/// assert_eq!(lock.into_inner(), 3);
/// ```
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// `Send + !Sync` marker: `Sync` only with `T: Sync` (impl below).
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: sharing the guard shares `&T` (needs `T: Sync`); the lock needs `T: Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit: no other guard exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds every permit, and `&mut self` makes this the only reference.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(self.lock.max_readers as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Shared access owning an `Arc` of its [`RwLock`] (`'static`).
///
/// ```
/// use std::sync::Arc;
/// let lock = Arc::new(conductor_sync::RwLock::new(1));
/// let r = lock.clone().try_read_owned().unwrap();
/// std::thread::spawn(move || assert_eq!(*r, 1)).join().unwrap();
/// ```
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockReadGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
}

impl<T: ?Sized> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `RwLockReadGuard`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedRwLockReadGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access owning an `Arc` of its [`RwLock`] (`'static`).
///
/// ```
/// use std::sync::Arc;
/// let lock = Arc::new(conductor_sync::RwLock::new(1));
/// let mut w = lock.clone().try_write_owned().unwrap();
/// *w = 5;
/// drop(w);
/// assert_eq!(*lock.try_read().unwrap(), 5);
/// ```
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    /// As in [`RwLockWriteGuard`].
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: as for `RwLockWriteGuard`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `RwLockWriteGuard`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `RwLockWriteGuard`.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(self.lock.max_readers as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

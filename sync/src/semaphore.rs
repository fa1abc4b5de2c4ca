//! `Semaphore`: a fair counting semaphore, and its permits.

use std::fmt;
use std::sync::Arc;

use crate::batch_semaphore::{BatchSemaphore, MAX_PERMITS};
use crate::error::{AcquireError, TryAcquireError};

/// A fair (FIFO) counting semaphore.
///
/// Waiters are served strictly in the order they started waiting: a task asking for many
/// permits is not starved by later tasks asking for few, and `try_acquire` fails while anyone
/// is queued. Acquiring and releasing with no one waiting is one atomic operation each.
///
/// Runtime-agnostic: the futures only store and wake `Waker`s. On conductor each acquire spends
/// one unit of the task's cooperative budget.
///
/// ```
/// use std::sync::Arc;
/// use conductor_sync::Semaphore;
///
/// # futures::executor::block_on(async {
/// let sem = Arc::new(Semaphore::new(2));
/// let a = sem.acquire().await.unwrap();
/// let b = sem.clone().acquire_owned().await.unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop((a, b));
/// assert_eq!(sem.available_permits(), 2);
/// # });
/// ```
pub struct Semaphore {
    inner: BatchSemaphore,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`. Going over it panics.
    ///
    /// ```
    /// assert_eq!(conductor_sync::Semaphore::MAX_PERMITS, usize::MAX >> 3);
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` is over [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        Self {
            inner: BatchSemaphore::new(permits),
        }
    }

    /// A semaphore usable in a `static`.
    ///
    /// ```
    /// use conductor_sync::Semaphore;
    ///
    /// static LIMIT: Semaphore = Semaphore::const_new(4);
    /// assert_eq!(LIMIT.try_acquire_many(4).unwrap().num_permits(), 4);
    /// ```
    #[cfg(not(conductor_loom))]
    pub const fn const_new(permits: usize) -> Self {
        Self {
            inner: BatchSemaphore::new(permits),
        }
    }

    /// Permits available right now (a snapshot).
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Adds `n` permits. They go to queued waiters first, in FIFO order.
    ///
    /// # Panics
    ///
    /// If the total would exceed [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.inner.release(n);
    }

    /// Waits for one permit, in FIFO order.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future before it completes leaves the semaphore as if it had
    /// never been called; a permit already handed to it passes on to the next waiter. It does
    /// lose its place in the queue.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is or gets closed.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let sem = conductor_sync::Semaphore::new(1);
    /// let permit = sem.acquire().await.unwrap();
    /// assert_eq!(permit.num_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits at once, in FIFO order (permits released meanwhile are held for
    /// it as they come, so later waiters do not overtake it).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: every permit already assigned to the dropped future passes on.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is or gets closed.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let sem = conductor_sync::Semaphore::new(5);
    /// let permit = sem.acquire_many(3).await.unwrap();
    /// assert_eq!(sem.available_permits(), 2);
    /// drop(permit);
    /// assert_eq!(sem.available_permits(), 5);
    /// # });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        let n = n as usize;
        self.inner.acquire(n).await.map_err(|()| AcquireError(()))?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes one permit if one is available now and no one is queued.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::NoPermits`] or [`TryAcquireError::Closed`].
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(p);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if that many are available now and no one is queued.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::NoPermits`] or [`TryAcquireError::Closed`].
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let n = n as usize;
        self.inner.try_acquire(n)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// [`acquire`](Self::acquire) for a permit that owns an `Arc` of the semaphore (`'static`,
    /// so it can move into a spawned task).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as `acquire`.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is or gets closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # futures::executor::block_on(async {
    /// let sem = Arc::new(conductor_sync::Semaphore::new(1));
    /// let permit = sem.clone().acquire_owned().await.unwrap();
    /// std::thread::spawn(move || drop(permit)).join().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// [`acquire_many`](Self::acquire_many) for an owned permit.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as `acquire_many`.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] if the semaphore is or gets closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # futures::executor::block_on(async {
    /// let sem = Arc::new(conductor_sync::Semaphore::new(4));
    /// let permit = sem.clone().acquire_many_owned(4).await.unwrap();
    /// assert_eq!(permit.num_permits(), 4);
    /// # });
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        let n = n as usize;
        self.inner.acquire(n).await.map_err(|()| AcquireError(()))?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// [`try_acquire`](Self::try_acquire) for an owned permit.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::NoPermits`] or [`TryAcquireError::Closed`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(conductor_sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// # drop(p);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// [`try_acquire_many`](Self::try_acquire_many) for an owned permit.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::NoPermits`] or [`TryAcquireError::Closed`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(conductor_sync::Semaphore::new(3));
    /// assert_eq!(sem.clone().try_acquire_many_owned(3).unwrap().num_permits(), 3);
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        let n = n as usize;
        self.inner.try_acquire(n)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Closes the semaphore: every queued and later `acquire` fails with [`AcquireError`] and
    /// every `try_acquire` with [`TryAcquireError::Closed`]. Permits already held stay valid
    /// and are still returned when dropped.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let sem = conductor_sync::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.acquire().await.is_err());
    /// # });
    /// ```
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(1);
    /// assert!(!sem.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// Permits borrowed from a [`Semaphore`]; dropping it returns them.
///
/// ```
/// let sem = conductor_sync::Semaphore::new(2);
/// let permit = sem.try_acquire_many(2).unwrap();
/// drop(permit);
/// assert_eq!(sem.available_permits(), 2);
/// ```
#[must_use = "dropping the permit returns it at once"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: usize,
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

impl SemaphorePermit<'_> {
    /// How many permits this holds.
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Drops the permits without returning them: the semaphore has that many fewer for good.
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// Takes over the permits of `other` (of the same semaphore).
    ///
    /// # Panics
    ///
    /// If `other` belongs to a different semaphore.
    ///
    /// ```
    /// let sem = conductor_sync::Semaphore::new(3);
    /// let mut a = sem.try_acquire().unwrap();
    /// a.merge(sem.try_acquire_many(2).unwrap());
    /// assert_eq!(a.num_permits(), 3);
    /// ```
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "SemaphorePermit::merge: the permits belong to different semaphores"
        );
        self.permits += std::mem::take(&mut other.permits);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.inner.release(self.permits);
    }
}

/// Permits of an `Arc<Semaphore>`, `'static`; dropping it returns them.
///
/// ```
/// use std::sync::Arc;
/// let sem = Arc::new(conductor_sync::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
/// ```
#[must_use = "dropping the permit returns it at once"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: usize,
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

impl OwnedSemaphorePermit {
    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(conductor_sync::Semaphore::new(2));
    /// assert_eq!(sem.try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore these permits belong to.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(conductor_sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert_eq!(p.semaphore().available_permits(), 0);
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }

    /// Drops the permits without returning them.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(conductor_sync::Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// Takes over the permits of `other` (of the same semaphore).
    ///
    /// # Panics
    ///
    /// If `other` belongs to a different semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(conductor_sync::Semaphore::new(2));
    /// let mut a = sem.clone().try_acquire_owned().unwrap();
    /// a.merge(sem.clone().try_acquire_owned().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "OwnedSemaphorePermit::merge: the permits belong to different semaphores"
        );
        self.permits += std::mem::take(&mut other.permits);
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.inner.release(self.permits);
    }
}

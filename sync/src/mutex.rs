//! `Mutex`: a fair async mutex on a one-permit semaphore, and its guards.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
// std's Arc, not the facade's: it is part of the public API (`lock_owned(self: Arc<Self>)`),
// and its reference count is not part of any protocol loom checks here.
use std::sync::Arc;

use crate::batch_semaphore::BatchSemaphore;
use crate::block_on::block_on;
use crate::error::TryLockError;

/// A fair async mutex: tasks get the lock in the order they asked for it.
///
/// It is a one-permit [`Semaphore`](crate::Semaphore): locking and unlocking with no one
/// waiting is one atomic operation each; an unlock with waiters hands the lock straight to the
/// first of them. Hold it across `.await` freely; for short critical sections with no `.await`
/// inside, a blocking mutex (`std::sync::Mutex`) is cheaper.
///
/// ```
/// use std::sync::Arc;
/// use conductor_sync::Mutex;
///
/// # futures::executor::block_on(async {
/// let count = Arc::new(Mutex::new(0));
/// *count.lock().await += 1;
/// *count.clone().lock_owned().await += 1;
/// assert_eq!(*count.lock().await, 2);
/// # });
/// ```
pub struct Mutex<T: ?Sized> {
    sem: BatchSemaphore,
    data: UnsafeCell<T>,
}

// SAFETY: the data is only reached through a guard, and a guard exists only while its holder
// owns the semaphore's single permit: one thread at a time has access, so `T: Send` suffices
// for the mutex to be shared and sent (as for `std::sync::Mutex`).
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: as above; moving the mutex moves the `T`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

const NEVER_CLOSED: &str = "a Mutex's semaphore is never closed";

impl<T> Mutex<T> {
    /// A new unlocked mutex.
    ///
    /// ```
    /// let m = conductor_sync::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    pub fn new(value: T) -> Self {
        Self {
            sem: BatchSemaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// A new unlocked mutex, usable in a `static`.
    ///
    /// ```
    /// static COUNT: conductor_sync::Mutex<u32> = conductor_sync::Mutex::const_new(0);
    /// *COUNT.try_lock().unwrap() += 1;
    /// assert_eq!(*COUNT.try_lock().unwrap(), 1);
    /// ```
    #[cfg(not(conductor_loom))]
    pub const fn const_new(value: T) -> Self {
        Self {
            sem: BatchSemaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// The value, consuming the mutex.
    ///
    /// ```
    /// let m = conductor_sync::Mutex::new(String::from("x"));
    /// assert_eq!(m.into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock, in FIFO order.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future before it completes never leaves the mutex locked; if
    /// the lock had just been handed to it, it passes to the next waiter.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let m = conductor_sync::Mutex::new(1);
    /// *m.lock().await += 1;
    /// assert_eq!(*m.lock().await, 2);
    /// # });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.sem.acquire(1).await.expect(NEVER_CLOSED);
        MutexGuard {
            lock: self,
            _not_sync: PhantomData,
        }
    }

    /// [`lock`](Self::lock) for a guard that owns an `Arc` of the mutex (`'static`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as `lock`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # futures::executor::block_on(async {
    /// let m = Arc::new(conductor_sync::Mutex::new(0));
    /// let mut guard = m.clone().lock_owned().await;
    /// *guard = 3;
    /// drop(guard);
    /// assert_eq!(*m.lock().await, 3);
    /// # });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.sem.acquire(1).await.expect(NEVER_CLOSED);
        OwnedMutexGuard {
            lock: self,
            _not_sync: PhantomData,
        }
    }

    /// Takes the lock if it is free and no one is queued for it.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or waited for.
    ///
    /// ```
    /// let m = conductor_sync::Mutex::new(1);
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        self.sem.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(MutexGuard {
            lock: self,
            _not_sync: PhantomData,
        })
    }

    /// [`try_lock`](Self::try_lock) for an owned guard.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or waited for.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(conductor_sync::Mutex::new(1));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert_eq!(*g, 1);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        self.sem.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(OwnedMutexGuard {
            lock: self,
            _not_sync: PhantomData,
        })
    }

    /// Locks from synchronous code, blocking the thread until the lock is free.
    ///
    /// Meant for threads outside any runtime (a `spawn_blocking` closure, a plain thread).
    /// Do not call it from async code: it blocks the worker thread, and if the lock's holder
    /// needs that thread to make progress it never returns.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(conductor_sync::Mutex::new(0));
    /// let m2 = m.clone();
    /// std::thread::spawn(move || *m2.blocking_lock() += 1).join().unwrap();
    /// assert_eq!(*m.blocking_lock(), 1);
    /// ```
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        block_on(self.lock())
    }

    /// The value, through `&mut self`: no locking needed, the borrow checker proves no guard
    /// exists.
    ///
    /// ```
    /// let mut m = conductor_sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Access to a [`Mutex`]'s data; dropping it unlocks (handing the lock to the next waiter).
///
/// ```
/// # futures::executor::block_on(async {
/// let m = conductor_sync::Mutex::new(vec![1]);
/// m.lock().await.push(2);
/// assert_eq!(*m.lock().await, [1, 2]);
/// # });
/// ```
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    /// `Cell<()>` is `Send + !Sync`: the guard may move to another thread with the lock, but a
    /// shared guard gives `&T` to every sharer, so `Sync` needs `T: Sync` (impl below).
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: `&MutexGuard` only gives `&T`; sharing it between threads is sharing `&T`, which
// `T: Sync` allows. `T: Send` is needed for the lock itself.
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Narrows the guard to a part of the data (a field, an element). The lock stays held
    /// until the returned guard drops.
    ///
    /// ```
    /// use conductor_sync::MutexGuard;
    /// # futures::executor::block_on(async {
    /// let m = conductor_sync::Mutex::new((1, String::from("a")));
    /// let mut name = MutexGuard::map(m.lock().await, |pair| &mut pair.1);
    /// name.push('b');
    /// drop(name);
    /// assert_eq!(m.lock().await.1, "ab");
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let lock = this.lock;
        // SAFETY: `this` holds the permit, so access is exclusive; if `f` panics, `this` drops
        // and unlocks. Afterwards its drop is skipped: the permit passes to the mapped guard.
        let data: *mut U = f(unsafe { &mut *lock.data.get() });
        std::mem::forget(this);
        MappedMutexGuard {
            sem: &lock.sem,
            data,
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut T` exists elsewhere.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit, and `&mut self` makes this the only
        // reference derived from it.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A [`MutexGuard`] narrowed by [`MutexGuard::map`]; dropping it unlocks.
///
/// ```
/// use conductor_sync::MutexGuard;
/// let m = conductor_sync::Mutex::new([0u8; 4]);
/// let mut first = MutexGuard::map(m.try_lock().unwrap(), |a| &mut a[0]);
/// *first = 9;
/// drop(first);
/// assert_eq!(m.into_inner(), [9, 0, 0, 0]);
/// ```
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    sem: &'a BatchSemaphore,
    data: *mut T,
    /// Borrows like `&'a mut T`: `Send` and `Sync` follow `T` (impls below).
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: the guard is an exclusive borrow of `T` (it holds the permit): sending it is sending
// `&mut T`, which needs `T: Send`.
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: sharing the guard shares `&T`, which needs `T: Sync`.
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `data` points into the locked mutex's data, valid for 'a, and the permit we
        // hold makes access exclusive.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only reference.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A guard owning an `Arc` of its [`Mutex`] (`'static`); dropping it unlocks.
///
/// ```
/// use std::sync::Arc;
/// # futures::executor::block_on(async {
/// let m = Arc::new(conductor_sync::Mutex::new(1));
/// let guard = m.clone().lock_owned().await;
/// assert!(Arc::ptr_eq(guard.mutex(), &m));
/// # });
/// ```
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    /// As in [`MutexGuard`].
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: as for `MutexGuard`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(conductor_sync::Mutex::new(1));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(g.mutex().try_lock().is_err());
    /// ```
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit; `&mut self` makes this reference
        // the only one.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

//! Task-local values: a value set for the duration of one future (a request id, a trace
//! context), visible to everything that future's polls call, wherever it runs.
//!
//! A thread-local cannot do this for async code: a task moves between threads and interleaves
//! with other tasks on one thread. A [`LocalKey`] instead holds its value inside the
//! [`TaskLocalFuture`] returned by [`LocalKey::scope`], and swaps it into a thread-local only
//! for the duration of each poll of that future (and back out afterwards, also on panic).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares task-local keys: `static NAME: Type;` each, with optional attributes and
/// visibility.
///
/// ```
/// conductor::task_local! {
///     /// The current request's id.
///     pub static REQUEST_ID: u64;
///     static USER: String;
/// }
///
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let id = REQUEST_ID
///     .scope(7, async {
///         conductor::task::yield_now().await;
///         REQUEST_ID.get()
///     })
///     .await;
/// assert_eq!(id, 7);
/// assert!(USER.try_with(|u| u.clone()).is_err()); // not set here
/// # });
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __CONDUCTOR_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(__CONDUCTOR_TASK_LOCAL)
        };
    };
}

/// A task-local key, declared with [`task_local!`](crate::task_local).
///
/// ```
/// conductor::task_local! { static DEPTH: u32; }
///
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let seen = DEPTH
///     .scope(1, async {
///         let inner = DEPTH.scope(2, async { DEPTH.get() }).await;
///         (inner, DEPTH.get())
///     })
///     .await;
/// assert_eq!(seen, (2, 1)); // scopes nest
/// # });
/// ```
pub struct LocalKey<T: 'static> {
    inner: std::thread::LocalKey<RefCell<Option<T>>>,
}

/// The value of a [`LocalKey`] was read outside any scope that sets it.
///
/// ```
/// conductor::task_local! { static KEY: u8; }
/// let err = KEY.try_with(|_| ()).unwrap_err();
/// assert_eq!(err.to_string(), "task-local value not set");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl std::error::Error for AccessError {}

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new(inner: std::thread::LocalKey<RefCell<Option<T>>>) -> Self {
        LocalKey { inner }
    }

    /// Runs `future` with this key set to `value`: every poll of it (and everything it calls)
    /// sees the value. The value is dropped with the returned future.
    ///
    /// ```
    /// conductor::task_local! { static NAME: &'static str; }
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let name = conductor::spawn(NAME.scope("worker", async { NAME.get() }))
    ///     .await
    ///     .unwrap();
    /// assert_eq!(name, "worker");
    /// # });
    /// ```
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs the closure `f` with this key set to `value`, synchronously.
    ///
    /// # Panics
    ///
    /// If called from inside [`with`](Self::with) of the same key.
    ///
    /// ```
    /// conductor::task_local! { static LEVEL: u8; }
    /// assert_eq!(LEVEL.sync_scope(3, || LEVEL.get()), 3);
    /// ```
    #[track_caller]
    pub fn sync_scope<F: FnOnce() -> R, R>(&'static self, value: T, f: F) -> R {
        let mut slot = Some(value);
        let _guard = self.enter(&mut slot);
        f()
    }

    /// Calls `f` with a reference to the current value.
    ///
    /// # Panics
    ///
    /// Outside any scope of this key (use [`try_with`](Self::try_with) to get an error).
    ///
    /// ```
    /// conductor::task_local! { static WORDS: Vec<&'static str>; }
    /// let n = WORDS.sync_scope(vec!["a", "b"], || WORDS.with(|w| w.len()));
    /// assert_eq!(n, 2);
    /// ```
    #[track_caller]
    pub fn with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(_) => panic!("{}", crate::error::TASK_LOCAL_NOT_SET),
        }
    }

    /// Calls `f` with a reference to the current value, or returns an [`AccessError`] outside
    /// any scope of this key.
    ///
    /// ```
    /// conductor::task_local! { static KEY: u8; }
    /// assert!(KEY.try_with(|k| *k).is_err());
    /// assert_eq!(KEY.sync_scope(1, || KEY.try_with(|k| *k)), Ok(1));
    /// ```
    pub fn try_with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> Result<R, AccessError> {
        let access = self.inner.try_with(|cell| {
            let value = cell.borrow();
            value.as_ref().map(f)
        });
        match access {
            Ok(Some(r)) => Ok(r),
            _ => Err(AccessError { _private: () }),
        }
    }

    /// Swaps `slot` into the thread-local until the guard drops (which swaps it back).
    #[track_caller]
    fn enter<'a>(&'static self, slot: &'a mut Option<T>) -> ScopeGuard<'a, T> {
        self.swap(slot);
        ScopeGuard { key: self, slot }
    }

    #[track_caller]
    fn swap(&'static self, slot: &mut Option<T>) {
        let swapped = self.inner.try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut current) => {
                std::mem::swap(&mut *current, slot);
                true
            }
            Err(_) => false,
        });
        match swapped {
            Ok(true) => {}
            Ok(false) => panic!("{}", crate::error::TASK_LOCAL_BORROWED),
            Err(_) => panic!("{}", crate::error::TASK_LOCAL_THREAD_GONE),
        }
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A clone of the current value.
    ///
    /// # Panics
    ///
    /// Outside any scope of this key.
    ///
    /// ```
    /// conductor::task_local! { static ID: u32; }
    /// assert_eq!(ID.sync_scope(9, || ID.get()), 9);
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("LocalKey { .. }")
    }
}

struct ScopeGuard<'a, T: 'static> {
    key: &'static LocalKey<T>,
    slot: &'a mut Option<T>,
}

impl<T: 'static> Drop for ScopeGuard<'_, T> {
    fn drop(&mut self) {
        // Put the outer value back (also when the scope's code panicked). If the thread-local
        // is being torn down there is nothing to restore.
        let _ = self.key.inner.try_with(|cell| {
            if let Ok(mut current) = cell.try_borrow_mut() {
                std::mem::swap(&mut *current, self.slot);
            }
        });
    }
}

/// The future returned by [`LocalKey::scope`]: polls the inner future with the key set.
///
/// ```
/// conductor::task_local! { static KEY: u8; }
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let fut: conductor::task::TaskLocalFuture<u8, _> = KEY.scope(4, async { KEY.get() });
/// assert_eq!(fut.await, 4);
/// # });
/// ```
pub struct TaskLocalFuture<T: 'static, F> {
    key: &'static LocalKey<T>,
    slot: Option<T>,
    /// Structurally pinned; `None` once it has been dropped (inside the scope).
    future: Option<F>,
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self` (only
        // dropped in place, by `Option::set` below or by `Drop`), and `TaskLocalFuture` has no
        // `Unpin` impl that would let it move while pinned. `slot` and `key` are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let key = this.key;
        let _guard = key.enter(&mut this.slot);
        // SAFETY: as above; `this.future` stays where it is for as long as `self` is pinned.
        let mut future = unsafe { Pin::new_unchecked(&mut this.future) };
        let Some(inner) = future.as_mut().as_pin_mut() else {
            panic!("`TaskLocalFuture` polled after completion");
        };
        let out = inner.poll(cx);
        if out.is_ready() {
            // Drop the finished future while the value is still set (its destructor may read
            // it).
            future.set(None);
        }
        out
    }
}

impl<T: 'static, F> Drop for TaskLocalFuture<T, F> {
    fn drop(&mut self) {
        if self.future.is_none() {
            return;
        }
        // Drop the inner future inside the scope, as its polls ran, when the key is free.
        let key = self.key;
        let entered = key
            .inner
            .try_with(|cell| cell.try_borrow_mut().is_ok())
            .unwrap_or(false);
        if entered {
            let _guard = key.enter(&mut self.slot);
            self.future = None;
        }
    }
}

impl<T: fmt::Debug + 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.slot)
            .finish_non_exhaustive()
    }
}

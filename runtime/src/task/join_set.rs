//! `JoinSet`: a set of spawned tasks, joined in the order they finish.
//!
//! Each task's `JoinHandle` is polled with a waker of its own that pushes the entry's slot onto
//! a ready list, so `join_next` only polls handles that were woken (or are new), never the
//! whole set.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::{AbortHandle, JoinError, JoinHandle};
use crate::loom_sync::Mutex;
use crate::runtime::context;

/// A collection of tasks spawned on the current runtime; awaits them in completion order.
/// Dropping the set aborts every task still in it.
///
/// # Examples
///
/// ```
/// use conductor::task::JoinSet;
///
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let mut set = JoinSet::new();
/// for i in 0..10u32 {
///     set.spawn(async move { i * 2 });
/// }
/// let mut total = 0;
/// while let Some(res) = set.join_next().await {
///     total += res.unwrap();
/// }
/// assert_eq!(total, 90);
/// # });
/// ```
pub struct JoinSet<T> {
    slots: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    len: usize,
    next_generation: u64,
    ready: Arc<ReadyList>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Waker,
    generation: u64,
}

#[derive(Default)]
struct ReadyList {
    slots: Mutex<VecDeque<(usize, u64)>>,
    waiter: Mutex<Option<Waker>>,
}

struct EntryWaker {
    ready: Arc<ReadyList>,
    slot: usize,
    generation: u64,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready
            .slots
            .lock()
            .push_back((self.slot, self.generation));
        let waiter = self.ready.waiter.lock().take();
        if let Some(w) = waiter {
            w.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = conductor::task::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            next_generation: 0,
            ready: Arc::default(),
        }
    }

    /// Tasks in the set (finished ones not yet joined included).
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// set.spawn(async {});
    /// assert_eq!(set.len(), 1);
    /// # });
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no task.
    ///
    /// ```
    /// assert!(conductor::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Aborts every task in the set. They stay in it: `join_next` returns their (cancelled)
    /// results.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.abort_all();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort_all(&mut self) {
        for entry in self.slots.iter().flatten() {
            entry.handle.abort();
        }
    }

    fn insert(&mut self, handle: JoinHandle<T>) {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        });
        let generation = self.next_generation;
        self.next_generation += 1;
        let waker = Waker::from(Arc::new(EntryWaker {
            ready: self.ready.clone(),
            slot,
            generation,
        }));
        self.slots[slot] = Some(Entry {
            handle,
            waker,
            generation,
        });
        self.len += 1;
        // New entries are polled once by the next join, which registers their waker.
        self.ready.slots.lock().push_back((slot, generation));
    }

    fn poll_ready_entries(&mut self, outer: Option<&Waker>) -> Poll<Option<Result<T, JoinError>>> {
        loop {
            if self.len == 0 {
                return Poll::Ready(None);
            }
            if let Some(w) = outer {
                // Register before looking, so a wake in between is not lost.
                let mut waiter = self.ready.waiter.lock();
                if !waiter.as_ref().is_some_and(|cur| cur.will_wake(w)) {
                    *waiter = Some(w.clone());
                }
            }
            let next = self.ready.slots.lock().pop_front();
            let Some((slot, generation)) = next else {
                return Poll::Pending;
            };
            let Some(entry) = self.slots.get_mut(slot).and_then(|e| e.as_mut()) else {
                continue;
            };
            if entry.generation != generation {
                continue; // a wake for a task that already left the set
            }
            let waker = entry.waker.clone();
            let mut cx = Context::from_waker(&waker);
            if let Poll::Ready(res) = entry.handle.poll_unbudgeted(&mut cx) {
                self.slots[slot] = None;
                self.free.push(slot);
                self.len -= 1;
                return Poll::Ready(Some(res));
            }
        }
    }

    /// Waits for the next task to finish and returns its result; `None` when the set is empty.
    ///
    /// Cancel-safe: dropping the future loses no result.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// set.spawn(async { 1 });
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    /// assert!(set.join_next().await.is_none());
    /// # });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| {
            let coop = std::task::ready!(super::poll_proceed(cx));
            let res = self.poll_ready_entries(Some(cx.waker()));
            if res.is_ready() {
                coop.made_progress();
            }
            res
        })
        .await
    }

    /// The result of a task that has already finished, if any; never waits.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// set.spawn(async { 5 });
    /// let res = loop {
    ///     if let Some(res) = set.try_join_next() { break res; }
    ///     conductor::task::yield_now().await;
    /// };
    /// assert_eq!(res.unwrap(), 5);
    /// # });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        match self.poll_ready_entries(None) {
            Poll::Ready(res) => res,
            Poll::Pending => None,
        }
    }

    /// Aborts every task and waits until all have finished; the set is empty afterwards.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.shutdown().await;
    /// assert!(set.is_empty());
    /// # });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a conductor runtime.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// let abort = set.spawn(std::future::pending::<()>());
    /// abort.abort();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        let location = Location::caller();
        let handle = match context::with_current_handle(|h| h.spawn_at(future, location)) {
            Ok(handle) => handle,
            Err(_) => panic!("{}", crate::error::SPAWN_OUTSIDE_RUNTIME),
        };
        let abort = handle.abort_handle();
        self.insert(handle);
        abort
    }

    /// Runs `f` on the blocking pool and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a conductor runtime.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = conductor::task::JoinSet::new();
    /// set.spawn_blocking(|| 3);
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), 3);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let location = Location::caller();
        let handle = match context::with_current_handle(|h| h.spawn_blocking_at(f, location)) {
            Ok(handle) => handle,
            Err(_) => panic!("{}", crate::error::SPAWN_OUTSIDE_RUNTIME),
        };
        let abort = handle.abort_handle();
        self.insert(handle);
        abort
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

//! [`Handle`]: the shared side of the reactor (registry, slab of sources, waker), and the
//! thread-local "current reactor".
//!
//! # Tokens
//!
//! A source's `mio::Token` is its slab index (low [`INDEX_BITS`] bits) plus the slot's
//! generation (the bits above). Removing a source bumps its slot's generation under the slab
//! lock, so an event still in flight for the old token finds a different generation and is
//! dropped: a reused slot never wakes the task of the source that had it before.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::task::Waker;

use crate::error;
use crate::scheduled_io::ScheduledIo;
use crate::sync::{Arc, AtomicBool, Mutex, Ordering::Acquire, Ordering::Release};

/// Bits of a token that hold the slab index.
pub(crate) const INDEX_BITS: u32 = 24;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// The token of the `mio::Waker` that interrupts `poll`.
pub(crate) const WAKER_TOKEN: mio::Token = mio::Token(INDEX_MASK);
/// The token of the timerfd that gives `turn` sub-millisecond timeouts.
pub(crate) const TIMER_TOKEN: mio::Token = mio::Token(INDEX_MASK - 1);
/// Sources registered at once, at most (two indexes are the tokens above).
const MAX_SOURCES: usize = INDEX_MASK - 1;

/// Runs a closure on a thread where blocking is allowed (the runtime's blocking pool).
///
/// ```
/// let spawner: conductor_reactor::BlockingSpawner = |f| { std::thread::spawn(f); };
/// spawner(Box::new(|| ()));
/// ```
pub type BlockingSpawner = fn(Box<dyn FnOnce() + Send + 'static>);

/// A cheap, cloneable reference to a reactor: what I/O types register with.
///
/// The runtime makes its reactor's handle current on each of its threads; I/O types find it
/// with [`Handle::current`].
///
/// ```
/// let driver = conductor_reactor::Driver::new().unwrap();
/// let handle = driver.handle();
/// let _guard = handle.enter();
/// assert!(conductor_reactor::Handle::try_current().is_some());
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) registry: mio::Registry,
    waker: mio::Waker,
    slab: Mutex<Slab>,
    is_shutdown: AtomicBool,
    pub(crate) blocking: Option<BlockingSpawner>,
}

pub(crate) struct Slab {
    entries: Vec<Entry>,
    free: Vec<usize>,
}

struct Entry {
    generation: usize,
    io: Option<Arc<ScheduledIo>>,
}

impl Slab {
    pub(crate) fn new() -> Slab {
        Slab {
            entries: Vec::new(),
            free: Vec::new(),
        }
    }

    pub(crate) fn insert(&mut self, io: Arc<ScheduledIo>) -> io::Result<mio::Token> {
        let index = match self.free.pop() {
            Some(index) => index,
            None if self.entries.len() < MAX_SOURCES => {
                self.entries.push(Entry {
                    generation: 0,
                    io: None,
                });
                self.entries.len() - 1
            }
            None => return Err(io::Error::other(error::TOO_MANY_SOURCES)),
        };
        let entry = &mut self.entries[index];
        entry.io = Some(io);
        Ok(mio::Token(index | (entry.generation << INDEX_BITS)))
    }

    /// The source a token names, if it is still the one registered under it.
    pub(crate) fn get(&self, token: mio::Token) -> Option<&Arc<ScheduledIo>> {
        let entry = self.entries.get(token.0 & INDEX_MASK)?;
        if entry.generation == token.0 >> INDEX_BITS {
            entry.io.as_ref()
        } else {
            None
        }
    }

    pub(crate) fn remove(&mut self, token: mio::Token) -> Option<Arc<ScheduledIo>> {
        let index = token.0 & INDEX_MASK;
        let entry = self.entries.get_mut(index)?;
        if entry.generation != token.0 >> INDEX_BITS {
            return None;
        }
        let io = entry.io.take()?;
        entry.generation = (entry.generation + 1) & (usize::MAX >> INDEX_BITS);
        self.free.push(index);
        Some(io)
    }

    fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

/// Restores the previously current reactor when dropped; see [`Handle::enter`].
///
/// ```
/// let driver = conductor_reactor::Driver::new().unwrap();
/// drop(driver.handle().enter());
/// assert!(conductor_reactor::Handle::try_current().is_none());
/// ```
#[must_use = "the reactor is current only while the guard lives"]
pub struct EnterGuard {
    prev: Option<Handle>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnterGuard")
    }
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

impl Handle {
    pub(crate) fn new(
        registry: mio::Registry,
        waker: mio::Waker,
        blocking: Option<BlockingSpawner>,
    ) -> Handle {
        Handle {
            inner: Arc::new(Inner {
                registry,
                waker,
                slab: Mutex::new(Slab::new()),
                is_shutdown: AtomicBool::new(false),
                blocking,
            }),
        }
    }

    /// The reactor current on this thread.
    ///
    /// # Panics
    ///
    /// Outside a runtime (no reactor entered on this thread), with [`error::NO_REACTOR`].
    ///
    /// # Examples
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// let _guard = driver.handle().enter();
    /// let _handle = conductor_reactor::Handle::current();
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!("{}", error::NO_REACTOR),
        }
    }

    /// The reactor current on this thread, if any.
    ///
    /// ```
    /// assert!(conductor_reactor::Handle::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Handle> {
        CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
    }

    /// Makes this reactor the current one on this thread until the guard drops.
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// let guard = driver.handle().enter();
    /// assert!(conductor_reactor::Handle::try_current().is_some());
    /// drop(guard);
    /// ```
    pub fn enter(&self) -> EnterGuard {
        let prev = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        EnterGuard {
            prev,
            _not_send: std::marker::PhantomData,
        }
    }

    /// Interrupts a thread blocked in [`Driver::turn`](crate::Driver::turn) (a `mio::Waker`).
    ///
    /// ```
    /// let mut driver = conductor_reactor::Driver::new().unwrap();
    /// driver.handle().wake();
    /// driver.turn(None).unwrap(); // returns at once
    /// ```
    pub fn wake(&self) {
        // An eventfd write; it can only fail if the descriptor is gone, which it is not while
        // this handle lives. Nothing useful can be done with an error here.
        let _ = self.inner.waker.wake();
    }

    /// Shuts the reactor down: every registered source's waiting tasks are woken and their
    /// operations (and all later ones) fail with an `io::Error` of kind `Other` saying the
    /// runtime is shut down. New registrations fail the same way.
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// driver.handle().shutdown();
    /// assert!(driver.handle().is_shutdown());
    /// ```
    pub fn shutdown(&self) {
        let sources: Vec<Arc<ScheduledIo>> = {
            let slab = self.inner.slab.lock();
            // Set under the slab lock: a registration checks the flag under the same lock, so
            // it either sees it or is in the slab when we collect.
            self.inner.is_shutdown.store(true, Release);
            slab.entries.iter().filter_map(|e| e.io.clone()).collect()
        };
        let mut wakers = Vec::new();
        for io in &sources {
            io.shutdown(&mut wakers);
        }
        wakers.into_iter().for_each(Waker::wake);
        self.wake();
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// assert!(!driver.handle().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.inner.is_shutdown.load(Acquire)
    }

    /// How many sources are registered now.
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// assert_eq!(driver.handle().num_sources(), 0);
    /// ```
    pub fn num_sources(&self) -> usize {
        self.inner.slab.lock().len()
    }

    /// Adds a source to the slab and to mio's registry.
    pub(crate) fn register(
        &self,
        source: &mut impl mio::event::Source,
        interest: mio::Interest,
    ) -> io::Result<(mio::Token, Arc<ScheduledIo>)> {
        let io = Arc::new(ScheduledIo::new());
        let token = {
            let mut slab = self.inner.slab.lock();
            if self.inner.is_shutdown.load(Acquire) {
                return Err(error::shutdown_error());
            }
            slab.insert(io.clone())?
        };
        if let Err(e) = self.inner.registry.register(source, token, interest) {
            self.inner.slab.lock().remove(token);
            return Err(e);
        }
        Ok((token, io))
    }

    /// Removes a source's slot; later events for its token are dropped.
    pub(crate) fn remove(&self, token: mio::Token) {
        let io = self.inner.slab.lock().remove(token);
        if let Some(io) = io {
            io.clear_wakers();
        }
    }

    pub(crate) fn with_slab<R>(&self, f: impl FnOnce(&Slab) -> R) -> R {
        f(&self.inner.slab.lock())
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("is_shutdown", &self.is_shutdown())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn reused_slot_has_a_new_generation() {
        let mut slab = Slab::new();
        let a = slab.insert(Arc::new(ScheduledIo::new())).unwrap();
        assert!(slab.remove(a).is_some());
        let b = slab.insert(Arc::new(ScheduledIo::new())).unwrap();
        assert_eq!(a.0 & INDEX_MASK, b.0 & INDEX_MASK);
        assert_ne!(a, b);
        assert!(slab.get(a).is_none());
        assert!(slab.get(b).is_some());
        assert!(slab.remove(a).is_none());
        assert_eq!(slab.len(), 1);
    }
}

//! Parking a thread, and the driver seam.
//!
//! A `Parker` belongs to one thread; its `Unparker` can be used by any. The state word makes
//! an unpark that arrives before the park a token the park consumes at once, so an unpark is
//! never lost:
//!
//! ```text
//! EMPTY --park--> PARKED_CONDVAR | PARKED_DRIVER --unpark--> NOTIFIED --park returns--> EMPTY
//! EMPTY --unpark--> NOTIFIED --park--> EMPTY (returns at once)
//! ```
//!
//! A worker that parks while nobody holds the *driver* takes it and parks inside it (with the
//! state `PARKED_DRIVER`), so an unpark must wake the driver instead of the condvar. The
//! driver itself (I/O and timers, composed in `driver/`) does not change this protocol.

use std::time::Duration;

use crate::loom_sync::{self as sync, Arc, AtomicUsize, Condvar, Mutex, Ordering::SeqCst};

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

pub(crate) use super::driver::{Driver, DriverUnpark};

/// One thread's parker.
#[derive(Debug)]
pub(crate) struct Parker {
    inner: Arc<ParkerInner>,
}

/// Wakes the thread owning the matching `Parker`.
#[derive(Clone, Debug)]
pub(crate) struct Unparker {
    inner: Arc<ParkerInner>,
}

#[derive(Debug)]
struct ParkerInner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
    driver: Option<DriverUnpark>,
}

impl Parker {
    /// A parker; `driver` is the unpark handle of the driver it may park in.
    pub(crate) fn new(driver: Option<DriverUnpark>) -> Parker {
        Parker {
            inner: Arc::new(ParkerInner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
                driver,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until unparked (or, in the driver, until it returns). `driver`, when given, is
    /// the driver this thread holds for the duration.
    pub(crate) fn park(&self, driver: Option<&mut Driver>, timeout: Option<Duration>) {
        let inner = &*self.inner;
        // A token left by an earlier unpark: consume it. SeqCst throughout this type: the
        // state word pairs with the caller's own SeqCst accesses (the idle counters) and the
        // cost is irrelevant next to a park.
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        match driver {
            Some(driver) => {
                match inner
                    .state
                    .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
                {
                    Ok(_) => {}
                    Err(NOTIFIED) => {
                        // A swap, not a store: it reads the latest unpark's write, so this
                        // thread sees what that unparker did before unparking (crossbeam's
                        // and tokio's parkers do the same).
                        inner.state.swap(EMPTY, SeqCst);
                        return;
                    }
                    Err(actual) => unreachable!("inconsistent park state {actual}"),
                }
                driver.park(timeout);
                // Either an unpark (NOTIFIED) or a driver event / timeout (still PARKED_DRIVER).
                inner.state.swap(EMPTY, SeqCst);
            }
            None => {
                let mut guard = inner.mutex.lock();
                match inner
                    .state
                    .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
                {
                    Ok(_) => {}
                    Err(NOTIFIED) => {
                        // A swap, not a store: it reads the latest unpark's write, so this
                        // thread sees what that unparker did before unparking (crossbeam's
                        // and tokio's parkers do the same).
                        inner.state.swap(EMPTY, SeqCst);
                        return;
                    }
                    Err(actual) => unreachable!("inconsistent park state {actual}"),
                }
                match timeout {
                    Some(t) => {
                        sync::wait_timeout(&inner.condvar, &mut guard, t);
                        inner.state.swap(EMPTY, SeqCst);
                        // Back from a wait: date the tasks spawned from now on (the driver
                        // branch does this in `Driver::park`).
                        crate::diag::clock::refresh();
                    }
                    None => loop {
                        sync::wait(&inner.condvar, &mut guard);
                        if inner
                            .state
                            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                            .is_ok()
                        {
                            // A real unpark (otherwise a spurious wake-up): as above.
                            crate::diag::clock::refresh();
                            return;
                        }
                    },
                }
            }
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        let inner = &*self.inner;
        match inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Take the lock so the notify cannot fall between the parker's state CAS and
                // its wait (it holds the lock across both).
                drop(inner.mutex.lock());
                inner.condvar.notify_one();
            }
            PARKED_DRIVER => match &inner.driver {
                Some(driver) => driver.unpark(),
                None => unreachable!("parked in a driver without an unpark handle"),
            },
            actual => unreachable!("inconsistent park state {actual}"),
        }
    }
}

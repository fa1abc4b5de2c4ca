//! The I/O side of the driver. Until the reactor lands it is a condvar park with a timeout
//! (which is also what loom models park in): `turn` blocks until `unpark` or the timeout.

use std::time::Duration;

use crate::sync::{self, Arc, Condvar, Mutex};

#[derive(Debug)]
pub(super) struct IoDriver {
    inner: Arc<Inner>,
}

/// Wakes the driver; cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct IoHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    woken: Mutex<bool>,
    condvar: Condvar,
}

pub(super) struct EnterGuard;

impl IoDriver {
    pub(super) fn new() -> (IoDriver, IoHandle) {
        let inner = Arc::new(Inner {
            woken: Mutex::new(false),
            condvar: Condvar::new(),
        });
        (
            IoDriver {
                inner: inner.clone(),
            },
            IoHandle { inner },
        )
    }

    /// Blocks until unparked or `timeout` passes; with `Some(ZERO)` it only polls.
    pub(super) fn turn(&mut self, timeout: Option<Duration>) {
        let mut woken = self.inner.woken.lock();
        if !*woken {
            match timeout {
                Some(t) if t.is_zero() => {}
                Some(t) => {
                    sync::wait_timeout(&self.inner.condvar, &mut woken, t);
                }
                None => {
                    while !*woken {
                        sync::wait(&self.inner.condvar, &mut woken);
                    }
                }
            }
        }
        *woken = false;
    }
}

impl IoHandle {
    pub(super) fn unpark(&self) {
        *self.inner.woken.lock() = true;
        self.inner.condvar.notify_one();
    }

    pub(super) fn enter(&self) -> EnterGuard {
        EnterGuard
    }

    pub(super) fn shutdown(&self) {
        self.unpark();
    }
}

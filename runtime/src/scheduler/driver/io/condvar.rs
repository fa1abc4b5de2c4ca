//! The I/O side of the driver under `cfg(conductor_loom)`: a condvar park with a timeout (mio
//! cannot run under loom): `turn` blocks until `unpark` or the timeout.

use std::io;
use std::time::Duration;

use crate::loom_sync::{self as sync, Arc, Condvar, Mutex};

#[derive(Debug)]
pub(crate) struct IoDriver {
    inner: Arc<Inner>,
}

/// Wakes the driver; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct IoHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    woken: Mutex<bool>,
    condvar: Condvar,
}

pub(crate) struct EnterGuard;

impl IoDriver {
    pub(crate) fn new() -> io::Result<(IoDriver, IoHandle)> {
        let inner = Arc::new(Inner {
            woken: Mutex::new(false),
            condvar: Condvar::new(),
        });
        Ok((
            IoDriver {
                inner: inner.clone(),
            },
            IoHandle { inner },
        ))
    }

    /// Blocks until unparked or `timeout` passes; with `Some(ZERO)` it only polls.
    pub(crate) fn turn(&mut self, timeout: Option<Duration>) {
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
    pub(crate) fn unpark(&self) {
        *self.inner.woken.lock() = true;
        self.inner.condvar.notify_one();
    }

    pub(crate) fn enter(&self) -> EnterGuard {
        EnterGuard
    }

    pub(crate) fn shutdown(&self) {
        self.unpark();
    }
}

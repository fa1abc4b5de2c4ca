//! The reactor as the driver's I/O side.
//!
//! `turn` blocks in `epoll_wait` (through `conductor_reactor::Driver::turn`, which honours
//! sub-millisecond timeouts with a timerfd) and wakes the tasks whose sockets became ready;
//! `unpark` interrupts it through the `mio::Waker`. `enter` makes the reactor's handle current
//! so sockets created on this thread register with it.

use std::io;
use std::panic::Location;
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct IoDriver {
    driver: conductor_reactor::Driver,
}

/// Wakes the driver; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct IoHandle {
    handle: conductor_reactor::Handle,
}

pub(crate) struct EnterGuard {
    _guard: conductor_reactor::EnterGuard,
}

impl IoDriver {
    pub(crate) fn new() -> io::Result<(IoDriver, IoHandle)> {
        let driver = conductor_reactor::Driver::with_blocking_spawner(Some(spawn_blocking))?;
        let handle = driver.handle();
        Ok((IoDriver { driver }, IoHandle { handle }))
    }

    /// Blocks until an I/O event, an unpark or `timeout`; with `Some(ZERO)` it only polls.
    pub(crate) fn turn(&mut self, timeout: Option<Duration>) {
        if let Err(e) = self.driver.turn(timeout) {
            // epoll_wait fails only on a bad descriptor or a bad events buffer: a bug.
            panic!("the conductor reactor failed to poll for events: {e}");
        }
    }
}

impl IoHandle {
    pub(crate) fn unpark(&self) {
        self.handle.wake();
    }

    pub(crate) fn enter(&self) -> EnterGuard {
        EnterGuard {
            _guard: self.handle.enter(),
        }
    }

    /// Wakes every registered source's tasks with the shutdown error.
    pub(crate) fn shutdown(&self) {
        self.handle.shutdown();
    }
}

/// The reactor's resolver hook: runs `f` (a blocking `getaddrinfo`) on the current runtime's
/// blocking pool, or on a new thread when no runtime is entered.
fn spawn_blocking(f: Box<dyn FnOnce() + Send + 'static>) {
    let mut f = Some(f);
    let _ = crate::runtime::context::with_current_handle(|handle| {
        if let Some(f) = f.take() {
            drop(handle.spawn_blocking_at(f, Location::caller()));
        }
    });
    if let Some(f) = f {
        std::thread::spawn(f);
    }
}

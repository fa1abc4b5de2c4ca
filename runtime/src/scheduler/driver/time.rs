//! The time side of the driver: `conductor-timer`'s wheel. Before parking, the park timeout is
//! the caller's limit shortened to the exact time left until the next timer deadline; after
//! waking, `process` advances the wheel to now and fires what expired. The timer wakes the
//! I/O driver (through a `Waker` wrapping its `IoHandle`) when a deadline earlier than the
//! current park deadline is registered.

use std::sync::Arc as StdArc;
use std::task::{Wake, Waker};
use std::time::Duration;

use super::io::IoHandle;

#[derive(Debug)]
pub(super) struct TimeDriver {
    driver: conductor_timer::Driver,
}

#[derive(Clone, Debug)]
pub(super) struct TimeHandle {
    handle: conductor_timer::Handle,
}

pub(super) struct EnterGuard {
    _guard: conductor_timer::EnterGuard,
}

/// The timer's way to interrupt a park: a `Waker` that unparks the I/O driver.
struct Unpark(IoHandle);

impl Wake for Unpark {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.unpark();
    }
}

impl TimeDriver {
    /// `unpark` wakes the I/O driver when a timer earlier than the current park deadline is
    /// registered.
    pub(super) fn new(unpark: IoHandle) -> (TimeDriver, TimeHandle) {
        let (driver, handle) =
            conductor_timer::Driver::new(Waker::from(StdArc::new(Unpark(unpark))));
        (TimeDriver { driver }, TimeHandle { handle })
    }

    /// The park timeout: `limit`, shortened to the next timer deadline.
    pub(super) fn park_timeout(&mut self, limit: Option<Duration>) -> Option<Duration> {
        self.driver.park_timeout(limit)
    }

    /// Fires the timers that are due.
    pub(super) fn process(&mut self) {
        self.driver.process();
    }
}

impl TimeHandle {
    /// Makes the timer current on this thread (`conductor::time::sleep` finds it there).
    pub(super) fn enter(&self) -> EnterGuard {
        EnterGuard {
            _guard: self.handle.enter(),
        }
    }

    /// Unlinks every timer and wakes its task; later polls of this runtime's timers panic.
    pub(super) fn shutdown(&self) {
        self.handle.shutdown();
    }
}

//! The time side of the driver. Until the timer wheel lands there are no timers: the park
//! timeout is the caller's limit and there is nothing to fire.

use std::time::Duration;

use super::io::IoHandle;

#[derive(Debug)]
pub(super) struct TimeDriver {}

#[derive(Clone, Debug)]
pub(super) struct TimeHandle {}

pub(super) struct EnterGuard;

impl TimeDriver {
    /// `unpark` wakes the I/O driver when a timer earlier than the current park deadline is
    /// registered.
    pub(super) fn new(_unpark: IoHandle) -> (TimeDriver, TimeHandle) {
        (TimeDriver {}, TimeHandle {})
    }

    /// The park timeout: `limit`, shortened to the next timer deadline.
    pub(super) fn park_timeout(&mut self, limit: Option<Duration>) -> Option<Duration> {
        limit
    }

    /// Fires the timers that are due.
    pub(super) fn process(&mut self) {}
}

impl TimeHandle {
    pub(super) fn enter(&self) -> EnterGuard {
        EnterGuard
    }

    pub(super) fn shutdown(&self) {}
}

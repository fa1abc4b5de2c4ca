//! The driver: what one parked worker blocks in, composed of the I/O driver and the time
//! driver.
//!
//! ```text
//! park(limit):
//!     timeout = time.park_timeout(limit)   // min(limit, time to the next timer deadline)
//!     io.turn(timeout)                     // blocks in the OS until an event, an unpark, or timeout
//!     time.process()                       // fire expired timers
//! ```
//!
//! Neither sub-driver knows the scheduler: each fires `Waker`s only. `io.rs` and `time.rs`
//! are the seams the reactor and timer crates plug into; under `cfg(conductor_loom)` the I/O
//! side is a condvar park with a timeout, so the loom models still check the parking
//! protocol around it.

mod io;
mod time;

use std::time::Duration;

/// The driver itself; held by one parked worker at a time (behind a try-lock), or by the
/// current-thread core.
#[derive(Debug)]
pub(crate) struct Driver {
    io: io::IoDriver,
    time: time::TimeDriver,
}

/// Wakes the driver and gives access to its handles; cloned into every parker and handle.
#[derive(Clone, Debug)]
pub(crate) struct DriverUnpark {
    io: io::IoHandle,
    time: time::TimeHandle,
}

impl Driver {
    /// # Errors
    ///
    /// The OS's error when the reactor cannot be created (descriptor exhaustion, say).
    pub(crate) fn new() -> std::io::Result<(Driver, DriverUnpark)> {
        let (io, io_handle) = io::IoDriver::new()?;
        let (time, time_handle) = time::TimeDriver::new(io_handle.clone());
        Ok((
            Driver { io, time },
            DriverUnpark {
                io: io_handle,
                time: time_handle,
            },
        ))
    }

    /// Blocks until an I/O event, an unpark, the next timer deadline or `limit`, whichever
    /// comes first, then fires what is due. `Some(ZERO)` only polls.
    pub(crate) fn park(&mut self, limit: Option<Duration>) {
        let timeout = self.time.park_timeout(limit);
        self.io.turn(timeout);
        // Back from a (possibly zero-length) wait: date the tasks spawned from now on.
        crate::diag::clock::refresh();
        self.time.process();
    }
}

impl DriverUnpark {
    /// Interrupts a thread blocked in `Driver::park`.
    pub(crate) fn unpark(&self) {
        self.io.unpark();
    }

    /// Makes the I/O and time handles current on this thread until the guard drops, so leaf
    /// futures (sockets, sleeps) find their driver.
    pub(crate) fn enter(&self) -> EnterGuard {
        EnterGuard {
            _io: self.io.enter(),
            _time: self.time.enter(),
        }
    }

    /// Runtime shutdown: wake everything registered with an error, fire no more timers.
    pub(crate) fn shutdown(&self) {
        self.io.shutdown();
        self.time.shutdown();
    }
}

/// Keeps the drivers entered; see [`DriverUnpark::enter`].
pub(crate) struct EnterGuard {
    _io: io::EnterGuard,
    _time: time::EnterGuard,
}

//! The I/O side of the driver.
//!
//! Normally the reactor (`conductor-reactor`: `mio::Poll`, a `mio::Waker`, the slab of
//! sources) in `io/mio.rs`. Under `cfg(conductor_loom)` mio cannot run, so the I/O side is a
//! condvar park with a timeout (`io/condvar.rs`), and the loom models check the parking
//! protocol around it. Both offer the same items: `IoDriver::{new, turn}` and
//! `IoHandle::{unpark, enter, shutdown}`.

#[cfg(conductor_loom)]
mod condvar;
#[cfg(not(conductor_loom))]
mod mio;

#[cfg(conductor_loom)]
pub(crate) use condvar::{EnterGuard, IoDriver, IoHandle};
#[cfg(not(conductor_loom))]
pub(crate) use mio::{EnterGuard, IoDriver, IoHandle};

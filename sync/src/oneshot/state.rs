//! The oneshot channel's state word: which side may touch which cell.
//!
//! ```text
//! | VALUE | TX_WAKER | RX_CLOSED | COMPLETE | RX_WAKER |
//! ```
//!
//! Every transition is an `AcqRel` read-modify-write and every load is `Acquire`: a side that
//! publishes a cell (writes it, then sets its bit) releases the write, and the side that sees
//! the bit acquires it. Call sites never pick an ordering.

use crate::loom_facade::{AtomicUsize, Ordering};

/// The receiver stored a waker in `rx_waker`; while set, only the sender may read it and the
/// receiver does not write it.
pub(super) const RX_WAKER: usize = 0b00001;
/// The sender is finished: it sent (with `VALUE`) or was dropped. From then on it touches no
/// cell, and the receiver owns `value`.
pub(super) const COMPLETE: usize = 0b00010;
/// The receiver closed the channel or was dropped: a send fails and hands its value back.
pub(super) const RX_CLOSED: usize = 0b00100;
/// The sender stored a waker in `tx_waker` (`closed().await`); the mirror of `RX_WAKER`.
pub(super) const TX_WAKER: usize = 0b01000;
/// Set together with `COMPLETE` when the value was written.
pub(super) const VALUE: usize = 0b10000;

/// A snapshot of the state word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Snapshot(pub(super) usize);

impl Snapshot {
    pub(super) fn has(self, bits: usize) -> bool {
        self.0 & bits == bits
    }
}

#[derive(Debug)]
pub(super) struct State(AtomicUsize);

impl State {
    pub(super) fn new() -> Self {
        Self(AtomicUsize::new(0))
    }

    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Ordering::Acquire))
    }

    /// Sets `bits`; returns the state before.
    pub(super) fn set(&self, bits: usize) -> Snapshot {
        Snapshot(self.0.fetch_or(bits, Ordering::AcqRel))
    }

    /// Clears `bits`; returns the state before.
    pub(super) fn clear(&self, bits: usize) -> Snapshot {
        Snapshot(self.0.fetch_and(!bits, Ordering::AcqRel))
    }

    /// Sets `COMPLETE | VALUE` unless the receiver closed first. `Err` carries the state that
    /// had `RX_CLOSED`; `Ok` the state before the transition.
    pub(super) fn complete_with_value(&self) -> Result<Snapshot, Snapshot> {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if cur & RX_CLOSED != 0 {
                return Err(Snapshot(cur));
            }
            match self.0.compare_exchange_weak(
                cur,
                cur | COMPLETE | VALUE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(prev) => return Ok(Snapshot(prev)),
                Err(actual) => cur = actual,
            }
        }
    }
}

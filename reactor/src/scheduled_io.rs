//! Per-source readiness and the two tasks that wait on it.
//!
//! # The readiness word
//!
//! ```text
//! | SHUTDOWN (bit 24) | tick (bits 8..24, 16 bits, wrapping) | ready bits (0..5) |
//! ```
//!
//! # The protocol (edge-triggered; checked by `loom-tests/tests/io_readiness.rs`)
//!
//! - **Event** (the driver): one read-modify-write ORs the new bits in and increments the
//!   tick, *then* takes the wakers of the directions it made ready, under the waiter lock.
//! - **Poll** (a task): load the word; if its direction is ready, return a [`ReadyEvent`]
//!   carrying the bits and the tick it saw. Otherwise, under the waiter lock, store the waker
//!   and load the word again: if the event's RMW came before that load, the load sees it; if
//!   after, the driver's lock comes after ours and finds the waker. No wake-up is lost.
//! - **Clear** (a task whose operation returned `WouldBlock`): a CAS that removes the bits it
//!   saw only if the tick is still the one it saw. An event that arrived meanwhile bumped the
//!   tick, so its readiness is not wiped by a stale clear.
//! - **Shutdown**: sets SHUTDOWN and wakes both waiters; every later poll returns at once.
//!
//! Orderings: the event RMW and the clear CAS are `AcqRel` and the loads `Acquire`, so a
//! task that sees readiness also sees what the driver did before setting it; the lost-wake-up
//! argument itself rests on the waiter mutex (lock acquire/release), not on the atomics.

use std::task::{Context, Poll, Waker};

use crate::readiness::{Direction, Ready};
use crate::sync::{AtomicUsize, Mutex, Ordering::AcqRel, Ordering::Acquire};

const READY_MASK: usize = 0xff;
const TICK_SHIFT: usize = 8;
const TICK_MASK: usize = 0xffff << TICK_SHIFT;
const SHUTDOWN: usize = 1 << 24;

/// The readiness of one registered source and the tasks waiting on it.
#[derive(Debug)]
pub(crate) struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

#[derive(Debug, Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
}

/// What a successful poll saw: the bits of its direction and the tick they were seen at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadyEvent {
    pub(crate) ready: Ready,
    tick: usize,
    pub(crate) is_shutdown: bool,
}

impl ReadyEvent {
    /// The same event, reporting only `ready` (the tick is kept, so clearing with it still
    /// loses to a newer event).
    pub(crate) fn only(self, ready: Ready) -> ReadyEvent {
        ReadyEvent {
            ready: self.ready.intersection(ready),
            ..self
        }
    }

    /// The tick the readiness was seen at (for the loom models).
    #[cfg(conductor_loom)]
    pub(crate) fn tick(&self) -> usize {
        self.tick
    }
}

fn tick_of(word: usize) -> usize {
    (word & TICK_MASK) >> TICK_SHIFT
}

impl ScheduledIo {
    pub(crate) fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Driver side: records `ready` (a new edge) and moves the wakers it concerns into
    /// `wakers`, for the caller to wake once it holds no lock.
    pub(crate) fn set_readiness(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut cur = self.readiness.load(Acquire);
        loop {
            let tick = (tick_of(cur) + 1) & (TICK_MASK >> TICK_SHIFT);
            let new =
                (cur & SHUTDOWN) | (tick << TICK_SHIFT) | (cur & READY_MASK) | ready.as_usize();
            match self
                .readiness
                .compare_exchange_weak(cur, new, AcqRel, Acquire)
            {
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        self.take_wakers(ready, wakers);
    }

    fn take_wakers(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut waiters = self.waiters.lock();
        if !ready.intersection(Direction::Read.mask()).is_empty() {
            wakers.extend(waiters.reader.take());
        }
        if !ready.intersection(Direction::Write.mask()).is_empty() {
            wakers.extend(waiters.writer.take());
        }
    }

    /// Runtime shutdown: every waiter is woken, every later poll returns the shutdown event.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        let mut waiters = self.waiters.lock();
        wakers.extend(waiters.reader.take());
        wakers.extend(waiters.writer.take());
    }

    /// The readiness of `direction` now, without registering a waker.
    pub(crate) fn ready_now(&self, direction: Direction) -> Option<ReadyEvent> {
        Self::event(self.readiness.load(Acquire), direction)
    }

    fn event(word: usize, direction: Direction) -> Option<ReadyEvent> {
        let ready = Ready::from_usize(word & READY_MASK).intersection(direction.mask());
        let is_shutdown = word & SHUTDOWN != 0;
        (is_shutdown || !ready.is_empty()).then_some(ReadyEvent {
            ready,
            tick: tick_of(word),
            is_shutdown,
        })
    }

    /// Task side: ready (or shut down) in `direction`, or `Pending` with the waker stored.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_now(direction) {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let slot = match direction {
            Direction::Read => &mut waiters.reader,
            Direction::Write => &mut waiters.writer,
        };
        match slot {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        // Re-check under the lock: see the module docs for why nothing is lost.
        match self.ready_now(direction) {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Task side, after `WouldBlock`: clears what `event` saw, unless a newer event arrived.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent, direction: Direction) {
        let clear = event.ready.intersection(direction.clearable()).as_usize();
        let mut cur = self.readiness.load(Acquire);
        loop {
            if tick_of(cur) != event.tick {
                return; // a newer event: its readiness stands
            }
            let new = cur & !clear;
            if new == cur {
                return;
            }
            match self
                .readiness
                .compare_exchange_weak(cur, new, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Deregistration: drops the stored wakers without waking them.
    pub(crate) fn clear_wakers(&self) {
        let mut waiters = self.waiters.lock();
        let (r, w) = (waiters.reader.take(), waiters.writer.take());
        drop(waiters);
        drop((r, w));
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize as Count, Ordering::SeqCst};
    use std::task::Wake;

    struct CountWake(Count);
    impl Wake for CountWake {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    #[test]
    fn event_wakes_the_registered_reader_only() {
        let io = ScheduledIo::new();
        let count = Arc::new(CountWake(Count::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
        assert!(io.poll_ready(&mut cx, Direction::Write).is_pending());
        let mut wakers = Vec::new();
        io.set_readiness(Ready::READABLE, &mut wakers);
        assert_eq!(wakers.len(), 1);
        wakers.drain(..).for_each(Waker::wake);
        assert_eq!(count.0.load(SeqCst), 1);
        let Poll::Ready(ev) = io.poll_ready(&mut cx, Direction::Read) else {
            panic!()
        };
        assert!(ev.ready.is_readable());
    }

    #[test]
    fn stale_clear_keeps_newer_readiness() {
        let io = ScheduledIo::new();
        let mut wakers = Vec::new();
        io.set_readiness(Ready::READABLE, &mut wakers);
        let ev = io.ready_now(Direction::Read).unwrap();
        io.set_readiness(Ready::READABLE, &mut wakers); // arrives while the read runs
        io.clear_readiness(ev, Direction::Read);
        assert!(io.ready_now(Direction::Read).is_some());
        let ev = io.ready_now(Direction::Read).unwrap();
        io.clear_readiness(ev, Direction::Read);
        assert!(io.ready_now(Direction::Read).is_none());
    }

    #[test]
    fn closed_bits_survive_a_clear_and_shutdown_is_sticky() {
        let io = ScheduledIo::new();
        let mut wakers = Vec::new();
        io.set_readiness(Ready::READABLE | Ready::READ_CLOSED, &mut wakers);
        let ev = io.ready_now(Direction::Read).unwrap();
        io.clear_readiness(ev, Direction::Read);
        assert!(
            io.ready_now(Direction::Read)
                .unwrap()
                .ready
                .is_read_closed()
        );
        io.shutdown(&mut wakers);
        assert!(io.ready_now(Direction::Write).unwrap().is_shutdown);
    }
}

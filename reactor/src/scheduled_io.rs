//! Per-source readiness and the tasks that wait on it.
//!
//! # Waiters
//!
//! - One slot per direction for the poll-based methods (`AsyncRead`/`AsyncWrite`,
//!   `poll_read_ready`): a second task polling the same direction replaces the first one's
//!   waker, as with any `poll_*` method whose caller is meant to be one task (tokio's rule too).
//! - A list for the `async` waits ([`Readiness`]: `readable()`, `recv_from`, `accept`,
//!   `send_to`, ...): each pending wait has its own entry, so any number of tasks may await
//!   the same socket, and an event wakes every wait of its direction. The list is a small
//!   slab: a wait keeps its entry's index until it completes or is dropped.
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
//!   (in its slot or its list entry) and load the word again: if the event's RMW came before
//!   that load, the load sees it; if after, the driver's lock comes after ours and finds the
//!   waker. No wake-up is lost.
//! - **Clear** (a task whose operation returned `WouldBlock`): a CAS that removes the bits it
//!   saw only if the tick is still the one it saw. An event that arrived meanwhile bumped the
//!   tick, so its readiness is not wiped by a stale clear.
//! - **Shutdown**: sets SHUTDOWN and wakes both waiters; every later poll returns at once.
//!
//! Orderings: the event RMW and the clear CAS are `AcqRel` and the loads `Acquire`, so a
//! task that sees readiness also sees what the driver did before setting it; the lost-wake-up
//! argument itself rests on the waiter mutex (lock acquire/release), not on the atomics.

use std::future::Future;
use std::pin::Pin;
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
    /// The `async` waits, indexed by the key each [`Readiness`] holds.
    list: Vec<Option<ListEntry>>,
    /// Free indices of `list`.
    free: Vec<usize>,
    /// Entries of `list` holding a waker (the driver skips the scan when 0).
    waiting: usize,
}

#[derive(Debug)]
struct ListEntry {
    direction: Direction,
    waker: Option<Waker>,
}

impl Waiters {
    /// Moves the wakers `ready` concerns (or all, on shutdown) into `wakers`.
    fn take(&mut self, ready: Option<Ready>, wakers: &mut Vec<Waker>) {
        let wants = |d: Direction| ready.is_none_or(|r| !r.intersection(d.mask()).is_empty());
        if wants(Direction::Read) {
            wakers.extend(self.reader.take());
        }
        if wants(Direction::Write) {
            wakers.extend(self.writer.take());
        }
        if self.waiting == 0 {
            return;
        }
        for entry in self.list.iter_mut().flatten() {
            if wants(entry.direction) {
                if let Some(w) = entry.waker.take() {
                    self.waiting -= 1;
                    wakers.push(w);
                }
            }
        }
    }

    /// Stores `waker` in the list entry `key` (allocating one if `None`).
    fn store(&mut self, key: &mut Option<usize>, direction: Direction, waker: &Waker) {
        let index = match *key {
            Some(index) => index,
            None => {
                let entry = Some(ListEntry {
                    direction,
                    waker: None,
                });
                let index = match self.free.pop() {
                    Some(index) => {
                        self.list[index] = entry;
                        index
                    }
                    None => {
                        self.list.push(entry);
                        self.list.len() - 1
                    }
                };
                *key = Some(index);
                index
            }
        };
        let entry = self.list[index]
            .as_mut()
            .expect("a held key names a live entry");
        match &entry.waker {
            Some(w) if w.will_wake(waker) => {}
            Some(_) => entry.waker = Some(waker.clone()),
            None => {
                entry.waker = Some(waker.clone());
                self.waiting += 1;
            }
        }
    }

    /// Frees the list entry `key`; returns its waker for the caller to drop unlocked.
    fn release(&mut self, key: usize) -> Option<Waker> {
        let entry = self.list[key]
            .take()
            .expect("a held key names a live entry");
        if entry.waker.is_some() {
            self.waiting -= 1;
        }
        if self.free.len() + 1 == self.list.len() {
            // Nobody holds a key: shrink back (a burst of waiters leaves no long scan).
            self.list.clear();
            self.free.clear();
        } else {
            self.free.push(key);
        }
        entry.waker
    }
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
        self.waiters.lock().take(Some(ready), wakers);
    }

    /// Runtime shutdown: every waiter is woken, every later poll returns the shutdown event.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        self.waiters.lock().take(None, wakers);
    }

    /// An `async` wait for `direction`, with its own waiter entry (see the module docs).
    pub(crate) fn readiness(&self, direction: Direction) -> Readiness<'_> {
        Readiness {
            io: self,
            direction,
            key: None,
        }
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
        let mut dropped = Vec::new();
        self.waiters.lock().take(None, &mut dropped);
        drop(dropped);
    }
}

/// One task's wait for readiness in one direction: [`ScheduledIo::readiness`]. Its waiter
/// entry is freed when it completes or is dropped.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub(crate) struct Readiness<'a> {
    io: &'a ScheduledIo,
    direction: Direction,
    key: Option<usize>,
}

impl Readiness<'_> {
    fn release(&mut self) {
        if let Some(key) = self.key.take() {
            let waker = self.io.waiters.lock().release(key);
            drop(waker);
        }
    }
}

impl Future for Readiness<'_> {
    type Output = ReadyEvent;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        let this = self.get_mut();
        if let Some(event) = this.io.ready_now(this.direction) {
            this.release();
            return Poll::Ready(event);
        }
        let mut waiters = this.io.waiters.lock();
        waiters.store(&mut this.key, this.direction, cx.waker());
        // Re-check under the lock: see the module docs for why nothing is lost.
        match this.io.ready_now(this.direction) {
            Some(event) => {
                let key = this.key.take().expect("stored above");
                let waker = waiters.release(key);
                drop(waiters);
                drop(waker);
                Poll::Ready(event)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        self.release();
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

    fn counting() -> (Arc<CountWake>, Waker) {
        let count = Arc::new(CountWake(Count::new(0)));
        let waker = Waker::from(count.clone());
        (count, waker)
    }

    fn list_len(io: &ScheduledIo) -> (usize, usize) {
        let w = io.waiters.lock();
        (w.list.iter().flatten().count(), w.waiting)
    }

    #[test]
    fn every_async_wait_of_the_direction_is_woken() {
        let io = ScheduledIo::new();
        let (reads, read_waker) = counting();
        let (writes, write_waker) = counting();
        let mut waits: Vec<_> = (0..3).map(|_| io.readiness(Direction::Read)).collect();
        let mut write_wait = io.readiness(Direction::Write);
        for w in &mut waits {
            assert!(
                Pin::new(w)
                    .poll(&mut Context::from_waker(&read_waker))
                    .is_pending()
            );
        }
        assert!(
            Pin::new(&mut write_wait)
                .poll(&mut Context::from_waker(&write_waker))
                .is_pending()
        );
        // The poll-based slot is separate: a fourth reader through `poll_ready`.
        assert!(
            io.poll_ready(&mut Context::from_waker(&read_waker), Direction::Read)
                .is_pending()
        );
        assert_eq!(list_len(&io), (4, 4));

        let mut wakers = Vec::new();
        io.set_readiness(Ready::READABLE, &mut wakers);
        wakers.drain(..).for_each(Waker::wake);
        assert_eq!(reads.0.load(SeqCst), 4);
        assert_eq!(writes.0.load(SeqCst), 0);
        assert_eq!(list_len(&io), (4, 1), "entries stay until their waits end");

        for w in &mut waits {
            assert!(
                Pin::new(w)
                    .poll(&mut Context::from_waker(&read_waker))
                    .is_ready()
            );
        }
        assert_eq!(list_len(&io), (1, 1));
        drop(waits);
        drop(write_wait);
        let w = io.waiters.lock();
        assert!(w.list.is_empty() && w.free.is_empty() && w.waiting == 0);
    }

    #[test]
    fn dropped_waits_free_their_entries_and_are_never_woken() {
        let io = ScheduledIo::new();
        let (count, waker) = counting();
        let mut a = io.readiness(Direction::Read);
        let mut b = io.readiness(Direction::Read);
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut a).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut b).poll(&mut cx).is_pending());
        drop(a);
        assert_eq!(list_len(&io), (1, 1));
        // The freed index is reused by the next wait.
        let mut c = io.readiness(Direction::Read);
        assert!(Pin::new(&mut c).poll(&mut cx).is_pending());
        assert_eq!(io.waiters.lock().list.len(), 2);
        let mut wakers = Vec::new();
        io.set_readiness(Ready::READABLE, &mut wakers);
        assert_eq!(wakers.len(), 2);
        wakers.drain(..).for_each(Waker::wake);
        assert_eq!(count.0.load(SeqCst), 2);
        drop((b, c));
        assert_eq!(list_len(&io), (0, 0));
    }

    #[test]
    fn shutdown_wakes_and_deregistration_drops_the_list() {
        let io = ScheduledIo::new();
        let (count, waker) = counting();
        let mut cx = Context::from_waker(&waker);
        let mut a = io.readiness(Direction::Read);
        let mut b = io.readiness(Direction::Write);
        assert!(Pin::new(&mut a).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut b).poll(&mut cx).is_pending());
        io.clear_wakers();
        assert_eq!(count.0.load(SeqCst), 0, "deregistration wakes nobody");
        assert_eq!(list_len(&io), (2, 0));
        assert!(Pin::new(&mut a).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut b).poll(&mut cx).is_pending());
        let mut wakers = Vec::new();
        io.shutdown(&mut wakers);
        assert_eq!(wakers.len(), 2);
        wakers.drain(..).for_each(Waker::wake);
        let Poll::Ready(ev) = Pin::new(&mut a).poll(&mut cx) else {
            panic!("shutdown is sticky")
        };
        assert!(ev.is_shutdown);
    }
}

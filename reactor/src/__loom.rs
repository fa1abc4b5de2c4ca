//! The reactor's readiness protocol, handed to the loom models in `loom-tests/`.
//!
//! Compiled only under `--cfg conductor_loom`, hidden from the docs, and not API. mio cannot
//! run under loom, so this is the *mio stand-in*: the models play the driver themselves with
//! [`Sources::dispatch`] (what `Driver::turn` does per event: look the token up in the slab
//! under its lock, record the readiness, collect the wakers, wake them after unlocking) and
//! the tasks with [`ScheduledIo::poll_ready`] / [`ScheduledIo::clear_readiness`]. All of it
//! is the shipping code (`scheduled_io.rs`, the slab of `handle.rs`) on loom's atomics and
//! mutexes.

use std::task::{Context, Poll, Waker};

use crate::handle::Slab;
use crate::readiness::Direction as Dir;
use crate::scheduled_io;
use crate::sync::{Arc, Mutex};

pub use crate::readiness::Ready;

/// A direction of I/O.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Reading (accept, recv).
    Read,
    /// Writing (connect, send).
    Write,
}

fn dir(d: Direction) -> Dir {
    match d {
        Direction::Read => Dir::Read,
        Direction::Write => Dir::Write,
    }
}

/// One source's readiness word and waiter slots.
#[derive(Debug)]
pub struct ScheduledIo(Arc<scheduled_io::ScheduledIo>);

/// What a poll saw: bits and tick.
#[derive(Clone, Copy, Debug)]
pub struct ReadyEvent(scheduled_io::ReadyEvent);

impl ReadyEvent {
    /// The bits of the polled direction.
    pub fn ready(&self) -> Ready {
        self.0.ready
    }

    /// The tick (count of events, wrapping) the readiness was seen at.
    pub fn tick(&self) -> usize {
        self.0.tick()
    }

    /// Whether the reactor was shut down.
    pub fn is_shutdown(&self) -> bool {
        self.0.is_shutdown
    }
}

impl Default for ScheduledIo {
    fn default() -> Self {
        Self::new()
    }
}

impl ScheduledIo {
    /// A source with nothing ready.
    pub fn new() -> ScheduledIo {
        ScheduledIo(Arc::new(scheduled_io::ScheduledIo::new()))
    }

    /// Driver side: an event; returns the wakers to wake (the caller wakes them).
    pub fn set_readiness(&self, ready: Ready) -> Vec<Waker> {
        let mut wakers = Vec::new();
        self.0.set_readiness(ready, &mut wakers);
        wakers
    }

    /// Shutdown: returns the wakers to wake.
    pub fn shutdown(&self) -> Vec<Waker> {
        let mut wakers = Vec::new();
        self.0.shutdown(&mut wakers);
        wakers
    }

    /// Task side: ready, or pending with the waker stored.
    pub fn poll_ready(&self, cx: &mut Context<'_>, d: Direction) -> Poll<ReadyEvent> {
        self.0.poll_ready(cx, dir(d)).map(ReadyEvent)
    }

    /// Task side: an `async` wait with its own waiter entry (what `readable()` and
    /// `read_with` use), polled by the model through [`Readiness::poll`].
    pub fn readiness(&self, d: Direction) -> Readiness<'_> {
        Readiness(self.0.readiness(dir(d)))
    }

    /// Task side: the readiness now, without storing a waker.
    pub fn ready_now(&self, d: Direction) -> Option<ReadyEvent> {
        self.0.ready_now(dir(d)).map(ReadyEvent)
    }

    /// Task side, after `WouldBlock`: clear what `event` saw unless a newer event came.
    pub fn clear_readiness(&self, event: ReadyEvent, d: Direction) {
        self.0.clear_readiness(event.0, dir(d))
    }
}

/// One task's `async` wait (see [`ScheduledIo::readiness`]); dropping it frees its entry.
#[derive(Debug)]
pub struct Readiness<'a>(scheduled_io::Readiness<'a>);

impl std::future::Future for Readiness<'_> {
    type Output = ReadyEvent;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(ReadyEvent)
    }
}

/// The slab of sources with generation-tagged tokens, as the handle keeps it.
#[derive(Debug)]
pub struct Sources(Mutex<SlabDebug>);

struct SlabDebug(Slab);

impl std::fmt::Debug for SlabDebug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slab")
    }
}

/// A source's token (slab index and generation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token(mio::Token);

impl Default for Sources {
    fn default() -> Self {
        Self::new()
    }
}

impl Sources {
    /// An empty slab.
    pub fn new() -> Sources {
        Sources(Mutex::new(SlabDebug(Slab::new())))
    }

    /// Registers a new source.
    pub fn insert(&self) -> (Token, ScheduledIo) {
        let io = Arc::new(scheduled_io::ScheduledIo::new());
        let token = self
            .0
            .lock()
            .0
            .insert(io.clone())
            .expect("room in the slab");
        (Token(token), ScheduledIo(io))
    }

    /// Deregisters a source as `Handle::remove` does: frees the slot (bumping its
    /// generation) under the lock, then drops the stored wakers without waking them.
    pub fn remove(&self, token: Token) {
        let io = self.0.lock().0.remove(token.0);
        if let Some(io) = io {
            io.clear_wakers();
        }
    }

    /// The driver's handling of one event for `token`: under the slab lock, find the
    /// source if its generation still matches and record `ready`; then wake, unlocked.
    pub fn dispatch(&self, token: Token, ready: Ready) {
        let mut wakers = Vec::new();
        {
            let slab = self.0.lock();
            if let Some(io) = slab.0.get(token.0) {
                io.set_readiness(ready, &mut wakers);
            }
        }
        wakers.into_iter().for_each(Waker::wake);
    }
}

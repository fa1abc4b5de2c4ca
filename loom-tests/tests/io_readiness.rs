//! Issue 4: the reactor's readiness protocol (`reactor/src/scheduled_io.rs`) and its slab of
//! generation-tagged tokens (`reactor/src/handle.rs`), with the models playing the mio driver
//! through `conductor_reactor::__loom` (mio itself cannot run under loom).
//!
//! - an event setting readiness vs a task registering its waker: no lost wake-up;
//! - a `WouldBlock` clearing readiness vs a newer event: no stale clear;
//! - shutdown vs a task registering its waker: the task always sees the shutdown;
//! - deregistration (and slot reuse) racing an event: the event never reaches the new
//!   source, and the old source's waker is dropped, woken at most once;
//! - two tasks awaiting the same direction (`async` waits, one list entry each) vs one
//!   event: both are woken.
#![cfg(conductor_loom)]

use std::future::poll_fn;

use conductor_reactor::__loom::{Direction, Ready, ScheduledIo, Sources};
use loom_tests::{Arc, CountingWaker, block_on, model, thread};

/// Guards: `set_readiness` (RMW, then take the waker under the waiter lock) vs `poll_ready`
/// (store the waker under the lock, then re-load). Either the poll sees the readiness or the
/// event finds the waker; a lost wake-up leaves `block_on` parked forever (loom: deadlock).
#[test]
fn event_vs_waker_registration() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let driver = {
            let io = io.clone();
            thread::spawn(move || {
                io.set_readiness(Ready::READABLE)
                    .into_iter()
                    .for_each(|w| w.wake());
            })
        };
        let ev = block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(ev.ready().is_readable());
        driver.join().unwrap();
    });
}

/// Guards: the tick check in `clear_readiness`. A task saw READABLE, its read returned
/// `WouldBlock`, and it clears; meanwhile the driver delivers a new READABLE edge. If the
/// task's snapshot predates that event (an older tick), the clear must leave the readiness in
/// place: edge-triggered epoll sends no second edge, so a wiped event is a lost wake-up.
#[test]
fn would_block_clear_vs_new_event() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        drop(io.set_readiness(Ready::READABLE));
        let first_tick = io.ready_now(Direction::Read).unwrap().tick();
        let driver = {
            let io = io.clone();
            thread::spawn(move || drop(io.set_readiness(Ready::READABLE)))
        };
        let seen = io.ready_now(Direction::Read).expect("READABLE was set");
        io.clear_readiness(seen, Direction::Read);
        driver.join().unwrap();
        if seen.tick() == first_tick {
            // The new event came after the snapshot: it must survive the clear.
            let now = io.ready_now(Direction::Read);
            assert!(
                now.is_some_and(|e| e.ready().is_readable()),
                "the newer event was wiped by a stale clear"
            );
        }
    });
}

/// Guards: shutdown vs a task registering its waker; the task is woken and sees shutdown.
#[test]
fn shutdown_vs_waker_registration() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let shutter = {
            let io = io.clone();
            thread::spawn(move || io.shutdown().into_iter().for_each(|w| w.wake()))
        };
        let ev = block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Write)));
        assert!(ev.is_shutdown());
        shutter.join().unwrap();
    });
}

/// Guards: the generation in the token. The driver dispatches an event for the old token
/// while another thread deregisters the source and registers a new one in the same slot. The
/// new source's waker is never woken by the old event; the old source's waker is woken at
/// most once and no clone of it survives deregistration.
#[test]
fn deregistration_and_slot_reuse_vs_event() {
    model(|| {
        let sources = Arc::new(Sources::new());
        let (old_token, old_io) = sources.insert();
        let (old_count, old_waker) = CountingWaker::new();
        let mut cx = std::task::Context::from_waker(&old_waker);
        assert!(old_io.poll_ready(&mut cx, Direction::Read).is_pending());
        drop(old_waker);

        let driver = {
            let sources = sources.clone();
            thread::spawn(move || sources.dispatch(old_token, Ready::READABLE))
        };
        sources.remove(old_token);
        let (new_token, new_io) = sources.insert();
        assert_ne!(new_token, old_token, "a reused slot gets a new generation");
        let (new_count, new_waker) = CountingWaker::new();
        let mut cx = std::task::Context::from_waker(&new_waker);
        assert!(new_io.poll_ready(&mut cx, Direction::Read).is_pending());
        driver.join().unwrap();

        assert_eq!(
            new_count.wakes(),
            0,
            "an old token's event woke the new source"
        );
        assert!(new_io.ready_now(Direction::Read).is_none());
        assert!(old_count.wakes() <= 1);
        assert_eq!(
            std::sync::Arc::strong_count(&old_count),
            1,
            "the old waker was kept past deregistration"
        );
    });
}

/// Guards: the waiter list of the `async` waits. Two tasks await readability of one source
/// while the driver delivers one event: each wait stores its waker in its own entry under the
/// waiter lock and re-checks, and the event takes every entry's waker. With one shared slot
/// (the poll-based path), the second registration would replace the first and one task
/// would sleep forever (loom: deadlock).
#[test]
fn two_async_waits_vs_one_event() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let other = {
            let io = io.clone();
            thread::spawn(move || {
                let ev = block_on(io.readiness(Direction::Read));
                assert!(ev.ready().is_readable());
            })
        };
        let driver = {
            let io = io.clone();
            thread::spawn(move || {
                io.set_readiness(Ready::READABLE)
                    .into_iter()
                    .for_each(|w| w.wake());
            })
        };
        let ev = block_on(io.readiness(Direction::Read));
        assert!(ev.ready().is_readable());
        other.join().unwrap();
        driver.join().unwrap();
    });
}

//! Loom models of conductor's concurrent protocols (issue 3).
//!
//! The models live in `tests/`, one file per protocol; this crate holds what they share. Build
//! and run them with `loom-tests/run.sh` (see `docs/loom.md`): everything here exists only
//! under `--cfg conductor_loom`, which also switches the runtime's atomics, locks, cells,
//! threads and thread-locals to loom's and opens its hidden `conductor::__loom` module. Without
//! the cfg this crate is empty and its test binaries hold no test.
//!
//! The helpers:
//!
//! - `model`: `loom::model` with the suite's settings (a preemption bound of 2 unless
//!   `LOOM_MAX_PREEMPTIONS` says otherwise, room for the runtime's longer executions) and a
//!   check that no panic was swallowed: the runtime catches panics around polls and
//!   completions, which would otherwise hide a loom failure (a causality violation on an
//!   `UnsafeCell`, say) raised inside them.
//! - `multi_thread`, `current_thread`: real runtimes whose threads are loom threads.
//! - `Harness` (from `conductor::__loom`): real task cells on a queue the model drains by
//!   hand, for the task-state, join-handle and owned-list models.
//! - `block_on`: waits for a future on the calling loom thread, never waking spuriously (so
//!   runtime models stay small); `block_on_spurious` is loom's own, which also explores
//!   spurious re-polls, for models of the `JoinHandle` itself.
//! - `Drops`: counts drops of futures, outputs and closures, to assert "exactly once".
//! - `Signal`: a one-shot event a task can await and another thread can fire.
//! - `WakerSlot` and `pending_once`: a future that hands its waker out and is ready when
//!   polled again, for models that wake a task by hand.
//! - `CountingWaker`: a waker that counts its wakes and whose clones can be counted, to
//!   check that the runtime drops every waker it was given exactly once.
//! - `Parker`, `Driver`: the runtime's parker and driver stand-in, for parking models.

#![cfg_attr(not(conductor_loom), allow(unused))]

#[cfg(conductor_loom)]
mod imp;

#[cfg(conductor_loom)]
pub use imp::*;

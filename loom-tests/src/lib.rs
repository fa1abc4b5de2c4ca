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
//! - [`model`]: `loom::model` with the suite's settings (a preemption bound of 2 unless
//!   `LOOM_MAX_PREEMPTIONS` says otherwise, room for the runtime's longer executions) and a
//!   check that no panic was swallowed: the runtime catches panics around polls and
//!   completions, which would otherwise hide a loom failure (a causality violation on an
//!   `UnsafeCell`, say) raised inside them.
//! - [`Drops`]: counts drops of futures, outputs and closures, to assert "exactly once".
//! - [`Signal`]: a one-shot event a task can await and another thread can fire.
//! - [`WakerSlot`] and [`pending_once`]: a future that hands its waker out and is ready when
//!   polled again, for models that wake a task by hand.
//! - [`CountingWaker`]: a waker whose clones can be counted, to check that the runtime drops
//!   every join waker it was given exactly once.

#![cfg_attr(not(conductor_loom), allow(unused))]

#[cfg(conductor_loom)]
mod imp;

#[cfg(conductor_loom)]
pub use imp::*;

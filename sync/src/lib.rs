//! Async synchronization primitives: the channels and locks tasks coordinate with.
//!
//! Re-exported as `conductor::sync`. The implementations are runtime-agnostic (any executor can
//! poll them: they only store and wake `Waker`s) but spend conductor's cooperative budget when a
//! conductor task polls them, so a task whose channel is always ready still yields its worker.
//! Every waiting future is cancel-safe as documented on it: dropping a `recv`, `acquire` or
//! `lock` future loses no message and no permit.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

mod loom_facade;

//! Async synchronization primitives: the channels and locks tasks coordinate with.
//!
//! Re-exported as `conductor::sync`. The implementations are runtime-agnostic (any executor can
//! poll them: they only store and wake `Waker`s) but spend conductor's cooperative budget when a
//! conductor task polls them, so a task whose channel is always ready still yields its worker.
//! Every waiting future is cancel-safe as documented on it: dropping a `recv`, `acquire` or
//! `lock` future loses no message and no permit.
//!
//! Channels:
//!
//! - [`oneshot`]: one value from one sender to one receiver.
//! - [`mpsc`]: many senders, one receiver, bounded (with backpressure) or unbounded.
//! - [`broadcast`]: many senders, many receivers, each receiver sees every value.
//! - [`watch`]: one sender, many receivers, each sees the latest value.
//!
//! ```
//! # futures::executor::block_on(async {
//! let (tx, mut rx) = conductor_sync::mpsc::channel(8);
//! tx.send("hello").await.unwrap();
//! assert_eq!(rx.recv().await, Some("hello"));
//! # });
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

mod block_on;
mod loom_facade;
mod waiters;

pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

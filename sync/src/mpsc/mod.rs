//! Multi-producer, single-consumer channels: [`channel`] (bounded: senders wait for room) and
//! [`unbounded_channel`].
//!
//! ```
//! # futures::executor::block_on(async {
//! use conductor_sync::mpsc;
//!
//! let (tx, mut rx) = mpsc::channel(16);
//! for id in 0..4 {
//!     let tx = tx.clone();
//!     std::thread::spawn(move || {
//!         for i in 0..10 {
//!             tx.blocking_send((id, i)).unwrap();
//!         }
//!     });
//! }
//! drop(tx);
//! let mut count = 0;
//! while let Some(_msg) = rx.recv().await {
//!     count += 1;
//! }
//! assert_eq!(count, 40);
//! # });
//! ```
//!
//! # Guarantees
//!
//! - Values from one sender arrive in the order it sent them.
//! - Senders waiting for room (`send`, `reserve`) proceed in the order they started waiting;
//!   `try_send` does not overtake them.
//! - `recv` is cancel-safe; `send` drops its value if cancelled (use `reserve` first to keep
//!   it); `reserve` and `closed` are cancel-safe.
//! - Errors carry the unsent value back; dropping the receiver drops what is buffered.
//!
//! # Design
//!
//! One lock around a `VecDeque` of values, the capacity count, the receiver's waker and the
//! wait list of senders (see `chan.rs`). Each operation holds it for a few instructions and
//! wakes outside it; measured against tokio's lock-free block list in `docs/benchmarks.md`.

mod bounded;
mod chan;
pub mod error;
mod futures;
mod unbounded;

pub use bounded::{OwnedPermit, Permit, Receiver, Sender, WeakSender, channel};
pub use error::SendError;
pub use unbounded::{UnboundedReceiver, UnboundedSender, unbounded_channel};

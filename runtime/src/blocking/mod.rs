//! The blocking pool: threads for `spawn_blocking`, off the async workers.
//!
//! A blocking call is an ordinary task (same cell, same `JoinHandle`, abortable before it
//! starts) whose future runs the closure on its first and only poll, scheduled onto this pool
//! instead of a worker. See `pool.rs` for the threads.

mod pool;
mod task;

pub(crate) use self::pool::Spawner;

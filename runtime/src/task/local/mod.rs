//! Local tasks: `!Send` futures run on the thread that owns their [`LocalSet`].
//!
//! # Design
//!
//! - `tasks.rs`: the set's tasks, a slab of boxed futures behind an `Rc`, polled only on the
//!   set's thread; spawning, one tick of polling, and shutdown.
//! - `queue.rs`: the thread-safe half: a mutex-guarded ready queue of task slots, and the
//!   tasks' wakers (`Send + Sync`, they name a slot and never touch the future).
//! - `join.rs`: `LocalJoinHandle` and the cell it shares with its task.
//! - `set.rs`: `LocalSet`, the public face: `spawn_local`, `run_until`, `block_on`, `enter`,
//!   and awaiting the set itself.
//! - `context.rs`: the set current on this thread, for the free function [`spawn_local`].
//!
//! The set never owns a thread: whatever polls it (`run_until`'s caller, or a task awaiting
//! it) lends it the thread, and it gives it back after a bounded batch of polls.

mod context;
mod join;
mod queue;
mod set;
mod tasks;

use std::future::Future;

pub use self::join::LocalJoinHandle;
pub use self::set::{LocalEnterGuard, LocalSet};

/// Spawns a `!Send` future onto the [`LocalSet`] running (or entered) on this thread.
///
/// The task runs on this thread whenever the set is polled; its output comes back through the
/// returned handle.
///
/// # Panics
///
/// With "spawn_local called outside a LocalSet" when no `LocalSet` is running or entered on
/// this thread.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use conductor::task::{spawn_local, LocalSet};
///
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// LocalSet::new().block_on(&rt, async {
///     let log2 = log.clone();
///     spawn_local(async move { log2.borrow_mut().push("task") }).await.unwrap();
/// });
/// assert_eq!(*log.borrow(), ["task"]);
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> LocalJoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match context::current() {
        Some(set) => set.spawn(future),
        None => panic!("{}", crate::error::SPAWN_LOCAL_OUTSIDE_LOCAL_SET),
    }
}

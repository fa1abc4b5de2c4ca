//! Every misuse message of the crate, each saying how to fix the problem. Tests match on
//! these texts.

/// `spawn`, `spawn_blocking`, `JoinSet::spawn` or `Handle::current` with no runtime.
pub(crate) const SPAWN_OUTSIDE_RUNTIME: &str = "this function must be called from inside a task or a `block_on`, but it was called \
     outside of a conductor runtime; use #[conductor::main], `Runtime::block_on`, \
     `Handle::spawn` or `Handle::enter`";

/// `block_on` on a thread that is already driving async code.
pub(crate) const BLOCK_ON_INSIDE_RUNTIME: &str = "a conductor runtime cannot be blocked on from inside async code: `block_on` was called \
     on a thread that is already running a runtime's tasks or `block_on`; `.await` the future \
     instead, or move the blocking code into `conductor::task::spawn_blocking`";

/// Dropping a `Runtime` inside a task or `block_on`.
pub(crate) const DROP_RUNTIME_INSIDE_RUNTIME: &str = "a conductor runtime cannot be dropped from inside async code, because dropping waits for \
     its threads; drop it from `spawn_blocking` or a plain thread, or call \
     `Runtime::shutdown_background`";

/// `task::id()` outside a task.
pub(crate) const TASK_ID_OUTSIDE_TASK: &str = "`conductor::task::id()` called outside a task; use `conductor::task::try_id()` where there \
     may be none";

/// `Builder::worker_threads(0)`.
pub(crate) const ZERO_WORKER_THREADS: &str =
    "worker_threads must be greater than 0 (a multi-thread runtime needs a worker)";

/// `Builder::max_blocking_threads(0)`.
pub(crate) const ZERO_MAX_BLOCKING_THREADS: &str =
    "max_blocking_threads must be greater than 0 (spawn_blocking needs a thread to run on)";

/// `Builder::global_queue_interval(0)` / `event_interval(0)`.
pub(crate) const ZERO_INTERVAL: &str =
    "global_queue_interval and event_interval must be greater than 0";

/// `LocalKey::with`/`get` outside any `scope` of that key.
pub(crate) const TASK_LOCAL_NOT_SET: &str = "task-local value not set: `LocalKey::with` and \
     `LocalKey::get` work only inside a `scope` (or `sync_scope`) of that key; use \
     `try_with` to test for it";

/// A scope of a key entered from inside `with` of that same key.
pub(crate) const TASK_LOCAL_BORROWED: &str = "cannot enter a task-local scope while that \
     task-local's value is borrowed (by `LocalKey::with` of the same key)";

/// A task-local scope entered while the thread's locals are being destroyed.
pub(crate) const TASK_LOCAL_THREAD_GONE: &str =
    "cannot enter a task-local scope: this thread's thread-locals are being destroyed";
/// `task::spawn_local` with no `LocalSet` running or entered on this thread.
pub(crate) const SPAWN_LOCAL_OUTSIDE_LOCAL_SET: &str = "spawn_local called outside a LocalSet: a `!Send` task needs a `LocalSet` on this thread; \
     run the code inside `LocalSet::run_until` or `LocalSet::block_on`, spawn with \
     `LocalSet::spawn_local`, or enter the set with `LocalSet::enter`";

/// A `LocalSet` polled again (`run_until`, or awaited) from inside one of its own tasks.
pub(crate) const LOCAL_SET_REENTERED: &str = "a LocalSet was run from inside one of its own tasks; a local task cannot drive the set \
     that is polling it: `.await` the work directly, or spawn it with `spawn_local`";

/// A `LocalJoinHandle` polled after it returned its output.
pub(crate) const LOCAL_JOIN_HANDLE_AFTER_COMPLETION: &str = "a LocalJoinHandle was polled after it had already returned the task's output; a join \
     handle yields its output once";

//! The thread-local runtime context: which runtime this thread belongs to right now (for
//! `spawn` and `Handle::current`), whether it is driving async code (so `block_on` and
//! dropping a runtime can refuse), which task is being polled, and the scheduler-local state
//! of a worker (its queues, reachable from wakers that fire on this thread).

use std::cell::{Cell, RefCell};

use crate::loom_sync::thread_local;
use crate::scheduler::{self, SchedulerContext};
use crate::task::Id;

struct Context {
    /// Set by `Handle::enter`, `block_on`, worker and blocking threads.
    handle: RefCell<Option<scheduler::Handle>>,
    /// Set while this thread runs a scheduler loop or a `block_on`.
    runtime_entered: Cell<bool>,
    /// The task being polled.
    task_id: Cell<Option<Id>>,
    /// The scheduler state of this thread, if it is a worker or in `block_on`.
    scheduler: Cell<Option<SchedulerContext>>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            handle: RefCell::new(None),
            runtime_entered: Cell::new(false),
            task_id: Cell::new(None),
            scheduler: Cell::new(None),
        }
    };
}

/// The thread-local is gone (the thread is exiting) or holds no handle.
#[derive(Debug)]
pub(crate) enum NoContext {
    NoRuntime,
    ThreadLocalDestroyed,
}

/// Runs `f` with the current runtime's handle.
pub(crate) fn with_current_handle<R>(
    f: impl FnOnce(&scheduler::Handle) -> R,
) -> Result<R, NoContext> {
    CONTEXT
        .try_with(|ctx| match &*ctx.handle.borrow() {
            Some(handle) => Ok(f(handle)),
            None => Err(NoContext::NoRuntime),
        })
        .unwrap_or(Err(NoContext::ThreadLocalDestroyed))
}

/// Restores the previous handle (and the previously entered drivers) on drop.
pub(crate) struct SetHandleGuard {
    prev: Option<scheduler::Handle>,
    _drivers: scheduler::driver::EnterGuard,
}

/// Enters `handle` on this thread: `spawn` and `Handle::current` use it, and its I/O and
/// time drivers become the current ones for sockets and timers.
pub(crate) fn set_handle(handle: scheduler::Handle) -> SetHandleGuard {
    let drivers = handle.driver().enter();
    let prev = CONTEXT.with(|ctx| ctx.handle.replace(Some(handle)));
    SetHandleGuard {
        prev,
        _drivers: drivers,
    }
}

impl Drop for SetHandleGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CONTEXT.try_with(|ctx| *ctx.handle.borrow_mut() = prev);
    }
}

/// Marks the thread as driving async code until dropped.
pub(crate) struct EnteredRuntime {
    _not_send: std::marker::PhantomData<*const ()>,
}

/// Marks the thread as driving a runtime. Panics when it already is.
#[track_caller]
pub(crate) fn enter_runtime() -> EnteredRuntime {
    if CONTEXT.with(|ctx| ctx.runtime_entered.replace(true)) {
        panic!("{}", crate::error::BLOCK_ON_INSIDE_RUNTIME);
    }
    EnteredRuntime {
        _not_send: std::marker::PhantomData,
    }
}

impl Drop for EnteredRuntime {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|ctx| ctx.runtime_entered.set(false));
    }
}

/// Whether this thread is driving async code (a worker, or inside `block_on`).
pub(crate) fn is_runtime_entered() -> bool {
    CONTEXT
        .try_with(|ctx| ctx.runtime_entered.get())
        .unwrap_or(false)
}

/// Allows `block_on` and blocking inside its scope even on a runtime thread; used by the
/// blocking pool's threads, which are not async workers.
pub(crate) struct ExitRuntime {
    prev: bool,
}

#[allow(dead_code)] // block_in_place will use it
pub(crate) fn exit_runtime() -> ExitRuntime {
    let prev = CONTEXT.with(|ctx| ctx.runtime_entered.replace(false));
    ExitRuntime { prev }
}

impl Drop for ExitRuntime {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|ctx| ctx.runtime_entered.set(self.prev));
    }
}

/// Restores the previous task id on drop.
pub(crate) struct TaskIdGuard {
    prev: Option<Id>,
}

pub(crate) fn set_current_task_id(id: Option<Id>) -> TaskIdGuard {
    let prev = CONTEXT
        .try_with(|ctx| ctx.task_id.replace(id))
        .ok()
        .flatten();
    TaskIdGuard { prev }
}

impl Drop for TaskIdGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|ctx| ctx.task_id.set(self.prev));
    }
}

pub(crate) fn current_task_id() -> Option<Id> {
    CONTEXT.try_with(|ctx| ctx.task_id.get()).ok().flatten()
}

/// Restores the previous scheduler context on drop.
pub(crate) struct SchedulerGuard {
    prev: Option<SchedulerContext>,
}

pub(crate) fn set_scheduler(sched: SchedulerContext) -> SchedulerGuard {
    let prev = CONTEXT.with(|ctx| ctx.scheduler.replace(Some(sched)));
    SchedulerGuard { prev }
}

impl Drop for SchedulerGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|ctx| ctx.scheduler.set(self.prev));
    }
}

/// The scheduler context of this thread, if any.
pub(crate) fn scheduler() -> Option<SchedulerContext> {
    CONTEXT.try_with(|ctx| ctx.scheduler.get()).ok().flatten()
}

//! The current-thread scheduler: every task runs on the thread inside `block_on`.
//!
//! The *core* (the run queue and the driver) is taken by the thread that enters `block_on`;
//! while it holds it, tasks woken on that thread go straight to the queue and wakes from other
//! threads go through a mutex-protected remote queue plus an unpark. A second thread that
//! calls `block_on` at the same time polls its own future and waits for the core, re-checking
//! every millisecond.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::ptr::NonNull;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use super::config::Config;
use super::metrics::{WorkerMetrics, bump};
use super::park::{Driver, DriverUnpark, Parker, Unparker};
use super::{Handle, SchedulerContext};
use crate::blocking;
use crate::loom_sync::{Arc, AtomicBool, Mutex, Ordering};
use crate::runtime::context;
use crate::task::list::OwnedTasks;
use crate::task::{self, JoinHandle, Notified, Schedule};

type Task = Notified<Arc<Shared>>;

/// How long a `block_on` without the core waits before looking for it again.
const CORE_RECHECK: Duration = Duration::from_millis(1);

pub(crate) struct Shared {
    remote: Mutex<Remote>,
    core: Mutex<Option<Box<Core>>>,
    pub(crate) owned: OwnedTasks,
    pub(crate) driver_unpark: DriverUnpark,
    shutdown: AtomicBool,
    pub(crate) config: Config,
    pub(crate) metrics: WorkerMetrics,
    pub(crate) blocking: blocking::Spawner,
}

struct Remote {
    queue: VecDeque<Task>,
    /// The parker of the thread holding the core.
    unparker: Option<Unparker>,
}

struct Core {
    queue: VecDeque<Task>,
    tick: u32,
    driver: Option<Driver>,
}

/// The core holder's state, reachable from wakers on its thread.
pub(crate) struct CoreLocal {
    shared: Arc<Shared>,
    core: RefCell<Option<Box<Core>>>,
}

struct BlockOnWaker {
    woken: AtomicBool,
    unparker: Unparker,
}

impl Wake for BlockOnWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.unparker.unpark();
    }
}

impl Shared {
    pub(crate) fn new(config: Config, blocking: blocking::Spawner) -> std::io::Result<Arc<Shared>> {
        let (driver, driver_unpark) = Driver::new()?;
        Ok(Arc::new(Shared {
            remote: Mutex::new(Remote {
                queue: VecDeque::new(),
                unparker: None,
            }),
            core: Mutex::new(Some(Box::new(Core {
                queue: VecDeque::new(),
                tick: 0,
                driver: Some(driver),
            }))),
            owned: OwnedTasks::new(1),
            driver_unpark,
            shutdown: AtomicBool::new(false),
            config,
            metrics: WorkerMetrics::default(),
            blocking,
        }))
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.remote.lock().queue.len()
    }

    /// Spawns a task; `O` is the future as spawned (`F` may box it), for the task dump.
    pub(crate) fn spawn<F, O>(
        this: &Arc<Self>,
        future: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (raw, notified, join) =
            task::new_task_sized::<F, _, O>(future, this.clone(), location, true);
        if !this.owned.bind(raw) {
            raw.shutdown();
            drop(notified);
            return join;
        }
        this.schedule(notified);
        join
    }

    fn schedule_remote(&self, task: Task) {
        let mut remote = self.remote.lock();
        if self.is_shutdown() {
            drop(remote);
            drop(task);
            return;
        }
        remote.queue.push_back(task);
        let unparker = remote.unparker.clone();
        drop(remote);
        match unparker {
            Some(u) => u.unpark(),
            None => self.driver_unpark.unpark(),
        }
    }

    fn pop_remote(&self) -> Option<Task> {
        self.remote.lock().queue.pop_front()
    }

    /// Begins shutdown; called with no `block_on` running on this runtime's core.
    pub(crate) fn shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        if let Some(u) = self.remote.lock().unparker.clone() {
            u.unpark();
        }
    }

    /// Drops every task's future on this thread, then the queued references.
    pub(crate) fn shutdown_tasks(&self) {
        self.owned.close_and_shutdown_all();
        let core = self.core.lock().take();
        if let Some(mut core) = core {
            core.queue.clear();
        }
        let queued: Vec<Task> = self.remote.lock().queue.drain(..).collect();
        drop(queued);
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified<Self>) {
        if let Some(SchedulerContext::CurrentThread(local)) = context::scheduler() {
            // SAFETY: set by `block_on` on this thread for as long as the CoreLocal lives.
            let local = unsafe { local.as_ref() };
            if std::ptr::eq(&*local.shared, &**self) {
                if let Some(core) = local.core.borrow_mut().as_mut() {
                    bump(&self.metrics.local_schedules, 1);
                    core.queue.push_back(task);
                    return;
                }
            }
        }
        self.schedule_remote(task);
    }

    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    fn owned(&self) -> Option<&OwnedTasks> {
        Some(&self.owned)
    }
}

impl CoreLocal {
    fn next_task(&self) -> Option<Task> {
        let shared = &*self.shared;
        let mut core = self.core.borrow_mut();
        let core = core.as_mut().expect("core present while running");
        core.tick = core.tick.wrapping_add(1);
        if core.tick % shared.config.global_queue_interval == 0 {
            if let Some(t) = shared.pop_remote() {
                return Some(t);
            }
        }
        core.queue.pop_front().or_else(|| shared.pop_remote())
    }

    fn park(&self, parker: &Parker, timeout: Option<Duration>) {
        let mut driver = {
            let mut core = self.core.borrow_mut();
            core.as_mut().and_then(|c| c.driver.take())
        };
        bump(&self.shared.metrics.parks, 1);
        parker.park(driver.as_mut(), timeout);
        if let Some(c) = self.core.borrow_mut().as_mut() {
            c.driver = driver;
        }
    }
}

impl Drop for CoreLocal {
    fn drop(&mut self) {
        // Also runs when the future panics: hand the core back for the next `block_on`.
        let core = self.core.borrow_mut().take();
        self.shared.remote.lock().unparker = None;
        let mut slot = self.shared.core.lock();
        if self.shared.is_shutdown() {
            // Shutdown could not clear the queue while we held the core; its tasks would keep
            // the runtime alive through a cycle. `shutdown` sets the flag before
            // `shutdown_tasks` takes this lock, so one of the two always clears it.
            drop(slot);
            drop(core);
            let queued: Vec<Task> = self.shared.remote.lock().queue.drain(..).collect();
            drop(queued);
        } else {
            *slot = core;
        }
    }
}

#[track_caller]
pub(crate) fn block_on<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let _entered = context::enter_runtime();
    let _handle = context::set_handle(Handle::CurrentThread(shared.clone()));
    let parker = Parker::new(Some(shared.driver_unpark.clone()));
    let signal = StdArc::new(BlockOnWaker {
        woken: AtomicBool::new(true),
        unparker: parker.unparker(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);

    loop {
        let core = shared.core.lock().take();
        if let Some(core) = core {
            shared.remote.lock().unparker = Some(parker.unparker());
            let local = CoreLocal {
                shared: shared.clone(),
                core: RefCell::new(Some(core)),
            };
            let _sched =
                context::set_scheduler(SchedulerContext::CurrentThread(NonNull::from(&local)));
            return run(&local, &parker, &signal, &mut cx, future.as_mut());
        }
        // Another thread runs the tasks; we only poll our own future.
        if signal.woken.swap(false, Ordering::Acquire) {
            let (poll, _) = task::with_budget(|| future.as_mut().poll(&mut cx));
            if let Poll::Ready(out) = poll {
                return out;
            }
        }
        parker.park(None, Some(CORE_RECHECK));
    }
}

fn run<F: Future>(
    local: &CoreLocal,
    parker: &Parker,
    signal: &BlockOnWaker,
    cx: &mut Context<'_>,
    mut future: std::pin::Pin<&mut F>,
) -> F::Output {
    let event_interval = local.shared.config.event_interval;
    loop {
        if signal.woken.swap(false, Ordering::Acquire) {
            let (poll, _) = task::with_budget(|| future.as_mut().poll(cx));
            if let Poll::Ready(out) = poll {
                return out;
            }
        }
        let mut ran = 0;
        while ran < event_interval {
            let Some(task) = local.next_task() else { break };
            bump(&local.shared.metrics.polls, 1);
            let ((), spent) = task::with_budget(|| task.run());
            if spent {
                bump(&local.shared.metrics.budget_yields, 1);
            }
            ran += 1;
            if signal.woken.load(Ordering::Relaxed) {
                break;
            }
        }
        if ran == 0 && !signal.woken.load(Ordering::Relaxed) {
            local.park(parker, None);
        } else if ran == event_interval {
            // Busy: let the driver deliver events without blocking.
            local.park(parker, Some(Duration::ZERO));
        }
    }
}

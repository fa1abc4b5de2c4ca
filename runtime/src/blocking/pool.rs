//! The blocking pool's threads.
//!
//! Threads start on demand, up to `max_blocking_threads`; an idle one waits for work for
//! `thread_keep_alive` and then exits. All state sits under one mutex (a blocking call costs
//! microseconds anyway; tokio's pool is built the same way), with one condvar for idle
//! threads and one for shutdown.
//!
//! # Protocol
//!
//! Counters, all under the one mutex: `num_idle` threads wait on the condvar; `num_pending`
//! threads are awake and about to look at the queue (just started, just notified, or spinning
//! after a task); `num_notify` notifications are sent and not yet taken.
//!
//! - `spawn` queues the task. If a pending thread exists it will see the task: nothing else to
//!   do. Otherwise it *wakes one*: notifies an idle thread, or starts a thread if the cap
//!   allows; either way that thread counts as pending from then on.
//! - A thread that takes a task stops being pending; if tasks remain queued and no other
//!   thread is pending, it wakes one more before it runs its own. So a burst of spawns wakes
//!   threads one after another as long as work is left, never a thundering herd, and every
//!   queued task always has a thread on its way (a closure may block forever, so a task must
//!   never wait for a busy thread).
//! - After its task a thread spins briefly (one spinner at a time), pending, watching the
//!   queue length: back-to-back `spawn_blocking` calls then cost no futex wake at all. Then it
//!   becomes idle and waits `thread_keep_alive` for a notification before it exits.
//! - If the OS refuses to start a thread, the task waits for a running thread when there is
//!   one; when the pool has none, the task is taken back and cancelled, so its `JoinHandle`
//!   resolves to a cancelled `JoinError` instead of a worker panicking.
//! - Shutdown sets the flag and wakes everyone; threads finish the task in hand, cancel what is
//!   queued, and exit. `shutdown(timeout)` waits for that at most `timeout`.

use std::collections::VecDeque;
use std::panic::Location;
use std::time::{Duration, Instant};

use super::task::{BlockingSchedule, BlockingTask};
use crate::loom_sync::{self as sync, Arc, AtomicUsize, Condvar, Mutex, Ordering::Relaxed, thread};
use crate::runtime::context;
use crate::scheduler::Handle;
use crate::scheduler::config::ThreadConfig;
use crate::task::{self, JoinHandle, Notified};

type Task = Notified<BlockingSchedule>;

/// Spawns onto the pool; cloned into every runtime handle.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Idle threads wait here.
    condvar: Condvar,
    /// `shutdown` waits here for the last thread.
    all_exited: Condvar,
    /// `queue.len()`, mirrored outside the lock for the spinner to watch.
    queued: AtomicUsize,
    max_threads: usize,
    keep_alive: Duration,
    threads: ThreadConfig,
}

/// Spin iterations of a thread that just finished a task before it goes idle. One under loom,
/// where each iteration is a scheduling point: the spin-then-wait structure stays, the
/// explosion goes.
const SPINS_AFTER_TASK: u32 = if cfg!(conductor_loom) { 1 } else { 1 << 12 };

struct State {
    queue: VecDeque<Task>,
    num_threads: usize,
    num_idle: usize,
    num_notify: usize,
    num_pending: usize,
    num_spinning: usize,
    next_thread_id: usize,
    shutdown: bool,
    handles: Vec<thread::JoinHandle<()>>,
}

impl Spawner {
    pub(crate) fn new(max_threads: usize, keep_alive: Duration, threads: ThreadConfig) -> Spawner {
        Spawner {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    num_threads: 0,
                    num_idle: 0,
                    num_notify: 0,
                    num_pending: 0,
                    num_spinning: 0,
                    next_thread_id: 0,
                    shutdown: false,
                    handles: Vec::new(),
                }),
                condvar: Condvar::new(),
                all_exited: Condvar::new(),
                queued: AtomicUsize::new(0),
                max_threads,
                keep_alive,
                threads,
            }),
        }
    }

    /// Runs `f` on a pool thread. `handle` is entered on the threads started for it, so
    /// `Handle::current()` and `spawn` work inside the closure.
    pub(crate) fn spawn<F, R>(
        &self,
        handle: &Handle,
        f: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (_raw, notified, join) =
            task::new_task(BlockingTask::new(f), BlockingSchedule, location, false);
        if let Err(task) = self.push(handle, notified) {
            // Shut down, or no thread could be started: the closure will never run; its
            // JoinHandle says cancelled.
            task.cancel();
        }
        join
    }

    fn push(&self, handle: &Handle, task: Task) -> Result<(), Task> {
        let mut state = self.inner.state.lock();
        if state.shutdown {
            return Err(task);
        }
        state.queue.push_back(task);
        self.inner.queued.store(state.queue.len(), Relaxed);
        if state.num_pending == 0 && !wake_one(&self.inner, &mut state, handle) {
            // No thread exists and the OS refused to start one: nobody would ever run the
            // task, so take it back (it is the last one queued: with no thread, every earlier
            // push took its task back the same way).
            let task = state.queue.pop_back().expect("the task just pushed");
            self.inner.queued.store(state.queue.len(), Relaxed);
            return Err(task);
        }
        Ok(())
    }

    pub(crate) fn num_threads(&self) -> usize {
        self.inner.state.lock().num_threads
    }

    pub(crate) fn queue_depth(&self) -> usize {
        self.inner.state.lock().queue.len()
    }

    /// Stops taking work and waits up to `timeout` for the threads to finish. Returns `true`
    /// if they all did.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let mut state = self.inner.state.lock();
        if !state.shutdown {
            state.shutdown = true;
            self.inner.condvar.notify_all();
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        // Shutting down from one of the pool's own threads: do not wait for ourselves.
        let me = thread::current().id();
        let on_pool = usize::from(state.handles.iter().any(|h| h.thread().id() == me));
        while state.num_threads > on_pool {
            match deadline {
                None => sync::wait(&self.inner.all_exited, &mut state),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    sync::wait_timeout(&self.inner.all_exited, &mut state, deadline - now);
                }
            }
        }
        let handles = std::mem::take(&mut state.handles);
        drop(state);
        for h in handles {
            // The thread has signalled its exit; joining only reaps it. Skip our own handle
            // if shutdown runs on a pool thread.
            if h.thread().id() != thread::current().id() {
                let _ = h.join();
            }
        }
        true
    }
}

/// Gets one more thread on its way to the queue: an idle one, or a new one. The caller holds
/// the lock. Returns `false` only when the pool has no thread at all and the OS refused to
/// start one (out of memory, `RLIMIT_NPROC`, ...): then no thread will ever see the queue.
/// When threads exist, a refused start is not an error: a running thread takes the task
/// when it is done, as at the cap.
fn wake_one(inner: &Arc<Inner>, state: &mut State, handle: &Handle) -> bool {
    if state.num_idle > state.num_notify {
        state.num_notify += 1;
        state.num_pending += 1;
        inner.condvar.notify_one();
        return true;
    }
    if state.num_threads >= inner.max_threads {
        return true; // at the cap: a running thread takes the task when it is done
    }
    let id = state.next_thread_id;
    let inner2 = inner.clone();
    let handle = handle.clone();
    match inner
        .threads
        .builder("blocking", id)
        .spawn(move || run_thread(inner2, handle))
    {
        Ok(join) => {
            state.num_threads += 1;
            state.num_pending += 1;
            state.next_thread_id += 1;
            state.handles.push(join);
            // Reap handles of threads that exited on keep-alive, so the list stays as long as
            // the live threads.
            if state.handles.len() > 2 * state.num_threads.max(8) {
                state.handles.retain(|h| !h.is_finished());
            }
            true
        }
        // The OS refused a thread; the running ones (if any) will get to the task.
        Err(_) => state.num_threads > 0,
    }
}

/// A pool thread. It starts pending (counted by `wake_one`).
fn run_thread(inner: Arc<Inner>, handle: Handle) {
    let _hooks = inner.threads.hooks();
    let _handle = context::set_handle(handle.clone());
    let mut state = inner.state.lock();
    loop {
        if let Some(task) = state.queue.pop_front() {
            inner.queued.store(state.queue.len(), Relaxed);
            state.num_pending -= 1;
            let shutdown = state.shutdown;
            if !shutdown && !state.queue.is_empty() && state.num_pending == 0 {
                // Work is left and nobody else is on the way: chain one more thread. It
                // cannot fail for want of a thread: this one exists and comes back.
                let _ = wake_one(&inner, &mut state, &handle);
            }
            drop(state);
            if shutdown {
                task.cancel();
            } else {
                task.run();
            }
            state = inner.state.lock();
            state.num_pending += 1;
            if state.queue.is_empty() && state.num_spinning == 0 && !state.shutdown {
                state.num_spinning += 1;
                drop(state);
                let mut spins = 0;
                while spins < SPINS_AFTER_TASK && inner.queued.load(Relaxed) == 0 {
                    sync::spin_loop();
                    spins += 1;
                }
                state = inner.state.lock();
                state.num_spinning -= 1;
            }
            continue;
        }
        // Nothing queued: stop being pending and wait.
        state.num_pending -= 1;
        if state.shutdown {
            break;
        }
        state.num_idle += 1;
        let exit = loop {
            let timed_out = sync::wait_timeout(&inner.condvar, &mut state, inner.keep_alive);
            if state.num_notify > 0 {
                // Notified: `wake_one` already counted us as pending.
                state.num_notify -= 1;
                state.num_idle -= 1;
                break false;
            }
            if state.shutdown {
                state.num_idle -= 1;
                state.num_pending += 1;
                break false; // cancel what is queued, then exit
            }
            if timed_out {
                state.num_idle -= 1;
                break true;
            }
        };
        if exit {
            break;
        }
    }
    state.num_threads -= 1;
    if state.num_threads == 0 {
        inner.all_exited.notify_all();
    }
}

impl std::fmt::Debug for Spawner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spawner")
            .field("max_threads", &self.inner.max_threads)
            .finish()
    }
}

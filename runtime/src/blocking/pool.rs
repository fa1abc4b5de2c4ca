//! The blocking pool's threads.
//!
//! Threads start on demand, up to `max_blocking_threads`; an idle one waits for work for
//! `thread_keep_alive` and then exits. All state sits under one mutex (a blocking call costs
//! microseconds anyway; tokio's pool is built the same way), with one condvar for idle
//! threads and one for shutdown.
//!
//! # Protocol
//!
//! - `spawn` queues the task; if a thread is idle it is *notified* (`num_notify += 1`, one
//!   `notify_one`), else a thread is started if the cap allows; else the task waits in the
//!   queue for the next thread that finishes.
//! - An idle thread that wakes takes a notification if there is one, or exits if it timed out
//!   with none (a wake that is neither is spurious, and it waits again). Counting notifications
//!   keeps two wakes from being consumed by one thread while another times out with work
//!   queued.
//! - Shutdown sets the flag and wakes everyone; threads finish the task in hand, cancel what is
//!   queued, and exit. `shutdown(timeout)` waits for that at most `timeout`.

use std::collections::VecDeque;
use std::panic::Location;
use std::time::{Duration, Instant};

use super::task::{BlockingSchedule, BlockingTask};
use crate::runtime::context;
use crate::scheduler::config::ThreadConfig;
use crate::scheduler::Handle;
use crate::sync::{self, thread, Arc, Condvar, Mutex};
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
    max_threads: usize,
    keep_alive: Duration,
    threads: ThreadConfig,
}

struct State {
    queue: VecDeque<Task>,
    num_threads: usize,
    num_idle: usize,
    num_notify: usize,
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
                    next_thread_id: 0,
                    shutdown: false,
                    handles: Vec::new(),
                }),
                condvar: Condvar::new(),
                all_exited: Condvar::new(),
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
            // Shut down: the closure will never run; its JoinHandle says cancelled.
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
        if state.num_idle > state.num_notify {
            state.num_notify += 1;
            drop(state);
            self.inner.condvar.notify_one();
            return Ok(());
        }
        if state.num_threads < self.inner.max_threads {
            let id = state.next_thread_id;
            let inner = self.inner.clone();
            let handle = handle.clone();
            let builder = self.inner.threads.builder("blocking", id);
            match builder.spawn(move || run_thread(inner, handle)) {
                Ok(join) => {
                    state.num_threads += 1;
                    state.next_thread_id += 1;
                    state.handles.push(join);
                    // Reap handles of threads that exited on keep-alive, so the list stays
                    // as long as the live threads.
                    if state.handles.len() > 2 * state.num_threads.max(8) {
                        state.handles.retain(|h| !h.is_finished());
                    }
                }
                Err(_) if state.num_threads > 0 => {
                    // The OS refused a thread; the running ones will get to the task.
                }
                Err(e) => panic!("the blocking pool could not start a thread: {e}"),
            }
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

fn run_thread(inner: Arc<Inner>, handle: Handle) {
    let _hooks = inner.threads.hooks();
    let _handle = context::set_handle(handle);
    let mut state = inner.state.lock();
    'outer: loop {
        while let Some(task) = state.queue.pop_front() {
            if state.shutdown {
                drop(state);
                task.cancel();
            } else {
                drop(state);
                task.run();
            }
            state = inner.state.lock();
        }
        if state.shutdown {
            break;
        }
        state.num_idle += 1;
        loop {
            let timed_out = sync::wait_timeout(&inner.condvar, &mut state, inner.keep_alive);
            if state.num_notify > 0 {
                state.num_notify -= 1;
                state.num_idle -= 1;
                continue 'outer;
            }
            if state.shutdown {
                state.num_idle -= 1;
                continue 'outer; // cancel what is queued, then exit
            }
            if timed_out {
                state.num_idle -= 1;
                if state.queue.is_empty() {
                    break 'outer;
                }
                continue 'outer;
            }
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

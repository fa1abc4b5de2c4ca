//! The task dump: a snapshot of every live task of a runtime.
//!
//! `Handle::dump` walks the owned-task list shard by shard, copying a few fields of each
//! task's header under that shard's lock (no user code runs there, so it is safe from inside
//! a task, and a spawn or a completion waits at most one shard's walk), then, with no lock
//! held, asks the scheduler which worker runs each running task and sorts by id.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use super::clock;
use crate::scheduler;
use crate::task::Id;

/// What a task is doing at the moment of a [`TaskDump`].
///
/// # Examples
///
/// ```
/// use conductor::runtime::{Builder, TaskState};
///
/// let rt = Builder::new_current_thread().build().unwrap();
/// let handle = rt.spawn(async {});
/// // Nothing ran it yet: it waits in the run queue.
/// let dump = rt.handle().dump();
/// assert_eq!(dump.tasks().next().unwrap().state(), TaskState::Scheduled);
/// # drop(handle);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting for a wake-up (it returned `Pending` and nobody woke it since).
    Idle,
    /// Runnable: in a run queue (spawned and not polled yet, or woken).
    Scheduled,
    /// Being polled now, by worker `worker` when the runtime knows it (on the current-thread
    /// flavor worker 0 is the thread in `block_on`).
    Running {
        /// The worker's index, as in [`RuntimeMetrics`](crate::runtime::RuntimeMetrics).
        worker: Option<usize>,
    },
    /// Finished (with an output, a panic or a cancellation) and its `JoinHandle` has not
    /// taken the output yet.
    Completed,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskState::Idle => f.pad("idle"),
            TaskState::Scheduled => f.pad("scheduled"),
            TaskState::Running { worker: Some(w) } => f.pad(&format!("running on {w}")),
            TaskState::Running { worker: None } => f.pad("running"),
            TaskState::Completed => f.pad("completed"),
        }
    }
}

/// One task in a [`TaskDump`].
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// let line = line!(); let handle = rt.spawn(async {});
/// let dump = rt.handle().dump();
/// let task = dump.tasks().next().unwrap();
/// assert_eq!(task.id(), handle.id());
/// assert_eq!(task.location().line(), line);
/// assert_eq!(task.polls(), 0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TaskInfo {
    id: Id,
    location: &'static Location<'static>,
    state: TaskState,
    polls: u32,
    age: Duration,
    future_size: usize,
}

impl TaskInfo {
    /// The task's id (as [`JoinHandle::id`](crate::task::JoinHandle::id) gives it).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let handle = rt.spawn(async {});
    /// assert_eq!(rt.handle().dump().tasks().next().unwrap().id(), handle.id());
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }

    /// Where the task was spawned.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// drop(rt.spawn(async {}));
    /// assert_eq!(rt.handle().dump().tasks().next().unwrap().location().file(), file!());
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// What it is doing now.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let handle = rt.spawn(async {});
    /// let state = rt.handle().dump().tasks().next().unwrap().state();
    /// assert_eq!(state, conductor::runtime::TaskState::Scheduled);
    /// # drop(handle);
    /// ```
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How many times it was polled so far (counting a poll in progress). Wraps past
    /// `u32::MAX`.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let handle = rt.spawn(async {
    ///     for _ in 0..3 {
    ///         conductor::task::yield_now().await;
    ///     }
    ///     std::future::pending::<()>().await
    /// });
    /// rt.block_on(async {
    ///     for _ in 0..10 {
    ///         conductor::task::yield_now().await;
    ///     }
    /// });
    /// assert_eq!(rt.handle().dump().tasks().next().unwrap().polls(), 4);
    /// # drop(handle);
    /// ```
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Time since it was spawned, to a few milliseconds (the runtime dates tasks with a
    /// coarse clock; see `docs/diagnostics.md`).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// drop(rt.spawn(async {}));
    /// let age = rt.handle().dump().tasks().next().unwrap().age();
    /// assert!(age < std::time::Duration::from_secs(3600));
    /// ```
    pub fn age(&self) -> Duration {
        self.age
    }

    /// Size in bytes of the task's future as it was spawned (before the runtime boxes a large
    /// one).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let buf = [0u8; 256];
    /// drop(rt.spawn(async move { buf.len() }));
    /// assert!(rt.handle().dump().tasks().next().unwrap().future_size() >= 256);
    /// ```
    pub fn future_size(&self) -> usize {
        self.future_size
    }
}

/// A snapshot of every live task of a runtime: spawned, and not yet both finished and
/// joined. Taken by [`Handle::dump`](crate::runtime::Handle::dump) or
/// [`Runtime::dump`](crate::runtime::Runtime::dump).
///
/// `Display` prints an aligned table (id, state, polls, age, future size, spawn location),
/// one line per task in id order. Total time spent in polls is not measured (it would cost
/// every poll two clock reads).
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Runtime::new().unwrap();
/// let handle = rt.spawn(std::future::pending::<()>());
/// let dump = rt.handle().dump();
/// assert_eq!(dump.len(), 1);
/// println!("{dump}");
/// # drop(handle);
/// ```
#[derive(Debug, Clone)]
pub struct TaskDump {
    tasks: Vec<TaskInfo>,
}

impl TaskDump {
    /// The tasks, in id order (spawn order within a thread).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let a = rt.spawn(async {});
    /// let b = rt.spawn(async {});
    /// let ids: Vec<_> = rt.handle().dump().tasks().map(|t| t.id()).collect();
    /// assert_eq!(ids, [a.id(), b.id()]);
    /// ```
    pub fn tasks(&self) -> impl ExactSizeIterator<Item = &TaskInfo> {
        self.tasks.iter()
    }

    /// The task with id `id`, if it was live.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let a = rt.spawn(async {});
    /// assert!(rt.handle().dump().get(a.id()).is_some());
    /// ```
    pub fn get(&self, id: Id) -> Option<&TaskInfo> {
        self.tasks
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// How many tasks there are.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.handle().dump().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(rt.handle().dump().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Takes the snapshot (see the module docs).
    pub(crate) fn capture(handle: &scheduler::Handle) -> TaskDump {
        let now = clock::refresh();
        let mut tasks = Vec::new();
        // Under the shard locks: header fields only, no user code, no allocation besides the
        // vector's growth.
        handle.owned().for_each(|header| {
            let s = header.state.load();
            let state = if s.is_complete() {
                TaskState::Completed
            } else if s.is_running() {
                TaskState::Running { worker: None }
            } else if s.is_notified() {
                TaskState::Scheduled
            } else {
                TaskState::Idle
            };
            tasks.push(TaskInfo {
                id: header.id,
                location: header.location,
                state,
                // Relaxed: a statistic; the count may be one poll behind.
                polls: header.polls.load(Relaxed),
                age: clock::age(header.spawned_ms, now),
                future_size: header.vtable.future_size,
            });
        });
        for task in &mut tasks {
            if let TaskState::Running { worker } = &mut task.state {
                *worker = handle.running_worker(task.id);
            }
        }
        tasks.sort_by_key(|t| t.id);
        TaskDump { tasks }
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<[String; 6]> = self
            .tasks
            .iter()
            .map(|t| {
                [
                    t.id.to_string(),
                    t.state.to_string(),
                    t.polls.to_string(),
                    human_age(t.age),
                    human_size(t.future_size),
                    t.location.to_string(),
                ]
            })
            .collect();
        let header = ["id", "state", "polls", "age", "size", "location"];
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: [&str; 6]| {
            writeln!(
                f,
                "{:>w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {:>w4$}  {}",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                cells[5],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
                w4 = widths[4],
            )
        };
        line(f, header)?;
        for row in &rows {
            line(f, row.each_ref().map(String::as_str))?;
        }
        Ok(())
    }
}

/// `512 B`, `1.5 KiB`, `2.0 MiB`.
pub(crate) fn human_size(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

/// `850 ms`, `12.3 s`, `4.0 min`.
fn human_age(age: Duration) -> String {
    let ms = age.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 120_000 {
        format!("{:.1} s", age.as_secs_f64())
    } else {
        format!("{:.1} min", age.as_secs_f64() / 60.0)
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_ages_read_well() {
        assert_eq!(human_size(100), "100 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(3 << 20), "3.0 MiB");
        assert_eq!(human_age(Duration::from_millis(850)), "850 ms");
        assert_eq!(human_age(Duration::from_millis(12_340)), "12.3 s");
        assert_eq!(human_age(Duration::from_secs(240)), "4.0 min");
    }

    #[test]
    fn states_print_padded() {
        assert_eq!(format!("{:<12}|", TaskState::Idle), "idle        |");
        assert_eq!(
            TaskState::Running { worker: Some(3) }.to_string(),
            "running on 3"
        );
    }
}

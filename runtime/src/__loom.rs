//! The runtime's internals, handed to the loom models in `loom-tests/`.
//!
//! Compiled only under `--cfg conductor_loom`, hidden from the docs, and not API. It exists so
//! the models check the code that ships rather than a copy of it:
//!
//! - [`task::Harness`]: real task cells (`RawTask`, the state word, the harness, the join
//!   waker, the owned-task list) scheduled onto a plain queue the model drains by hand, so a
//!   model decides which thread polls, wakes, aborts, completes or shuts down.
//! - [`park`]: the per-thread `Parker`/`Unparker` and the driver seam's `Driver`.
//!
//! Everything else is reached through the public API: under the loom cfg the runtime's threads
//! are loom threads and its thread-locals loom's (`sync.rs`), so a model can build a real
//! multi-thread or current-thread runtime with one or two workers, spawn onto it, wake its
//! tasks from other threads and drop it.

/// Real tasks on a hand-driven queue.
pub mod task {
    use std::collections::VecDeque;
    use std::fmt;
    use std::future::Future;
    use std::panic::Location;
    // Bookkeeping only (counts read by the model after its threads are joined): std atomics,
    // invisible to loom, so they add no interleavings.
    use std::sync::atomic::{AtomicUsize as Counter, Ordering::Relaxed};

    use crate::loom_sync::{Arc, Mutex};
    use crate::task::list::OwnedTasks;
    use crate::task::{JoinHandle, Notified, Schedule, new_task};

    /// A scheduler for models: spawned and woken tasks go to a FIFO queue that the model
    /// drains with [`Harness::run_one`] on whichever thread it likes. Tasks are bound to a
    /// real owned-task list (one shard), which [`Harness::shutdown`] closes.
    ///
    /// Dropping the harness shuts it down (breaking the cycle queue -> task -> scheduler).
    pub struct Harness {
        inner: Arc<Inner>,
    }

    struct Inner {
        queue: Mutex<VecDeque<Notified<Sched>>>,
        owned: OwnedTasks,
        spawned: Counter,
        scheduled: Counter,
        yielded: Counter,
        freed: Counter,
    }

    /// The scheduler value stored in each task cell. One per cell, dropped exactly when the
    /// cell is freed, so counting its drops counts deallocations.
    struct Sched {
        inner: Arc<Inner>,
    }

    impl Drop for Sched {
        fn drop(&mut self) {
            self.inner.freed.fetch_add(1, Relaxed);
        }
    }

    impl Inner {
        fn push(&self, task: Notified<Sched>) {
            let mut queue = self.queue.lock();
            queue.push_back(task);
            // NOTIFIED admits one `Notified` per task: the queue can never hold more entries
            // than tasks were spawned.
            assert!(
                queue.len() <= self.spawned.load(Relaxed),
                "a task was queued twice: {} queued, {} spawned",
                queue.len(),
                self.spawned.load(Relaxed)
            );
        }
    }

    impl Schedule for Sched {
        fn schedule(&self, task: Notified<Self>) {
            self.inner.scheduled.fetch_add(1, Relaxed);
            self.inner.push(task);
        }

        fn yield_now(&self, task: Notified<Self>) {
            self.inner.yielded.fetch_add(1, Relaxed);
            self.inner.push(task);
        }

        fn owned(&self) -> Option<&OwnedTasks> {
            Some(&self.inner.owned)
        }
    }

    impl Harness {
        /// An empty harness.
        #[allow(clippy::new_without_default)]
        pub fn new() -> Harness {
            Harness {
                inner: Arc::new(Inner {
                    queue: Mutex::new(VecDeque::new()),
                    owned: OwnedTasks::new(1),
                    spawned: Counter::new(0),
                    scheduled: Counter::new(0),
                    yielded: Counter::new(0),
                    freed: Counter::new(0),
                }),
            }
        }

        /// Spawns `future` as the runtime does (`multi_thread::Shared::spawn`): three
        /// references, bound to the owned list (or shut down at once if it is closed), the
        /// first `Notified` queued.
        #[track_caller]
        pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
        where
            F: Future + Send + 'static,
            F::Output: Send + 'static,
        {
            self.inner.spawned.fetch_add(1, Relaxed);
            let sched = Sched {
                inner: self.inner.clone(),
            };
            let (raw, notified, join) = new_task(future, sched, Location::caller(), true);
            if !self.inner.owned.bind(raw) {
                raw.shutdown();
                drop(notified);
                return join;
            }
            self.inner.push(notified);
            join
        }

        /// Runs the task at the front of the queue, if any, on the calling thread.
        pub fn run_one(&self) -> bool {
            let task = self.inner.queue.lock().pop_front();
            match task {
                Some(task) => {
                    task.run();
                    true
                }
                None => false,
            }
        }

        /// Runs queued tasks until the queue is empty; returns how many ran.
        pub fn run_all(&self) -> usize {
            let mut n = 0;
            while self.run_one() {
                n += 1;
            }
            n
        }

        /// Tasks in the queue now.
        pub fn queued(&self) -> usize {
            self.inner.queue.lock().len()
        }

        /// Tasks spawned so far.
        pub fn spawned(&self) -> usize {
            self.inner.spawned.load(Relaxed)
        }

        /// `Schedule::schedule` calls so far: wakes of idle tasks and aborts (spawns are not
        /// counted).
        pub fn scheduled(&self) -> usize {
            self.inner.scheduled.load(Relaxed)
        }

        /// `Schedule::yield_now` calls so far: tasks woken during their own poll.
        pub fn yielded(&self) -> usize {
            self.inner.yielded.load(Relaxed)
        }

        /// Task cells freed so far.
        pub fn freed(&self) -> usize {
            self.inner.freed.load(Relaxed)
        }

        /// Tasks in the owned-task list now.
        pub fn alive(&self) -> usize {
            self.inner.owned.len()
        }

        /// Runtime shutdown: closes the owned-task list and shuts every task in it down on
        /// this thread, then drops what is left in the queue.
        pub fn shutdown(&self) {
            self.inner.owned.close_and_shutdown_all();
            loop {
                let task = self.inner.queue.lock().pop_front();
                match task {
                    Some(task) => drop(task),
                    None => break,
                }
            }
        }
    }

    impl Drop for Harness {
        fn drop(&mut self) {
            self.shutdown();
        }
    }

    impl fmt::Debug for Harness {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Harness")
                .field("spawned", &self.spawned())
                .field("freed", &self.freed())
                .finish()
        }
    }
}

/// The per-thread parker and the driver seam (`scheduler/park.rs`).
pub mod park {
    use crate::scheduler::park;

    /// A condvar-only stand-in for the I/O and timer driver, as the runtime uses under loom.
    #[derive(Debug)]
    pub struct Driver(park::Driver);

    /// Wakes the thread parked in a [`Driver`].
    #[derive(Clone, Debug)]
    pub struct DriverUnpark(park::DriverUnpark);

    /// One thread's parker.
    #[derive(Debug)]
    pub struct Parker(park::Parker);

    /// Wakes the thread owning a [`Parker`].
    #[derive(Clone, Debug)]
    pub struct Unparker(park::Unparker);

    impl Driver {
        /// A driver and its unpark handle.
        pub fn new() -> (Driver, DriverUnpark) {
            // The condvar stand-in under loom cannot fail.
            let (driver, unpark) = park::Driver::new().expect("the loom driver cannot fail");
            (Driver(driver), DriverUnpark(unpark))
        }
    }

    impl DriverUnpark {
        /// Wakes the driver.
        pub fn unpark(&self) {
            self.0.unpark()
        }
    }

    impl Parker {
        /// A parker that may park in the driver `driver` unparks.
        pub fn new(driver: Option<&DriverUnpark>) -> Parker {
            Parker(park::Parker::new(driver.map(|d| d.0.clone())))
        }

        /// Its unparker.
        pub fn unparker(&self) -> Unparker {
            Unparker(self.0.unparker())
        }

        /// Parks on the condvar, or inside `driver` when given, until unparked.
        pub fn park(&self, driver: Option<&mut Driver>) {
            self.0.park(driver.map(|d| &mut d.0), None)
        }
    }

    impl Unparker {
        /// Wakes the parker's thread (or leaves a token its next park consumes).
        pub fn unpark(&self) {
            self.0.unpark()
        }
    }
}

/// The blocking monitor's protocols with a worker (`scheduler/multi_thread/watch.rs` and
/// `lifo.rs`): the poll watch (a worker's poll end against the monitor's flag), and the LIFO
/// slot a hand-off empties.
pub mod blocking {
    use std::panic::Location;

    use crate::loom_sync::Ordering::SeqCst;
    use crate::scheduler::multi_thread::{lifo, watch};
    use crate::task::Id;

    /// One worker slot's poll watch.
    #[derive(Debug, Default)]
    pub struct Watch(watch::PollWatch);

    /// What a worker finds when its poll returns.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct PollEnd {
        /// The monitor reported the poll.
        pub reported: bool,
        /// The monitor handed the worker off.
        pub handed_off: bool,
    }

    impl Watch {
        /// The sequence step between polls.
        pub const SEQ_STEP: u64 = watch::SEQ_ONE;

        /// Worker: a poll (of task 1) starts.
        #[track_caller]
        pub fn begin(&self, seq: u64) {
            self.0
                .begin(seq, Id::from_u64(1).unwrap(), Location::caller());
        }

        /// Worker: the poll returned.
        pub fn end(&self, seq: u64) -> PollEnd {
            let end = self.0.end(seq);
            PollEnd {
                reported: end.was_reported(),
                handed_off: end.was_handed_off(),
            }
        }

        /// Worker: whether the monitor flagged its poll (the SeqCst load after a LIFO put).
        pub fn is_flagged(&self) -> bool {
            self.0.is_flagged(SeqCst)
        }

        /// Monitor: the state of the poll in progress, if any.
        pub fn snapshot(&self) -> Option<u64> {
            self.0.snapshot().map(|s| s.state)
        }

        /// Monitor: flag the poll seen as `state` (reported, and handed off if `handoff`).
        pub fn flag(&self, state: u64, handoff: bool) -> bool {
            let flags = if handoff {
                watch::REPORTED | watch::HANDED_OFF
            } else {
                watch::REPORTED
            };
            self.0.flag(state, flags)
        }
    }

    /// A LIFO slot holding boxed values instead of tasks.
    #[derive(Debug, Default)]
    pub struct Lifo(lifo::LifoSlot<Box<u32>>);

    impl Lifo {
        /// Worker: put `v`, returning the displaced value.
        pub fn put(&self, v: u32) -> Option<u32> {
            self.0.put(Box::new(v)).map(|b| *b)
        }

        /// Worker: take the value out.
        pub fn take(&self) -> Option<u32> {
            self.0.take().map(|b| *b)
        }

        /// Monitor: take the value out on hand-off.
        pub fn take_for_handoff(&self) -> Option<u32> {
            self.0.take_for_handoff().map(|b| *b)
        }
    }
}

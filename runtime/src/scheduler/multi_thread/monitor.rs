//! The monitor thread: notices a worker stuck in one poll, reports it, hands its queues to a
//! replacement, and rescues an I/O driver nobody is polling.
//!
//! It runs only while some worker is awake: when every worker is parked it sleeps until one
//! is unparked (`Shared::poke_monitor`), so an idle process is not woken every few
//! milliseconds. Each tick (a fraction of the threshold, 1 to 5 ms) it:
//!
//! 1. reads every worker slot's poll watch (`watch.rs`); a slot showing the same poll for
//!    longer than the threshold is *blocked*. The monitor flags it (REPORTED, and HANDED_OFF
//!    when hand-off is on and a spare slot is free), reports it, and on hand-off moves the
//!    slot's LIFO task and queue to the injector and starts a replacement worker on a spare
//!    slot. The replacement inherits the blocked worker's place in the idle counts; the
//!    blocked thread stops being a worker when its poll returns (see `worker.rs`), so never
//!    more than `worker_threads` threads run tasks at once.
//! 2. checks the driver: if nobody has held it since the last tick, events and timers are
//!    waiting on nobody (tokio issues 4730 and 6315). It wakes a parked worker to take it or,
//!    when none is parked, polls it once itself without blocking.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, Location};
use std::time::{Duration, Instant};

use super::watch::{HANDED_OFF, PollSnapshot, PollWatch, REPORTED};
use super::{Shared, Task, WorkerStart};
use crate::loom_sync::{
    Arc, AtomicBool, Condvar, Mutex,
    Ordering::{Relaxed, SeqCst},
};
use crate::runtime::BlockingReport;
use crate::scheduler::queue::Local;

/// A default stderr line per spawn location at most this often.
const STDERR_INTERVAL: Duration = Duration::from_secs(10);

/// The monitor's half of `Shared`: how workers wake it and how it sleeps.
#[derive(Debug, Default)]
pub(crate) struct MonitorSignal {
    /// Set while the monitor sleeps without a timeout (every worker parked).
    sleeping: AtomicBool,
    woken: Mutex<bool>,
    condvar: Condvar,
}

impl MonitorSignal {
    /// Called after a worker is counted as unparked: wakes a monitor asleep for lack of busy
    /// workers. SeqCst pairs with `sleep_while_idle`: the waker's unparked-count RMW then this
    /// load, against the monitor's `sleeping` store then its unparked-count load; one of the
    /// two sees the other.
    pub(crate) fn poke(&self) {
        if self.sleeping.load(SeqCst) {
            self.wake();
        }
    }

    /// Wakes the monitor whatever it is doing (shutdown).
    pub(crate) fn wake(&self) {
        let mut woken = self.woken.lock();
        *woken = true;
        self.condvar.notify_one();
    }

    /// Sleeps for `tick`, or until woken.
    fn sleep_tick(&self, tick: Duration) {
        let mut woken = self.woken.lock();
        if !*woken {
            crate::loom_sync::wait_timeout(&self.condvar, &mut woken, tick);
        }
        *woken = false;
    }

    /// Sleeps until woken, if `idle()` (every worker parked) still holds once `sleeping` is
    /// published.
    fn sleep_while_idle(&self, idle: impl Fn() -> bool) {
        let mut woken = self.woken.lock();
        self.sleeping.store(true, SeqCst);
        while !*woken && idle() {
            crate::loom_sync::wait(&self.condvar, &mut woken);
        }
        self.sleeping.store(false, SeqCst);
        *woken = false;
    }
}

/// What the monitor remembers of one slot between ticks.
#[derive(Clone, Copy)]
struct Seen {
    state: u64,
    since: Instant,
}

struct Monitor {
    shared: Arc<Shared>,
    threshold: Duration,
    tick: Duration,
    seen: Vec<Option<Seen>>,
    /// Scratch queue to steal a blocked worker's tasks into on their way to the injector.
    scratch: Local<Task>,
    last_printed: HashMap<usize, Instant>,
    last_driver_polls: u64,
    /// Replacement workers owed (each with its reserved spare slot) that could not be
    /// started yet (thread spawn failed), and whether that was reported.
    owed_replacements: Vec<(usize, WorkerStart, bool)>,
}

/// Starts the monitor thread for `shared` if blocking detection is on.
pub(crate) fn start(
    shared: &Arc<Shared>,
) -> std::io::Result<Option<crate::loom_sync::thread::JoinHandle<()>>> {
    let detection = &shared.config.blocking_detection;
    let (Some(threshold), Some(tick)) = (detection.threshold, detection.tick()) else {
        return Ok(None);
    };
    let monitor = Monitor {
        shared: shared.clone(),
        threshold,
        tick,
        seen: vec![None; shared.remotes.len() + shared.guests.len()],
        scratch: Local::new(),
        last_printed: HashMap::new(),
        last_driver_polls: u64::MAX,
        owed_replacements: Vec::new(),
    };
    let name = match &shared.config.threads.name {
        Some(name) => format!("{name}-monitor"),
        None => "conductor-monitor".to_owned(),
    };
    crate::loom_sync::thread::Builder::new()
        .name(name)
        .spawn(move || monitor.run())
        .map(Some)
}

impl Monitor {
    fn run(mut self) {
        while !self.shared.is_shutdown() {
            if !self.shared.anyone_awake() && self.owed_replacements.is_empty() {
                let shared = &self.shared;
                shared
                    .monitor
                    .sleep_while_idle(|| !shared.anyone_awake() && !shared.is_shutdown());
                // Whatever we saw before sleeping is stale.
                self.seen.iter_mut().for_each(|s| *s = None);
                self.last_driver_polls = u64::MAX;
                continue;
            }
            self.shared.monitor.sleep_tick(self.tick);
            if self.shared.is_shutdown() {
                break;
            }
            let now = Instant::now();
            // Keeps the task dump's coarse clock fresh while workers are busy.
            crate::diag::clock::refresh();
            self.start_owed_replacements();
            for slot in 0..self.seen.len() {
                self.check_slot(slot, now);
            }
            self.check_driver();
        }
    }

    /// Slot `i`'s watch: worker slots first, then the `block_on` guests'.
    fn watch(&self, i: usize) -> &PollWatch {
        let workers = self.shared.remotes.len();
        match i.checked_sub(workers) {
            None => &self.shared.remotes[i].watch,
            Some(g) => &self.shared.guests[g].watch,
        }
    }

    fn check_slot(&mut self, slot: usize, now: Instant) {
        let Some(snapshot) = self.watch(slot).snapshot() else {
            self.seen[slot] = None;
            return;
        };
        match self.seen[slot] {
            Some(seen) if seen.state == snapshot.state => {
                if !snapshot.is_flagged() && now.duration_since(seen.since) >= self.threshold {
                    self.on_blocked(slot, snapshot, seen.since, now);
                }
            }
            _ => {
                self.seen[slot] = Some(Seen {
                    state: snapshot.state,
                    since: now,
                });
            }
        }
    }

    fn on_blocked(&mut self, slot: usize, poll: PollSnapshot, since: Instant, now: Instant) {
        if slot >= self.shared.remotes.len() {
            return self.on_guest_blocked(slot, poll, since, now);
        }
        let shared = self.shared.clone();
        let remote = &shared.remotes[slot];
        // Reserve the replacement's slot now, so the flag and the slot are one decision.
        let spare = if shared.config.blocking_detection.handoff {
            shared.take_spare()
        } else {
            None
        };
        let handoff = spare.is_some();
        let flags = if handoff {
            REPORTED | HANDED_OFF
        } else {
            REPORTED
        };
        if !self.flag(slot, &remote.watch, &poll, since, flags) {
            if let Some(spare) = spare {
                shared.return_spare(spare);
            }
            return;
        }
        let worker = remote.logical.load(Relaxed);
        match spare {
            None => {
                // The worker stays; only its LIFO task, which nobody else could reach, moves
                // (and what it wakes until its poll returns goes to the injector).
                if let Some(task) = remote.lifo.take_for_handoff() {
                    shared.push_inject(task);
                    shared.notify_parked();
                }
            }
            Some(spare) => {
                self.move_queues_to_injector(slot);
                shared.counters.handoffs.fetch_add(1, Relaxed);
                self.owed_replacements.push((worker, spare, false));
                self.start_owed_replacements();
            }
        }
        let report = BlockingReport {
            task_id: poll.task_id,
            location: poll.location,
            worker,
            duration: now.duration_since(since),
            finished: false,
            handed_off: handoff,
            block_on_thread: false,
        };
        self.report(&report, now);
    }

    /// A task blocks a thread inside `block_on` (report only: the guest's queue is stealable
    /// anyway, and the thread belongs to the user).
    fn on_guest_blocked(&mut self, slot: usize, poll: PollSnapshot, since: Instant, now: Instant) {
        let guest = slot - self.shared.remotes.len();
        let shared = self.shared.clone();
        if !self.flag(slot, &shared.guests[guest].watch, &poll, since, REPORTED) {
            return;
        }
        // The guest's LIFO task is out of everyone else's reach while it blocks.
        if let Some(task) = self.shared.guests[guest].lifo.take_for_handoff() {
            self.shared.push_inject(task);
            self.shared.notify_parked();
        }
        let report = BlockingReport {
            task_id: poll.task_id,
            location: poll.location,
            worker: self.shared.num_workers() + guest,
            duration: now.duration_since(since),
            finished: false,
            handed_off: false,
            block_on_thread: true,
        };
        self.report(&report, now);
    }

    /// Flags the poll seen in `slot` (a worker's or a guest's `watch`) with `flags` and counts
    /// it as detected. Returns `false` when the poll returned meanwhile.
    fn flag(
        &mut self,
        slot: usize,
        watch: &PollWatch,
        poll: &PollSnapshot,
        since: Instant,
        flags: u64,
    ) -> bool {
        // Before the flag: the worker reads it after its swap returns the flag.
        watch.stuck_since_nanos.store(
            since.duration_since(self.shared.epoch).as_nanos() as u64,
            Relaxed,
        );
        if !watch.flag(poll.state, flags) {
            return false;
        }
        // Remember the flagged state so the next tick does not look at it again.
        self.seen[slot] = Some(Seen {
            state: poll.state | flags,
            since,
        });
        self.shared.counters.blocking_detected.fetch_add(1, Relaxed);
        true
    }

    /// Moves the blocked slot's LIFO task and queued tasks to the injector, where every
    /// worker (and the replacement) finds them.
    fn move_queues_to_injector(&mut self, slot: usize) {
        let shared = &*self.shared;
        let remote = &shared.remotes[slot];
        if let Some(task) = remote.lifo.take_for_handoff() {
            shared.push_inject(task);
        }
        while let Some((task, _)) = Shared::steal_from(&remote.steal, &self.scratch) {
            shared.push_inject(task);
            while let Some(task) = self.scratch.pop() {
                shared.push_inject(task);
            }
        }
        shared.notify_parked();
    }

    fn start_owed_replacements(&mut self) {
        while let Some((worker, start, reported)) = self.owed_replacements.pop() {
            if self.shared.is_shutdown() {
                self.shared.return_spare(start);
                continue;
            }
            match Shared::start_replacement(&self.shared, start, worker) {
                Ok(()) => {}
                Err((e, start)) => {
                    if !reported {
                        eprintln!(
                            "conductor: could not start a replacement for blocked worker \
                             {worker} ({e}); retrying every tick"
                        );
                    }
                    self.owed_replacements.push((worker, start, true));
                    return;
                }
            }
        }
    }

    fn report(&mut self, report: &BlockingReport, now: Instant) {
        #[cfg(feature = "tracing")]
        crate::trace::blocking(report);
        match &self.shared.config.blocking_detection.on_blocking {
            Some(hook) => call_hook(hook.as_ref(), report),
            None => {
                let key = report.location as *const Location<'static> as usize;
                let due = self
                    .last_printed
                    .get(&key)
                    .is_none_or(|&at| now.duration_since(at) >= STDERR_INTERVAL);
                if due {
                    self.last_printed.insert(key, now);
                    eprintln!("conductor: {report}");
                }
            }
        }
    }

    /// Rescues a driver that nobody has polled since the last tick.
    fn check_driver(&mut self) {
        let shared = &*self.shared;
        let polls = shared.driver_polls.load(Relaxed);
        let unattended = polls == self.last_driver_polls;
        self.last_driver_polls = polls;
        // A peek, not a try-lock: holding the driver even briefly would make a worker that
        // parks meanwhile sleep without it.
        if !unattended || shared.driver.is_locked() {
            return;
        }
        shared.counters.driver_rescues.fetch_add(1, Relaxed);
        if shared.notify_parked() {
            return; // that worker takes the driver when it parks again
        }
        // Every worker is busy (or one is searching and will park soon): deliver what is due
        // from here, without blocking.
        if let Some(mut driver) = shared.driver.try_lock() {
            shared.driver_polls.fetch_add(1, Relaxed);
            driver.park(Some(Duration::ZERO));
            drop(driver);
            self.last_driver_polls = polls + 1;
            // A worker that parked while we held the driver sleeps without it: wake it to take
            // the driver (it parked after pushing itself on the sleeper list, which we read
            // after letting go).
            shared.kick_sleeper();
        }
    }
}

/// Runs the user's hook, keeping the calling thread (monitor or worker) alive if it panics.
pub(crate) fn call_hook(hook: &(dyn Fn(&BlockingReport) + Send + Sync), report: &BlockingReport) {
    if std::panic::catch_unwind(AssertUnwindSafe(|| hook(report))).is_err() {
        eprintln!("conductor: the on_blocking hook panicked (report: {report})");
    }
}

/// Worker (or guest) side: the second report, when a reported poll returns.
pub(crate) fn report_finished(
    shared: &Shared,
    watch: &PollWatch,
    worker: usize,
    task_id: crate::task::Id,
    location: &'static Location<'static>,
    handed_off: bool,
) {
    let hook = &shared.config.blocking_detection.on_blocking;
    if hook.is_none() && !cfg!(feature = "tracing") {
        return;
    }
    let since = Duration::from_nanos(watch.stuck_since_nanos.load(Relaxed));
    let duration = shared.epoch.elapsed().saturating_sub(since);
    let report = BlockingReport {
        task_id,
        location,
        worker,
        duration,
        finished: true,
        handed_off,
        block_on_thread: worker >= shared.num_workers(),
    };
    #[cfg(feature = "tracing")]
    crate::trace::blocking(&report);
    if let Some(hook) = hook {
        call_hook(hook.as_ref(), &report);
    }
}

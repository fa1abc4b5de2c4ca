//! The task dump (`Handle::dump`): each task's state, poll count, size and location, read
//! from outside the runtime and from inside a task, on both flavors.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use conductor::runtime::{Handle, TaskState};
use conductor::task;
use support::{DropCounter, Gate, pending_forever, spin_until, with_timeout};

/// One worker, no `block_on` guest: a task that blocks the worker keeps every other task in
/// the state the test put it in, while this thread dumps.
#[test]
fn idle_running_scheduled_and_completed_on_one_blocked_worker() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let drops = DropCounter::new();

        // Idle: polled once, then waiting for a wake-up that never comes.
        let (fut, polled) = pending_forever(&drops);
        let idle = rt.spawn(fut);
        let idle_line = line!() - 1;
        assert!(support::eventually(|| polled.load(Ordering::SeqCst) == 1));

        // Completed, not joined.
        let done = rt.spawn(async { 5 });
        assert!(support::eventually(|| done.is_finished()));

        // Running: blocks its worker until the gate opens.
        let (started, gate) = (Arc::new(AtomicBool::new(false)), Gate::new());
        let running = rt.spawn({
            let (started, gate) = (started.clone(), gate.clone());
            async move {
                started.store(true, Ordering::Release);
                assert!(gate.wait(), "the test never opened the gate");
            }
        });
        assert!(spin_until(&started));

        // Scheduled: the only worker is busy, so it stays in the injector.
        let scheduled = rt.spawn(async {});

        let dump = rt.dump();
        assert_eq!(dump.len(), 4, "{dump}");
        let idle_info = dump.get(idle.id()).unwrap();
        assert_eq!(idle_info.state(), TaskState::Idle);
        assert_eq!(idle_info.polls(), 1);
        assert_eq!(idle_info.location().file(), file!());
        assert_eq!(idle_info.location().line(), idle_line);
        let done_info = dump.get(done.id()).unwrap();
        assert_eq!(done_info.state(), TaskState::Completed);
        assert_eq!(done_info.polls(), 1);
        let running_info = dump.get(running.id()).unwrap();
        assert!(
            matches!(running_info.state(), TaskState::Running { worker: Some(_) }),
            "{dump}"
        );
        assert_eq!(running_info.polls(), 1);
        let scheduled_info = dump.get(scheduled.id()).unwrap();
        assert_eq!(scheduled_info.state(), TaskState::Scheduled);
        assert_eq!(scheduled_info.polls(), 0);

        // The table names every state and location.
        let table = dump.to_string();
        for word in ["idle", "completed", "running", "scheduled", file!()] {
            assert!(table.contains(word), "no {word:?} in\n{table}");
        }
        assert_eq!(
            table.lines().count(),
            5,
            "a header and one line per task:\n{table}"
        );

        gate.open();
        rt.block_on(async {
            running.await.unwrap();
            scheduled.await.unwrap();
            assert_eq!(done.await.unwrap(), 5);
        });
        // Joined tasks leave the dump; the idle one is still there.
        let dump = rt.dump();
        let ids: Vec<_> = dump.tasks().map(|t| t.id()).collect();
        assert_eq!(ids, [idle.id()], "{dump}");
        drop(idle);
        drop(rt);
        assert_eq!(drops.get(), 1);
    });
}

#[test]
fn current_thread_task_spawned_from_outside_is_scheduled_until_block_on_runs_it() {
    with_timeout(|| {
        let rt = support::current_thread();
        let h = rt.spawn(async { task::yield_now().await });
        let info = *rt.dump().get(h.id()).unwrap();
        assert_eq!(info.state(), TaskState::Scheduled);
        assert_eq!(info.polls(), 0);
        // The yield leaves it scheduled again after its first poll; the second completes it.
        let id = h.id();
        rt.block_on(h).unwrap();
        assert!(rt.dump().get(id).is_none());
    });
}

rt_test! {
    async fn a_task_sees_itself_running() {
        let me = conductor::spawn(async {
            let dump = Handle::current().dump();
            let info = *dump.get(task::id()).expect("the running task is in the dump");
            (info.state(), info.polls())
        });
        let (state, polls) = me.await.unwrap();
        assert!(
            matches!(state, TaskState::Running { worker: Some(_) }),
            "{state:?}"
        );
        assert_eq!(polls, 1);
    }
}

#[test]
fn current_thread_reports_worker_zero_for_the_running_task() {
    with_timeout(|| {
        let rt = support::current_thread();
        let state = rt.block_on(async {
            conductor::spawn(async { Handle::current().dump().get(task::id()).unwrap().state() })
                .await
                .unwrap()
        });
        assert_eq!(state, TaskState::Running { worker: Some(0) });
    });
}

rt_test! {
    async fn poll_count_is_exact_for_a_task_that_yields() {
        const YIELDS: u32 = 7;
        let yielded = Arc::new(AtomicBool::new(false));
        let drops = DropCounter::new();
        let (pending, _) = pending_forever(&drops);
        let h = conductor::spawn({
            let yielded = yielded.clone();
            async move {
                for _ in 0..YIELDS {
                    task::yield_now().await;
                }
                yielded.store(true, Ordering::Release);
                pending.await
            }
        });
        let handle = Handle::current();
        // Every yield is one poll, and the poll that parks on `pending` one more.
        let settled = support::eventually_async(|| {
            yielded.load(Ordering::Acquire)
                && handle.dump().get(h.id()).unwrap().state() == TaskState::Idle
        })
        .await;
        assert!(settled, "{}", handle.dump());
        assert_eq!(handle.dump().get(h.id()).unwrap().polls(), YIELDS + 1);
        h.abort();
        assert!(h.await.unwrap_err().is_cancelled());
    }
}

rt_test! {
    async fn completed_tasks_stay_until_joined_and_are_not_counted_alive() {
        let handle = Handle::current();
        let h = conductor::spawn(async { 7 });
        assert!(support::eventually_async(|| h.is_finished()).await);
        assert_eq!(handle.dump().get(h.id()).unwrap().state(), TaskState::Completed);
        assert!(support::eventually_async(|| handle.metrics().num_alive_tasks() == 0).await);
        let id = h.id();
        assert_eq!(h.await.unwrap(), 7);
        assert!(handle.dump().get(id).is_none());

        // Dropping the handle of a finished task unlinks it too.
        let h = conductor::spawn(async { String::from("output") });
        assert!(support::eventually_async(|| h.is_finished()).await);
        let id = h.id();
        assert!(handle.dump().get(id).is_some());
        drop(h);
        assert!(handle.dump().get(id).is_none());

        // So does aborting one that finished: the abort does nothing, the await reads it.
        let h = conductor::spawn(async { 3 });
        assert!(support::eventually_async(|| h.is_finished()).await);
        h.abort();
        assert_eq!(h.await.unwrap(), 3);
        assert!(handle.dump().is_empty(), "{}", handle.dump());
    }
}

rt_test! {
    async fn size_is_the_future_as_spawned() {
        let big = [1u8; 8192];
        let h = conductor::spawn(async move {
            task::yield_now().await;
            big.iter().map(|&b| u64::from(b)).sum::<u64>()
        });
        let size = Handle::current().dump().get(h.id()).unwrap().future_size();
        // Larger than the runtime's boxing threshold: the dump still gives the real size.
        assert!(size >= 8192, "{size}");
        assert_eq!(h.await.unwrap(), 8192);
    }
}

#[test]
fn dumps_from_a_plain_thread_while_tasks_come_and_go() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(AtomicUsize::new(0));
        let churn = rt.spawn({
            let (stop, rounds) = (stop.clone(), rounds.clone());
            async move {
                while !stop.load(Ordering::Acquire) {
                    let hs: Vec<_> = (0..16)
                        .map(|i| conductor::spawn(async move { i }))
                        .collect();
                    for (i, h) in hs.into_iter().enumerate() {
                        assert_eq!(h.await.unwrap(), i);
                    }
                    rounds.fetch_add(1, Ordering::Release);
                    task::yield_now().await;
                }
            }
        });
        // Dump while the churn spawns and joins, until it has done 20 rounds.
        let mut dumps = 0;
        let enough = support::eventually(|| {
            let dump = rt.dump();
            assert!(dump.get(churn.id()).is_some());
            let ids: Vec<_> = dump.tasks().map(|t| t.id()).collect();
            assert!(
                ids.windows(2).all(|w| w[0] < w[1]),
                "sorted by id, no duplicates"
            );
            dumps += 1;
            rounds.load(Ordering::Acquire) >= 20
        });
        assert!(enough, "the churn did not get through 20 rounds");
        assert!(dumps > 0);
        stop.store(true, Ordering::Release);
        rt.block_on(churn).unwrap();
        assert!(rt.dump().is_empty(), "{}", rt.dump());
    });
}

//! `JoinHandle::abort` and `AbortHandle` in every task state, `is_finished`, and the cancelled
//! `JoinError`.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use conductor::task::{self, AbortHandle, JoinHandle};
use support::{DropCounter, Flavor, Gate, pending_forever, with_timeout};

/// Asserts that `result` is a cancellation of the task `id`.
fn assert_cancelled<T: std::fmt::Debug>(
    result: Result<T, conductor::task::JoinError>,
    id: task::Id,
) {
    let err = result.expect_err("an aborted task must not return its output");
    assert!(err.is_cancelled(), "expected a cancellation, got {err:?}");
    assert!(!err.is_panic());
    assert_eq!(err.id(), id);
    assert!(!err.to_string().is_empty());
}

// ---- before the first poll ----

#[test]
fn abort_before_first_poll_current_thread_outside_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = rt.spawn(fut);
        let id = handle.id();
        handle.abort();
        let result = rt.block_on(handle);
        assert_cancelled(result, id);
        assert_eq!(
            polled.load(Ordering::SeqCst),
            0,
            "an aborted task must never be polled"
        );
        assert_eq!(drops.get(), 1);
    });
}

rt_test! {
    async fn abort_before_first_poll_inside_block_on() {
        // On the current-thread flavor nothing can poll the task before block_on's future
        // yields, and it does not yield between spawn and abort.
        let on_current_thread = conductor::runtime::Handle::current().metrics().num_workers() == 1;
        let drops = DropCounter::new();
        let ran = Arc::new(AtomicBool::new(false));
        let handle = {
            let ran = ran.clone();
            let token = drops.token();
            conductor::spawn(async move {
                let _token = token;
                ran.store(true, Ordering::SeqCst);
            })
        };
        let id = handle.id();
        handle.abort();
        let result = handle.await;
        if on_current_thread {
            assert_cancelled(result, id);
            assert!(!ran.load(Ordering::SeqCst));
        } else if let Err(err) = result {
            // On the multi-thread flavor a worker may have run the task before the abort.
            assert!(err.is_cancelled());
        }
        assert_eq!(drops.get(), 1);
    }
}

#[test]
fn abort_before_first_poll_while_workers_are_busy() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let release = Gate::new();
        let started = Arc::new(AtomicUsize::new(0));
        // Occupy both workers.
        let blockers: Vec<JoinHandle<bool>> = (0..2)
            .map(|_| {
                let release = release.clone();
                let started = started.clone();
                rt.spawn(async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    release.wait()
                })
            })
            .collect();
        assert!(support::eventually(|| started.load(Ordering::SeqCst) == 2));

        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = rt.spawn(fut);
        let id = handle.id();
        handle.abort();
        release.open();

        let result = rt.block_on(handle);
        assert_cancelled(result, id);
        assert_eq!(
            polled.load(Ordering::SeqCst),
            0,
            "an aborted task must never be polled"
        );
        assert_eq!(drops.get(), 1);
        for b in blockers {
            assert!(rt.block_on(b).unwrap());
        }
    });
}

// ---- while idle ----

rt_test! {
    async fn abort_while_idle_drops_the_future() {
        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        let id = handle.id();
        assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) > 0).await);
        assert!(!handle.is_finished());
        assert_eq!(drops.get(), 0);
        handle.abort();
        assert_cancelled(handle.await, id);
        assert_eq!(drops.get(), 1, "the aborted future must be dropped exactly once");
        assert_eq!(polled.load(Ordering::SeqCst), 1, "an idle task is not polled again");
    }
}

rt_test! {
    async fn abort_while_idle_from_another_task() {
        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        let abort = handle.abort_handle();
        assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) > 0).await);
        conductor::spawn(async move { abort.abort() }).await.unwrap();
        let id = handle.id();
        assert_cancelled(handle.await, id);
        assert_eq!(drops.get(), 1);
    }
}

#[test]
fn abort_while_idle_from_a_foreign_thread() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let drops = DropCounter::new();
            let (fut, polled) = pending_forever(&drops);
            let handle = rt.spawn(fut);
            let abort = handle.abort_handle();
            let id = handle.id();
            rt.block_on(async {
                assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) > 0).await);
                // The abort comes from a plain thread while block_on waits on the handle.
                let t = std::thread::spawn(move || abort.abort());
                assert_cancelled(handle.await, id);
                t.join().unwrap();
            });
            assert_eq!(drops.get(), 1);
        });
    }
}

// ---- while running ----

rt_test! {
    async fn abort_while_running_cancels_at_the_next_yield() {
        let iterations = Arc::new(AtomicUsize::new(0));
        let drops = DropCounter::new();
        let handle = {
            let iterations = iterations.clone();
            let token = drops.token();
            conductor::spawn(async move {
                let _token = token;
                loop {
                    iterations.fetch_add(1, Ordering::SeqCst);
                    task::yield_now().await;
                }
            })
        };
        let id = handle.id();
        let abort = handle.abort_handle();
        // Another task aborts it once it has gone round a few times.
        let aborter = {
            let iterations = iterations.clone();
            conductor::spawn(async move {
                while iterations.load(Ordering::SeqCst) < 10 {
                    task::yield_now().await;
                }
                abort.abort();
            })
        };
        aborter.await.unwrap();
        assert_cancelled(handle.await, id);
        assert_eq!(drops.get(), 1);
        let seen = iterations.load(Ordering::SeqCst);
        for _ in 0..10 {
            task::yield_now().await;
        }
        assert_eq!(iterations.load(Ordering::SeqCst), seen, "the task ran after it was cancelled");
    }
}

rt_test! {
    async fn a_task_aborting_itself_stops_at_its_next_yield() {
        let before_yield = Arc::new(AtomicBool::new(false));
        let after_yield = Arc::new(AtomicBool::new(false));
        let (tx, rx) = futures::channel::oneshot::channel::<AbortHandle>();
        let handle = {
            let before_yield = before_yield.clone();
            let after_yield = after_yield.clone();
            conductor::spawn(async move {
                let me = rx.await.unwrap();
                me.abort();
                // The rest of this poll still runs...
                before_yield.store(true, Ordering::SeqCst);
                task::yield_now().await;
                // ...but nothing after the next scheduling point.
                after_yield.store(true, Ordering::SeqCst);
            })
        };
        tx.send(handle.abort_handle()).unwrap();
        let id = handle.id();
        assert_cancelled(handle.await, id);
        assert!(before_yield.load(Ordering::SeqCst));
        assert!(!after_yield.load(Ordering::SeqCst));
    }
}

// ---- after completion ----

rt_test! {
    async fn abort_after_completion_is_a_no_op() {
        let drops = DropCounter::new();
        let handle = {
            let token = drops.token();
            conductor::spawn(async move { (42, token) })
        };
        assert!(support::eventually_async(|| handle.is_finished()).await);
        handle.abort();
        handle.abort_handle().abort();
        let (value, token) = handle.await.expect("abort after completion must not discard the output");
        assert_eq!(value, 42);
        assert_eq!(drops.get(), 0);
        drop(token);
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn abort_twice_and_after_join_are_harmless() {
        let drops = DropCounter::new();
        let (fut, _polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        let abort = handle.abort_handle();
        handle.abort();
        handle.abort();
        abort.abort();
        let id = handle.id();
        assert_cancelled(handle.await, id);
        abort.abort();
        assert!(abort.is_finished());
        assert_eq!(drops.get(), 1);
    }
}

// ---- AbortHandle ----

rt_test! {
    async fn abort_handle_aborts_an_idle_task() {
        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        let abort = handle.abort_handle();
        assert_eq!(abort.id(), handle.id());
        assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) > 0).await);
        assert!(!abort.is_finished());
        abort.abort();
        let id = handle.id();
        assert_cancelled(handle.await, id);
        assert!(abort.is_finished());
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn abort_handle_outlives_a_detached_task() {
        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        let abort = handle.abort_handle();
        drop(handle);
        assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) > 0).await);
        assert_eq!(drops.get(), 0, "dropping the JoinHandle must not cancel the task");
        abort.abort();
        assert!(support::eventually_async(|| drops.get() == 1).await);
        assert!(support::eventually_async(|| abort.is_finished()).await);
    }
}

#[test]
fn abort_handle_before_first_poll_current_thread() {
    with_timeout(|| {
        let rt = support::current_thread();
        let drops = DropCounter::new();
        let (fut, polled) = pending_forever(&drops);
        let handle = rt.spawn(fut);
        let abort = handle.abort_handle();
        assert!(!abort.is_finished());
        abort.abort();
        let id = handle.id();
        assert_cancelled(rt.block_on(handle), id);
        assert_eq!(polled.load(Ordering::SeqCst), 0);
        assert!(abort.is_finished());
        assert_eq!(drops.get(), 1);
    });
}

// ---- is_finished ----

rt_test! {
    async fn is_finished_tracks_completion() {
        let (tx, rx) = futures::channel::oneshot::channel::<u8>();
        let handle = conductor::spawn(async move { rx.await.unwrap() });
        let abort = handle.abort_handle();
        task::yield_now().await;
        assert!(!handle.is_finished());
        assert!(!abort.is_finished());
        tx.send(5).unwrap();
        assert!(support::eventually_async(|| handle.is_finished()).await);
        assert!(abort.is_finished());
        assert_eq!(handle.await.unwrap(), 5);
        assert!(abort.is_finished());
    }
}

rt_test! {
    async fn is_finished_after_abort() {
        let drops = DropCounter::new();
        let (fut, _polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        handle.abort();
        assert!(support::eventually_async(|| handle.is_finished()).await);
        assert!(handle.await.unwrap_err().is_cancelled());
    }
}

// ---- the cancelled JoinError ----

rt_test! {
    async fn cancelled_join_error_is_not_a_panic() {
        let drops = DropCounter::new();
        let (fut, _polled) = pending_forever(&drops);
        let handle = conductor::spawn(fut);
        handle.abort();
        let err = handle.await.unwrap_err();
        let id = err.id();
        let err = err.try_into_panic().expect_err("a cancellation carries no panic payload");
        assert!(err.is_cancelled());
        assert_eq!(err.id(), id);
        let as_error: &dyn std::error::Error = &err;
        assert!(!as_error.to_string().is_empty());
        assert!(!format!("{err:?}").is_empty());
    }
}

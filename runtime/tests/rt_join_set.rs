//! `JoinSet`: collecting results, length, `try_join_next`, aborting, shutdown, and drop.

#[macro_use]
mod support;

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use conductor::task::{self, JoinSet};
use support::{DropCounter, pending_forever};

rt_test! {
    async fn join_next_returns_every_result() {
        let mut set = JoinSet::new();
        for i in 0..100u32 {
            set.spawn(async move {
                if i % 3 == 0 {
                    task::yield_now().await;
                }
                i
            });
        }
        assert_eq!(set.len(), 100);
        let mut seen = HashSet::new();
        while let Some(result) = set.join_next().await {
            assert!(seen.insert(result.unwrap()), "a result came back twice");
        }
        assert_eq!(seen, (0..100).collect::<HashSet<_>>());
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none());
    }
}

rt_test! {
    async fn len_and_is_empty() {
        let mut set: JoinSet<u8> = JoinSet::new();
        assert!(set.is_empty());
        assert_eq!(set.len(), 0);
        for i in 0..3 {
            set.spawn(async move { i });
        }
        assert!(!set.is_empty());
        assert_eq!(set.len(), 3);
        set.join_next().await.unwrap().unwrap();
        assert_eq!(set.len(), 2);
        set.join_next().await.unwrap().unwrap();
        set.join_next().await.unwrap().unwrap();
        assert!(set.is_empty());
        assert_eq!(set.len(), 0);
    }
}

rt_test! {
    async fn empty_set_join_next_is_none() {
        let mut set: JoinSet<()> = JoinSet::new();
        assert!(set.join_next().await.is_none());
        assert!(set.try_join_next().is_none());
    }
}

rt_test! {
    async fn try_join_next_without_waiting() {
        let mut set = JoinSet::new();
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        set.spawn(async move { rx.await.unwrap() });
        // Nothing has finished: no result, and the task stays in the set.
        task::yield_now().await;
        assert!(set.try_join_next().is_none());
        assert_eq!(set.len(), 1);
        tx.send(77).unwrap();
        let mut got = None;
        assert!(
            support::eventually_async(|| {
                got = set.try_join_next();
                got.is_some()
            })
            .await
        );
        assert_eq!(got.unwrap().unwrap(), 77);
        assert!(set.is_empty());
        assert!(set.try_join_next().is_none());
    }
}

rt_test! {
    async fn abort_all_gives_cancelled_errors() {
        let drops = DropCounter::new();
        let mut set = JoinSet::new();
        let mut ids = HashSet::new();
        for _ in 0..10 {
            let (fut, _polled) = pending_forever(&drops);
            ids.insert(set.spawn(fut).id());
        }
        task::yield_now().await;
        set.abort_all();
        let mut cancelled = HashSet::new();
        while let Some(result) = set.join_next().await {
            let err = result.unwrap_err();
            assert!(err.is_cancelled());
            cancelled.insert(err.id());
        }
        assert_eq!(cancelled, ids);
        assert_eq!(drops.get(), 10);
    }
}

rt_test! {
    async fn abort_all_keeps_finished_results() {
        let mut set = JoinSet::new();
        set.spawn(async { Some(1) });
        assert!(support::eventually_async(|| {
            // Wait until the finished task is observable without removing it.
            conductor::runtime::Handle::current().metrics().num_alive_tasks() == 0
        })
        .await);
        let drops = DropCounter::new();
        let (fut, _polled) = pending_forever(&drops);
        set.spawn(async move {
            fut.await;
            None
        });
        set.abort_all();
        let mut ok = 0;
        let mut cancelled = 0;
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => {
                    assert_eq!(v, Some(1));
                    ok += 1;
                }
                Err(err) => {
                    assert!(err.is_cancelled());
                    cancelled += 1;
                }
            }
        }
        assert_eq!((ok, cancelled), (1, 1));
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn abort_one_task_through_its_abort_handle() {
        let drops = DropCounter::new();
        let mut set = JoinSet::new();
        let (fut, _polled) = pending_forever(&drops);
        let victim = set.spawn(async move {
            fut.await;
            0
        });
        set.spawn(async { 1 });
        victim.abort();
        let mut results = Vec::new();
        while let Some(result) = set.join_next().await {
            results.push(result);
        }
        assert_eq!(results.len(), 2);
        let err = results.iter().find_map(|r| r.as_ref().err()).expect("one task was aborted");
        assert!(err.is_cancelled());
        assert_eq!(err.id(), victim.id());
        assert!(results.iter().any(|r| matches!(r, Ok(1))));
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn shutdown_aborts_and_waits_for_every_task() {
        let drops = DropCounter::new();
        let mut set = JoinSet::new();
        for _ in 0..20 {
            let (fut, _polled) = pending_forever(&drops);
            set.spawn(fut);
        }
        set.spawn(async {});
        task::yield_now().await;
        set.shutdown().await;
        assert!(set.is_empty());
        assert_eq!(drops.get(), 20);
        assert!(set.join_next().await.is_none());
    }
}

rt_test! {
    async fn dropping_the_set_aborts_its_tasks() {
        let drops = DropCounter::new();
        let mut set = JoinSet::new();
        let mut polls = Vec::new();
        for _ in 0..20 {
            let (fut, polled) = pending_forever(&drops);
            polls.push(polled);
            set.spawn(fut);
        }
        // Half of the tasks have been polled, half perhaps not.
        assert!(support::eventually_async(|| polls.iter().all(|p| p.load(Ordering::SeqCst) > 0)).await);
        for _ in 0..10 {
            let (fut, _polled) = pending_forever(&drops);
            set.spawn(fut);
        }
        drop(set);
        assert!(support::eventually_async(|| drops.get() == 30).await, "dropped {} of 30", drops.get());
        for _ in 0..10 {
            task::yield_now().await;
        }
        assert_eq!(drops.get(), 30);
        assert!(support::eventually_async(|| {
            conductor::runtime::Handle::current().metrics().num_alive_tasks() == 0
        })
        .await);
    }
}

rt_test! {
    async fn join_set_reports_panics() {
        let mut set = JoinSet::new();
        set.spawn(async { panic!("joinset boom") });
        set.spawn(async {});
        let mut panics = 0;
        let mut oks = 0;
        while let Some(result) = set.join_next().await {
            match result {
                Ok(()) => oks += 1,
                Err(err) => {
                    assert!(err.is_panic());
                    let msg = support::panic_message(&*err.into_panic());
                    assert_eq!(msg.as_deref(), Some("joinset boom"));
                    panics += 1;
                }
            }
        }
        assert_eq!((oks, panics), (1, 1));
    }
}

rt_test! {
    async fn join_set_spawned_from_tasks_and_joined_in_a_task() {
        let sum = conductor::spawn(async {
            let mut set = JoinSet::new();
            for i in 0..1000u64 {
                set.spawn(async move { i });
            }
            let mut sum = 0;
            while let Some(r) = set.join_next().await {
                sum += r.unwrap();
            }
            sum
        })
        .await
        .unwrap();
        assert_eq!(sum, (0..1000u64).sum::<u64>());
    }
}

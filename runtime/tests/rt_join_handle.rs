//! `JoinHandle` as a future: join wakers, output ownership, detaching, and awaiting it from
//! outside the runtime.

#[macro_use]
mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use conductor::task::{self, JoinHandle};
use support::{DropCounter, Flavor, with_timeout};

rt_test! {
    async fn join_waker_can_change_between_polls() {
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let mut handle = conductor::spawn(async move { rx.await.unwrap() });
        // First poll from block_on's future, with block_on's waker: pending.
        let first = futures::future::poll_fn(|cx| Poll::Ready(pin!(&mut handle).poll(cx))).await;
        assert!(first.is_pending());
        // Then move the handle into another task, which awaits it with its own waker.
        let joiner = conductor::spawn(async move { handle.await.unwrap() });
        task::yield_now().await;
        tx.send(8).unwrap();
        assert_eq!(joiner.await.unwrap(), 8);
    }
}

rt_test! {
    async fn join_handle_polled_with_a_noop_waker_then_awaited() {
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let mut handle = conductor::spawn(async move { rx.await.unwrap() });
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        assert!(pin!(&mut handle).poll(&mut cx).is_pending());
        tx.send(9).unwrap();
        assert_eq!(handle.await.unwrap(), 9);
    }
}

rt_test! {
    async fn output_is_dropped_once_when_the_handle_is_dropped_after_completion() {
        let drops = DropCounter::new();
        let handle = {
            let token = drops.token();
            conductor::spawn(async move { token })
        };
        assert!(support::eventually_async(|| handle.is_finished()).await);
        assert_eq!(drops.get(), 0, "the output must be kept for the JoinHandle");
        drop(handle);
        assert!(support::eventually_async(|| drops.get() == 1).await);
        for _ in 0..10 {
            task::yield_now().await;
        }
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn output_of_a_detached_task_is_dropped_once() {
        let drops = DropCounter::new();
        let handle = {
            let token = drops.token();
            conductor::spawn(async move {
                task::yield_now().await;
                token
            })
        };
        drop(handle);
        assert!(support::eventually_async(|| drops.get() == 1).await);
        for _ in 0..10 {
            task::yield_now().await;
        }
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn future_is_dropped_before_the_join_handle_completes() {
        // The task's future (and what it captured) is dropped when the task completes, before
        // the JoinHandle yields the output.
        let drops = DropCounter::new();
        let handle = {
            let token = drops.token();
            conductor::spawn(async move {
                task::yield_now().await;
                let _keep = &token;
                5
            })
        };
        assert_eq!(handle.await.unwrap(), 5);
        assert_eq!(drops.get(), 1);
    }
}

#[test]
fn join_handle_can_be_awaited_from_a_plain_executor() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let handle: JoinHandle<&str> = rt.spawn(async {
            task::yield_now().await;
            "done"
        });
        assert_eq!(futures::executor::block_on(handle).unwrap(), "done");
    });
}

#[test]
fn join_handle_can_be_awaited_on_another_runtime() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt1 = support::multi_thread(1);
            let rt2 = support::runtime(flavor);
            let handle = rt1.spawn(async {
                task::yield_now().await;
                1234
            });
            let out = rt2.block_on(async move { conductor::spawn(handle).await.unwrap().unwrap() });
            assert_eq!(out, 1234);
        });
    }
}

rt_test! {
    async fn many_tasks_join_each_other_in_a_chain() {
        // Each task awaits the previous one's handle.
        let mut prev: JoinHandle<u64> = conductor::spawn(async { 0 });
        for i in 1..=200u64 {
            prev = conductor::spawn(async move { prev.await.unwrap() + i });
        }
        assert_eq!(prev.await.unwrap(), (1..=200u64).sum::<u64>());
    }
}

rt_test! {
    async fn join_handle_woken_from_a_foreign_thread_completion() {
        // The task completes after a wake from a plain thread; the joiner (block_on) is woken.
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let handle = conductor::spawn(async move { rx.await.unwrap() * 2 });
        let t = std::thread::spawn(move || tx.send(21).unwrap());
        assert_eq!(handle.await.unwrap(), 42);
        t.join().unwrap();
    }
}

#[test]
fn join_handle_of_a_finished_task_outlives_the_runtime() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let drops = DropCounter::new();
            let handle = {
                let token = drops.token();
                rt.spawn(async move { (7, token) })
            };
            rt.block_on(async {
                assert!(support::eventually_async(|| handle.is_finished()).await);
            });
            drop(rt);
            let (value, token) = futures::executor::block_on(handle).unwrap();
            assert_eq!(value, 7);
            assert_eq!(drops.get(), 0);
            drop(token);
            assert_eq!(drops.get(), 1);
        });
    }
}

//! Panics inside tasks: isolation, payloads through `JoinError`, and workers that live on.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use conductor::task::{self, JoinHandle};
use support::{DropCounter, Flavor, panic_message, with_timeout};

rt_test! {
    async fn panic_payload_str_comes_back_through_the_join_handle() {
        let handle = conductor::spawn(async {
            panic!("boom");
        });
        let id = handle.id();
        let err = handle.await.unwrap_err();
        assert!(err.is_panic());
        assert!(!err.is_cancelled());
        assert_eq!(err.id(), id);
        assert!(!err.to_string().is_empty());
        let payload = err.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    }
}

rt_test! {
    async fn panic_payload_string_comes_back_through_the_join_handle() {
        let n = 7;
        let err = conductor::spawn(async move {
            task::yield_now().await;
            panic!("formatted {n}");
        })
        .await
        .unwrap_err();
        assert!(err.is_panic());
        let payload = err.try_into_panic().expect("a panic carries its payload");
        assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("formatted 7"));
    }
}

rt_test! {
    async fn panic_with_a_custom_payload() {
        #[derive(Debug, PartialEq)]
        struct Custom(u32);
        let err = conductor::spawn(async {
            std::panic::panic_any(Custom(5));
        })
        .await
        .unwrap_err();
        assert_eq!(err.into_panic().downcast::<Custom>().ok().map(|b| *b), Some(Custom(5)));
    }
}

rt_test! {
    async fn one_panicking_task_does_not_disturb_the_others() {
        let handles: Vec<JoinHandle<u32>> = (0..100u32)
            .map(|i| {
                conductor::spawn(async move {
                    task::yield_now().await;
                    if i == 50 {
                        panic!("task 50 fails");
                    }
                    i
                })
            })
            .collect();
        let mut sum = 0;
        let mut panics = 0;
        for handle in handles {
            match handle.await {
                Ok(v) => sum += v,
                Err(err) => {
                    assert!(err.is_panic());
                    assert_eq!(panic_message(&*err.into_panic()).as_deref(), Some("task 50 fails"));
                    panics += 1;
                }
            }
        }
        assert_eq!(panics, 1);
        assert_eq!(sum, (0..100u32).sum::<u32>() - 50);
    }
}

rt_test! {
    async fn workers_live_on_after_panics() {
        for round in 0..3 {
            let panicking: Vec<_> = (0..20)
                .map(|_| conductor::spawn(async { panic!("many panics") }))
                .collect();
            for h in panicking {
                assert!(h.await.unwrap_err().is_panic());
            }
            // More tasks run after the panics, on every worker.
            let handles: Vec<JoinHandle<usize>> =
                (0..200).map(|i| conductor::spawn(async move { i + round })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            assert_eq!(sum, (0..200).sum::<usize>() + 200 * round);
        }
    }
}

#[test]
fn both_workers_keep_running_after_each_panicked() {
    // Each of the two workers runs a panicking task (they meet at a barrier so both are
    // busy at once), then both still run a pair of tasks that need two workers at once.
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let barrier = support::BoundedBarrier::new(2);
        let panicking: Vec<_> = (0..2)
            .map(|_| {
                let barrier = barrier.clone();
                rt.spawn(async move {
                    let met = barrier.wait();
                    panic!("worker panic, met = {met}");
                })
            })
            .collect();
        for h in panicking {
            let msg = panic_message(&*rt.block_on(h).unwrap_err().into_panic()).unwrap();
            assert_eq!(msg, "worker panic, met = true");
        }
        let barrier = support::BoundedBarrier::new(2);
        let after: Vec<_> = (0..2)
            .map(|_| {
                let barrier = barrier.clone();
                rt.spawn(async move { barrier.wait() })
            })
            .collect();
        for h in after {
            assert!(
                rt.block_on(h).unwrap(),
                "two workers were no longer available"
            );
        }
        assert_eq!(rt.metrics().num_workers(), 2);
    });
}

rt_test! {
    async fn panicking_task_drops_its_future_once() {
        let drops = DropCounter::new();
        let handle = {
            let token = drops.token();
            conductor::spawn(async move {
                let _token = token;
                task::yield_now().await;
                panic!("drop me");
            })
        };
        assert!(handle.await.unwrap_err().is_panic());
        assert_eq!(drops.get(), 1);
    }
}

rt_test! {
    async fn panic_in_a_detached_task_is_contained() {
        drop(conductor::spawn(async { panic!("nobody joins me") }));
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        conductor::spawn(async move {
            r.fetch_add(1, Ordering::SeqCst);
        })
        .await
        .unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}

// A panic payload that is never taken out of the JoinHandle is dropped, exactly once, with the
// handle.
rt_test! {
    async fn panic_payload_is_dropped_with_the_handle() {
        let drops = DropCounter::new();
        let handle = {
            let token = drops.token();
            conductor::spawn(async move {
                std::panic::panic_any(token);
            })
        };
        assert!(support::eventually_async(|| handle.is_finished()).await);
        // The payload is the token itself; the future held it and panicked with it by value.
        assert_eq!(drops.get(), 0);
        drop(handle);
        assert!(support::eventually_async(|| drops.get() == 1).await);
    }
}

rt_test! {
    async fn panic_in_a_task_spawned_from_a_task() {
        let outer = conductor::spawn(async {
            let inner = conductor::spawn(async { panic!("inner") });
            let err = inner.await.unwrap_err();
            assert!(err.is_panic());
            panic_message(&*err.into_panic()).unwrap()
        });
        assert_eq!(outer.await.unwrap(), "inner");
    }
}

#[test]
fn panic_in_a_blocking_closure_comes_back_through_the_join_handle() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let err = rt
                .block_on(async {
                    conductor::task::spawn_blocking(|| -> u8 { panic!("blocking boom") }).await
                })
                .unwrap_err();
            assert!(err.is_panic());
            assert_eq!(
                panic_message(&*err.into_panic()).as_deref(),
                Some("blocking boom")
            );
            // The pool still works.
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 3)).unwrap(), 3);
        });
    }
}

#[test]
fn panic_inside_block_on_propagates_and_the_runtime_survives() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                rt.block_on(async { panic!("in block_on") })
            }));
            let payload = caught.expect_err("the panic must propagate out of block_on");
            assert_eq!(panic_message(&*payload).as_deref(), Some("in block_on"));
            assert_eq!(
                rt.block_on(async { conductor::spawn(async { 1 }).await.unwrap() }),
                1
            );
        });
    }
}

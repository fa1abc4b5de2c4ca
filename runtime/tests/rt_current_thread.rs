//! The current-thread flavor: tasks run inside `block_on` on the calling thread, in FIFO order,
//! and stay queued between `block_on` calls.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use conductor::runtime::Handle;
use conductor::task::{self, JoinHandle};
use support::{Gate, with_timeout};

#[test]
fn tasks_run_on_the_thread_inside_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        let me = std::thread::current().id();
        let (from_task, from_nested) = rt.block_on(async {
            conductor::spawn(async {
                let outer = std::thread::current().id();
                let nested = conductor::spawn(async { std::thread::current().id() })
                    .await
                    .unwrap();
                (outer, nested)
            })
            .await
            .unwrap()
        });
        assert_eq!(from_task, me);
        assert_eq!(from_nested, me);
    });
}

#[test]
fn tasks_spawned_before_block_on_do_not_run_until_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        let handle = rt.spawn(async move { r.store(true, Ordering::SeqCst) });
        std::thread::yield_now();
        assert!(
            !ran.load(Ordering::SeqCst),
            "no thread should be running current-thread tasks"
        );
        rt.block_on(handle).unwrap();
        assert!(ran.load(Ordering::SeqCst));
    });
}

#[test]
fn tasks_spawned_inside_block_on_run_in_fifo_order() {
    with_timeout(|| {
        let rt = support::current_thread();
        let order = Arc::new(Mutex::new(Vec::new()));
        rt.block_on(async {
            let handles: Vec<JoinHandle<()>> = ["A", "B", "C"]
                .into_iter()
                .map(|name| {
                    let order = order.clone();
                    conductor::spawn(async move { order.lock().unwrap().push(name) })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(*order.lock().unwrap(), ["A", "B", "C"]);
    });
}

#[test]
fn tasks_spawned_inside_a_task_run_in_fifo_order() {
    with_timeout(|| {
        let rt = support::current_thread();
        let order = Arc::new(Mutex::new(Vec::new()));
        let o = order.clone();
        rt.block_on(async move {
            conductor::spawn(async move {
                let handles: Vec<JoinHandle<()>> = (0..10)
                    .map(|i| {
                        let order = o.clone();
                        conductor::spawn(async move { order.lock().unwrap().push(i) })
                    })
                    .collect();
                for h in handles {
                    h.await.unwrap();
                }
            })
            .await
            .unwrap();
        });
        assert_eq!(*order.lock().unwrap(), (0..10).collect::<Vec<_>>());
    });
}

#[test]
fn tasks_spawned_from_outside_run_in_fifo_order() {
    with_timeout(|| {
        let rt = support::current_thread();
        let order = Arc::new(Mutex::new(Vec::new()));
        let hs: Vec<JoinHandle<()>> = ["A", "B", "C"]
            .into_iter()
            .map(|name| {
                let order = order.clone();
                rt.spawn(async move { order.lock().unwrap().push(name) })
            })
            .collect();
        // Not run yet: nothing is inside block_on.
        assert!(order.lock().unwrap().is_empty());
        rt.block_on(async {
            for h in hs {
                h.await.unwrap();
            }
        });
        assert_eq!(*order.lock().unwrap(), ["A", "B", "C"]);
    });
}

#[test]
fn tasks_left_pending_continue_in_the_next_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        let steps = Arc::new(AtomicUsize::new(0));
        let s = steps.clone();
        let handle = rt.spawn(async move {
            for _ in 0..1000 {
                s.fetch_add(1, Ordering::SeqCst);
                task::yield_now().await;
            }
        });
        rt.block_on(async {
            for _ in 0..3 {
                task::yield_now().await;
            }
        });
        let after_first = steps.load(Ordering::SeqCst);
        assert!(
            after_first > 0,
            "the task never ran during the first block_on"
        );
        assert!(after_first < 1000);
        // Between block_on calls nothing runs.
        std::thread::yield_now();
        assert_eq!(steps.load(Ordering::SeqCst), after_first);
        rt.block_on(handle).unwrap();
        assert_eq!(steps.load(Ordering::SeqCst), 1000);
    });
}

#[test]
fn block_on_is_woken_by_a_foreign_thread() {
    with_timeout(|| {
        let rt = support::current_thread();
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let gate = Gate::new();
        let g = gate.clone();
        let t = std::thread::spawn(move || {
            g.wait();
            tx.send(17).unwrap();
        });
        let out = rt.block_on(async {
            gate.open();
            rx.await.unwrap()
        });
        assert_eq!(out, 17);
        t.join().unwrap();
    });
}

#[test]
fn a_task_is_woken_by_a_foreign_thread() {
    with_timeout(|| {
        let rt = support::current_thread();
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let handle = rt.spawn(async move { rx.await.unwrap() + 1 });
        let out = rt.block_on(async {
            // Let the task park on the channel first.
            task::yield_now().await;
            let t = std::thread::spawn(move || tx.send(41).unwrap());
            let out = handle.await.unwrap();
            t.join().unwrap();
            out
        });
        assert_eq!(out, 42);
    });
}

#[test]
fn remote_spawn_while_blocked_in_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        let handle = rt.handle().clone();
        let (tx, rx) = futures::channel::oneshot::channel::<JoinHandle<u32>>();
        let t = std::thread::spawn(move || {
            let jh = handle.spawn(async { 5 });
            tx.send(jh).unwrap();
        });
        let out = rt.block_on(async { rx.await.unwrap().await.unwrap() });
        assert_eq!(out, 5);
        t.join().unwrap();
    });
}

#[test]
fn handle_block_on_from_another_thread_while_the_runtime_is_driven() {
    // The owner thread sits in block_on; a foreign thread uses Handle::block_on on a task's
    // handle: the owner runs the task.
    with_timeout(|| {
        let rt = support::current_thread();
        let handle = rt.handle().clone();
        let done = Arc::new(AtomicBool::new(false));
        let d = done.clone();
        let t = std::thread::spawn(move || {
            let jh = handle.spawn(async { 6 * 7 });
            let out = handle.block_on(jh).unwrap();
            d.store(true, Ordering::SeqCst);
            out
        });
        let d = done.clone();
        rt.block_on(async move {
            assert!(support::eventually_async(|| d.load(Ordering::SeqCst)).await);
        });
        assert_eq!(t.join().unwrap(), 42);
    });
}

#[test]
fn two_current_thread_runtimes_on_two_threads() {
    with_timeout(|| {
        let threads: Vec<_> = (0..2u64)
            .map(|n| {
                std::thread::spawn(move || {
                    let rt = support::current_thread();
                    rt.block_on(async move {
                        let hs: Vec<JoinHandle<u64>> = (0..1000u64)
                            .map(|i| conductor::spawn(async move { i * n }))
                            .collect();
                        let mut sum = 0;
                        for h in hs {
                            sum += h.await.unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        let sums: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(sums, [0, (0..1000u64).sum::<u64>()]);
    });
}

#[test]
fn block_on_can_be_called_from_different_threads_in_turn() {
    with_timeout(|| {
        let rt = Arc::new(support::current_thread());
        let steps = Arc::new(AtomicUsize::new(0));
        let s = steps.clone();
        let handle = rt.spawn(async move {
            for _ in 0..100 {
                s.fetch_add(1, Ordering::SeqCst);
                task::yield_now().await;
            }
            7
        });
        let rt2 = rt.clone();
        let first =
            std::thread::spawn(move || rt2.block_on(async { task::yield_now().await })).join();
        first.unwrap();
        assert!(steps.load(Ordering::SeqCst) > 0);
        assert_eq!(rt.block_on(handle).unwrap(), 7);
        assert!(Handle::try_current().is_err());
    });
}

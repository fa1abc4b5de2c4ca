//! Runtime shutdown: every pending future is dropped exactly once, inside the runtime's context,
//! through `Drop`, `shutdown_timeout` and `shutdown_background`; what survives a shutdown.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use conductor::runtime::Runtime;
use conductor::task::{self, JoinHandle};
use support::{DropContextProbe, Flavor, Gate, WakerSlot, with_timeout};

const TASKS: usize = 1000;

/// How a test shuts its runtime down.
#[derive(Clone, Copy, Debug)]
enum How {
    Drop,
    Timeout,
    Background,
}

struct Probes {
    drops: Arc<AtomicUsize>,
    drops_in_runtime: Arc<AtomicUsize>,
    polled: Arc<AtomicUsize>,
}

impl Probes {
    fn new() -> Self {
        Probes {
            drops: Arc::default(),
            drops_in_runtime: Arc::default(),
            polled: Arc::default(),
        }
    }

    /// A future that is polled once (counted) and then waits forever, holding a probe.
    fn pending_task(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let probe = DropContextProbe {
            drops: self.drops.clone(),
            drops_in_runtime: self.drops_in_runtime.clone(),
        };
        let polled = self.polled.clone();
        async move {
            let _probe = probe;
            polled.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        }
    }
}

fn shut_down(rt: Runtime, how: How) {
    match how {
        How::Drop => drop(rt),
        How::Timeout => rt.shutdown_timeout(Duration::from_secs(10)),
        How::Background => rt.shutdown_background(),
    }
}

fn shutdown_drops_every_pending_future_once(flavor: Flavor, how: How) {
    with_timeout(move || {
        let rt = support::runtime(flavor);
        let probes = Probes::new();
        // Half are spawned from outside, half from inside a task; all get polled once.
        let outside: Vec<JoinHandle<()>> = (0..TASKS / 2)
            .map(|_| rt.spawn(probes.pending_task()))
            .collect();
        let inside: Vec<JoinHandle<()>> = rt.block_on(async {
            let inside = (0..TASKS / 2)
                .map(|_| conductor::spawn(probes.pending_task()))
                .collect();
            assert!(
                support::eventually_async(|| probes.polled.load(Ordering::SeqCst) == TASKS).await
            );
            inside
        });
        assert_eq!(probes.drops.load(Ordering::SeqCst), 0);

        shut_down(rt, how);
        match how {
            How::Drop | How::Timeout => {}
            How::Background => {
                assert!(support::eventually(
                    || probes.drops.load(Ordering::SeqCst) >= TASKS
                ));
            }
        }
        assert_eq!(
            probes.drops.load(Ordering::SeqCst),
            TASKS,
            "every future dropped exactly once"
        );
        assert_eq!(
            probes.drops_in_runtime.load(Ordering::SeqCst),
            TASKS,
            "futures must be dropped where Handle::try_current() is Ok"
        );

        // The join handles outlive the runtime and report a cancellation.
        for handle in outside.into_iter().chain(inside) {
            let err = futures::executor::block_on(handle).unwrap_err();
            assert!(err.is_cancelled(), "{err:?}");
        }
        assert_eq!(probes.drops.load(Ordering::SeqCst), TASKS);
    });
}

#[test]
fn drop_multi_thread() {
    shutdown_drops_every_pending_future_once(Flavor::MultiThread, How::Drop);
}

#[test]
fn drop_current_thread() {
    shutdown_drops_every_pending_future_once(Flavor::CurrentThread, How::Drop);
}

#[test]
fn shutdown_timeout_multi_thread() {
    shutdown_drops_every_pending_future_once(Flavor::MultiThread, How::Timeout);
}

#[test]
fn shutdown_timeout_current_thread() {
    shutdown_drops_every_pending_future_once(Flavor::CurrentThread, How::Timeout);
}

#[test]
fn shutdown_background_multi_thread() {
    shutdown_drops_every_pending_future_once(Flavor::MultiThread, How::Background);
}

#[test]
fn shutdown_background_current_thread() {
    shutdown_drops_every_pending_future_once(Flavor::CurrentThread, How::Background);
}

#[test]
fn never_polled_tasks_are_dropped_on_shutdown() {
    for how in [How::Drop, How::Timeout, How::Background] {
        with_timeout(move || {
            // Nothing ever runs these tasks: no block_on on the current-thread flavor.
            let rt = support::current_thread();
            let probes = Probes::new();
            let handles: Vec<_> = (0..TASKS)
                .map(|_| rt.spawn(probes.pending_task()))
                .collect();
            shut_down(rt, how);
            assert!(support::eventually(
                || probes.drops.load(Ordering::SeqCst) >= TASKS
            ));
            assert_eq!(probes.drops.load(Ordering::SeqCst), TASKS);
            assert_eq!(probes.polled.load(Ordering::SeqCst), 0);
            assert_eq!(probes.drops_in_runtime.load(Ordering::SeqCst), TASKS);
            for h in handles {
                assert!(futures::executor::block_on(h).unwrap_err().is_cancelled());
            }
        });
    }
}

#[test]
fn tasks_woken_during_shutdown_are_dropped_once() {
    // Tasks that are queued (woken) rather than idle when the runtime goes away.
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let probes = Probes::new();
            let stop = Arc::new(AtomicBool::new(false));
            for _ in 0..100 {
                let probe = DropContextProbe {
                    drops: probes.drops.clone(),
                    drops_in_runtime: probes.drops_in_runtime.clone(),
                };
                let stop = stop.clone();
                let polled = probes.polled.clone();
                rt.spawn(async move {
                    let _probe = probe;
                    polled.fetch_add(1, Ordering::SeqCst);
                    // Keeps itself runnable forever.
                    while !stop.load(Ordering::SeqCst) {
                        task::yield_now().await;
                    }
                });
            }
            rt.block_on(async {
                assert!(
                    support::eventually_async(|| probes.polled.load(Ordering::SeqCst) >= 100).await
                );
            });
            drop(rt);
            assert_eq!(probes.drops.load(Ordering::SeqCst), 100);
            assert_eq!(probes.drops_in_runtime.load(Ordering::SeqCst), 100);
        });
    }
}

#[test]
fn a_task_that_spawns_while_being_shut_down() {
    // Dropping a future that spawns in its Drop must not deadlock or leak: the new task is
    // dropped too (or refused), never run after shutdown.
    struct SpawnOnDrop(Arc<AtomicUsize>, support::DropCounter);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            if let Ok(handle) = conductor::runtime::Handle::try_current() {
                let ran = self.0.clone();
                let token = self.1.token();
                drop(handle.spawn(async move {
                    let _token = token;
                    ran.fetch_add(1, Ordering::SeqCst);
                }));
            }
        }
    }
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let ran = Arc::new(AtomicUsize::new(0));
            let inner_drops = support::DropCounter::new();
            let started = Arc::new(AtomicUsize::new(0));
            for _ in 0..10 {
                let guard = SpawnOnDrop(ran.clone(), inner_drops.clone());
                let started = started.clone();
                rt.spawn(async move {
                    let _guard = guard;
                    started.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await;
                });
            }
            rt.block_on(async {
                assert!(support::eventually_async(|| started.load(Ordering::SeqCst) == 10).await);
            });
            drop(rt);
            assert_eq!(
                ran.load(Ordering::SeqCst),
                0,
                "a task spawned during shutdown must not run"
            );
            assert!(
                support::eventually(|| inner_drops.get() == 10),
                "spawned during shutdown: {} of 10 dropped",
                inner_drops.get()
            );
        });
    }
}

#[test]
fn shutdown_timeout_does_not_wait_for_a_stuck_blocking_closure() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let release = Gate::new();
            let started = Gate::new();
            let finished = Arc::new(AtomicBool::new(false));
            let handle = {
                let (release, started, finished) =
                    (release.clone(), started.clone(), finished.clone());
                rt.spawn_blocking(move || {
                    started.open();
                    release.wait();
                    finished.store(true, Ordering::SeqCst);
                })
            };
            assert!(started.wait());
            rt.shutdown_timeout(Duration::from_millis(50));
            assert!(
                !finished.load(Ordering::SeqCst),
                "shutdown_timeout waited for the blocking closure"
            );
            release.open();
            // The closure still completes, and its handle says so.
            futures::executor::block_on(handle).unwrap();
            assert!(finished.load(Ordering::SeqCst));
        });
    }
}

#[test]
fn shutdown_background_does_not_wait_for_a_stuck_blocking_closure() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let release = Gate::new();
        let started = Gate::new();
        let finished = Arc::new(AtomicBool::new(false));
        {
            let (release, started, finished) = (release.clone(), started.clone(), finished.clone());
            rt.spawn_blocking(move || {
                started.open();
                release.wait();
                finished.store(true, Ordering::SeqCst);
            });
        }
        assert!(started.wait());
        rt.shutdown_background();
        assert!(!finished.load(Ordering::SeqCst));
        release.open();
        assert!(support::eventually(|| finished.load(Ordering::SeqCst)));
    });
}

#[test]
fn drop_waits_for_running_blocking_closures() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let started = Gate::new();
        let finished = Arc::new(AtomicBool::new(false));
        {
            let (started, finished) = (started.clone(), finished.clone());
            rt.spawn_blocking(move || {
                started.open();
                std::thread::sleep(Duration::from_millis(20));
                finished.store(true, Ordering::SeqCst);
            });
        }
        assert!(started.wait());
        drop(rt);
        assert!(
            finished.load(Ordering::SeqCst),
            "dropping the runtime must wait for blocking work"
        );
    });
}

#[test]
fn waker_used_after_the_runtime_is_dropped_is_a_no_op() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let slot = WakerSlot::new();
            {
                let slot = slot.clone();
                rt.spawn(futures::future::poll_fn(move |cx| {
                    slot.store(cx.waker());
                    std::task::Poll::<()>::Pending
                }));
            }
            rt.block_on(async {
                assert!(support::eventually_async(|| slot.get().is_some()).await);
            });
            let waker = slot.take().unwrap();
            drop(rt);
            waker.wake_by_ref();
            let clone = waker.clone();
            clone.wake();
            waker.clone().wake_by_ref();
            drop(waker);
        });
    }
}

#[test]
fn waker_dropped_from_another_thread_after_shutdown() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let slot = WakerSlot::new();
        {
            let slot = slot.clone();
            rt.spawn(futures::future::poll_fn(move |cx| {
                slot.store(cx.waker());
                std::task::Poll::<()>::Pending
            }));
        }
        assert!(support::eventually(|| slot.get().is_some()));
        let waker = slot.take().unwrap();
        let t = std::thread::spawn(move || {
            for _ in 0..1000 {
                waker.wake_by_ref();
            }
            waker
        });
        drop(rt);
        let waker = t.join().unwrap();
        waker.wake();
    });
}

rt_test! {
    async fn runtime_can_be_dropped_after_use_from_another_thread() {
        // A runtime built and used inside a task of this one, then dropped on a blocking thread
        // (not async code): allowed.
        let out = conductor::task::spawn_blocking(|| {
            let rt = support::multi_thread(1);
            let out = rt.block_on(async { conductor::spawn(async { 5 }).await.unwrap() });
            drop(rt);
            out
        })
        .await
        .unwrap();
        assert_eq!(out, 5);
    }
}

#[test]
fn spawn_through_a_handle_after_shutdown_does_not_run() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let handle = rt.handle().clone();
        drop(rt);
        let ran = Arc::new(AtomicBool::new(false));
        let drops = support::DropCounter::new();
        let r = ran.clone();
        let token = drops.token();
        let jh = handle.spawn(async move {
            let _token = token;
            r.store(true, Ordering::SeqCst);
        });
        assert!(
            support::eventually(|| drops.get() == 1),
            "the refused future must be dropped"
        );
        assert!(!ran.load(Ordering::SeqCst));
        assert!(futures::executor::block_on(jh).unwrap_err().is_cancelled());
    });
}

#[test]
fn a_future_whose_drop_panics_does_not_stop_shutdown() {
    // One future's destructor panics while the runtime drops every future: the panic stays
    // inside the runtime and every other future is still dropped.
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("drop panics at shutdown");
            }
        }
    }
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let drops = support::DropCounter::new();
            let polled = Arc::new(AtomicUsize::new(0));
            for i in 0..100 {
                let token = drops.token();
                let polled = polled.clone();
                rt.spawn(async move {
                    let _token = token;
                    let _bomb = if i == 50 { Some(PanicOnDrop) } else { None };
                    polled.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await;
                });
            }
            rt.block_on(async {
                assert!(support::eventually_async(|| polled.load(Ordering::SeqCst) == 100).await);
            });
            drop(rt);
            assert_eq!(drops.get(), 100);
        });
    }
}

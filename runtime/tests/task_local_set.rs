//! `LocalSet` and `spawn_local`: `!Send` state shared between local tasks, wake order, wakes
//! from other threads, abort, panic isolation, drop on set drop, misuse, awaiting the set,
//! nested spawns, and yielding to the outer runtime.

#[macro_use]
mod support;

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use conductor::task::{self, LocalSet, spawn_local};
use support::{DropCounter, Flavor, WakerSlot, panic_message, pending_forever, with_timeout};

/// A future released by hand from the same thread: pending until `open` is set, it keeps its
/// latest waker where the test can reach it.
#[derive(Clone, Default)]
struct LocalGate {
    open: Rc<Cell<bool>>,
    waker: Rc<RefCell<Option<Waker>>>,
}

impl LocalGate {
    fn wait(&self) -> impl Future<Output = ()> + use<> {
        let gate = self.clone();
        poll_fn(move |cx| {
            if gate.open.get() {
                Poll::Ready(())
            } else {
                *gate.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    fn release(&self) {
        self.open.set(true);
        let waker = self
            .waker
            .borrow_mut()
            .take()
            .expect("the gate was not awaited yet");
        waker.wake();
    }
}

/// Yields to the set until `cond` holds; bounded so a broken set fails instead of spinning.
async fn yield_until(mut cond: impl FnMut() -> bool) {
    for _ in 0..10_000 {
        if cond() {
            return;
        }
        task::yield_now().await;
    }
    panic!("condition never held");
}

rt_test! {
    async fn rc_refcell_state_is_shared_between_local_tasks() {
        let set = LocalSet::new();
        let state = Rc::new(RefCell::new(Vec::new()));
        let total = set
            .run_until(async {
                let mut handles = Vec::new();
                for i in 0..10u32 {
                    let state = state.clone();
                    handles.push(spawn_local(async move {
                        task::yield_now().await;
                        state.borrow_mut().push(i);
                        i
                    }));
                }
                let mut total = 0;
                for handle in handles {
                    total += handle.await.unwrap();
                }
                total
            })
            .await;
        assert_eq!(total, 45);
        let mut seen = state.borrow().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }
}

#[test]
fn block_on_runs_local_tasks_on_both_flavors() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let set = LocalSet::new();
            let counter = Rc::new(Cell::new(0));
            let thread = std::thread::current().id();
            let c = counter.clone();
            // Spawned before the set runs: it starts inside block_on.
            let early = set.spawn_local(async move {
                c.set(c.get() + 1);
                std::thread::current().id()
            });
            let out = set.block_on(&rt, async {
                let c = counter.clone();
                let late = spawn_local(async move {
                    c.set(c.get() + 10);
                    std::thread::current().id()
                });
                (early.await.unwrap(), late.await.unwrap())
            });
            assert_eq!(out, (thread, thread), "local tasks ran on another thread");
            assert_eq!(counter.get(), 11);
        });
    }
}

rt_test! {
    async fn spawned_tasks_start_in_spawn_order() {
        let set = LocalSet::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        for i in 0..20u32 {
            let log = log.clone();
            set.spawn_local(async move { log.borrow_mut().push(i) });
        }
        set.await;
        assert_eq!(*log.borrow(), (0..20).collect::<Vec<_>>());
    }
}

rt_test! {
    async fn woken_tasks_run_in_the_order_of_their_wakes() {
        let set = LocalSet::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        let gates: Vec<LocalGate> = (0..4).map(|_| LocalGate::default()).collect();
        set.run_until(async {
            let mut handles = Vec::new();
            for (i, gate) in gates.iter().enumerate() {
                let wait = gate.wait();
                let log = log.clone();
                handles.push(spawn_local(async move {
                    wait.await;
                    log.borrow_mut().push(i);
                }));
            }
            yield_until(|| gates.iter().all(|g| g.waker.borrow().is_some())).await;
            for i in [2, 0, 3, 1] {
                gates[i].release();
            }
            for handle in handles {
                handle.await.unwrap();
            }
        })
        .await;
        assert_eq!(*log.borrow(), [2, 0, 3, 1]);
    }
}

rt_test! {
    async fn a_task_is_polled_once_per_burst_of_wakes() {
        let set = LocalSet::new();
        let polls = Rc::new(Cell::new(0u32));
        let slot = WakerSlot::new();
        set.run_until(async {
            let (p, s) = (polls.clone(), slot.clone());
            let handle = spawn_local(poll_fn(move |cx| {
                p.set(p.get() + 1);
                s.store(cx.waker());
                if p.get() == 3 { Poll::Ready(()) } else { Poll::Pending }
            }));
            yield_until(|| polls.get() == 1).await;
            let waker = slot.get().unwrap();
            for _ in 0..5 {
                waker.wake_by_ref();
            }
            // One poll for the five wakes, whatever else the set does meanwhile.
            yield_until(|| polls.get() == 2).await;
            for _ in 0..3 {
                task::yield_now().await;
            }
            assert_eq!(polls.get(), 2);
            waker.wake();
            handle.await.unwrap();
        })
        .await;
        assert_eq!(polls.get(), 3);
    }
}

rt_test! {
    async fn a_wake_from_another_thread_completes_a_local_task() {
        let set = LocalSet::new();
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let local = Rc::new(5u32);
        let out = set
            .run_until(async move {
                let handle = spawn_local(async move {
                    let _ = started_tx.send(());
                    rx.await.unwrap() + *local
                });
                let sender = std::thread::spawn(move || {
                    started_rx.recv().unwrap();
                    tx.send(37).unwrap();
                });
                let out = handle.await.unwrap();
                sender.join().unwrap();
                out
            })
            .await;
        assert_eq!(out, 42);
    }
}

rt_test! {
    async fn abort_cancels_and_drops_the_future() {
        let drops = DropCounter::new();
        let set = LocalSet::new();
        // Aborted before the set runs: never polled.
        let (fut, early_polls) = pending_forever(&drops);
        let early = set.spawn_local(fut);
        early.abort();
        set.run_until(async {
            let (fut, polls) = pending_forever(&drops);
            let running = spawn_local(fut);
            yield_until(|| polls.load(Ordering::SeqCst) == 1).await;
            assert!(!running.is_finished());
            running.abort();
            let err = running.await.unwrap_err();
            assert!(err.is_cancelled());

            let err = early.await.unwrap_err();
            assert!(err.is_cancelled());
            assert_eq!(early_polls.load(Ordering::SeqCst), 0);

            // Abort after completion changes nothing.
            let done = spawn_local(async { 9 });
            yield_until(|| done.is_finished()).await;
            done.abort();
            assert_eq!(done.await.unwrap(), 9);
        })
        .await;
        assert_eq!(drops.get(), 2);
    }
}

rt_test! {
    async fn a_panicking_task_does_not_take_down_the_set() {
        let set = LocalSet::new();
        let ran = Rc::new(Cell::new(0));
        set.run_until(async {
            let r = ran.clone();
            let before = spawn_local(async move { r.set(r.get() + 1) });
            let bad = spawn_local(async {
                task::yield_now().await;
                panic!("local boom");
            });
            let bad_id = bad.id();
            let r = ran.clone();
            let after = spawn_local(async move {
                task::yield_now().await;
                r.set(r.get() + 1)
            });
            let err = bad.await.unwrap_err();
            assert!(err.is_panic());
            assert_eq!(err.id(), bad_id);
            assert_eq!(panic_message(&*err.into_panic()).as_deref(), Some("local boom"));
            before.await.unwrap();
            after.await.unwrap();
            // The set still spawns and runs tasks.
            assert_eq!(spawn_local(async { 1 }).await.unwrap(), 1);
        })
        .await;
        assert_eq!(ran.get(), 2);
    }
}

#[test]
fn dropping_the_set_drops_every_task_once() {
    with_timeout(|| {
        let rt = support::current_thread();
        let drops = DropCounter::new();
        let set = LocalSet::new();
        let slot = WakerSlot::new();
        // Never polled: the set never ran.
        let (fut, _) = pending_forever(&drops);
        let unpolled = set.spawn_local(fut);
        let handles = set.block_on(&rt, async {
            let mut handles = Vec::new();
            for _ in 0..5 {
                let (fut, _) = pending_forever(&drops);
                handles.push(spawn_local(fut));
            }
            // A task that spawned a child, both pending, and whose waker outlives the set.
            let token = drops.token();
            let s = slot.clone();
            let d = drops.clone();
            handles.push(spawn_local(async move {
                let _token = token;
                let (fut, _) = pending_forever(&d);
                let _child = spawn_local(fut);
                poll_fn(|cx| {
                    s.store(cx.waker());
                    Poll::<()>::Pending
                })
                .await
            }));
            yield_until(|| slot.get().is_some()).await;
            handles
        });
        assert_eq!(drops.get(), 0);
        drop(set);
        // 1 unpolled + 5 pending + the parent + its child.
        assert_eq!(drops.get(), 8);
        // The handles see the cancellation.
        for handle in handles.into_iter().chain([unpolled]) {
            assert!(handle.is_finished());
            let err = futures::executor::block_on(handle).unwrap_err();
            assert!(err.is_cancelled());
        }
        // A waker that outlived the set does nothing, from any thread.
        let waker = slot.take().unwrap();
        let w = waker.clone();
        std::thread::spawn(move || w.wake()).join().unwrap();
        waker.wake();
        assert_eq!(drops.get(), 8);
    });
}

#[test]
fn spawn_local_in_a_destructor_during_set_drop_is_cancelled() {
    struct SpawnOnDrop(Rc<RefCell<Option<bool>>>);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let handle = spawn_local(async {});
            *self.0.borrow_mut() = Some(handle.is_finished());
        }
    }
    let seen = Rc::new(RefCell::new(None));
    let set = LocalSet::new();
    let guard = SpawnOnDrop(seen.clone());
    set.spawn_local(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
    drop(set);
    assert_eq!(*seen.borrow(), Some(true));
}

#[test]
#[should_panic(expected = "spawn_local called outside a LocalSet")]
fn spawn_local_outside_a_set_panics() {
    drop(spawn_local(async {}));
}

rt_test! {
    async fn spawn_local_in_a_runtime_but_outside_a_set_panics() {
        let caught = std::panic::catch_unwind(|| {
            drop(spawn_local(async {}));
        })
        .unwrap_err();
        let msg = panic_message(&*caught).unwrap();
        assert!(msg.contains("spawn_local called outside a LocalSet"), "{msg}");
    }
}

rt_test! {
    async fn awaiting_the_set_completes_when_its_tasks_finish() {
        // An empty set is done at once.
        LocalSet::new().await;

        let set = LocalSet::new();
        let done = Rc::new(Cell::new(0));
        for i in 0..5u32 {
            let done = done.clone();
            set.spawn_local(async move {
                for _ in 0..i {
                    task::yield_now().await;
                }
                let d = done.clone();
                // Children spawned by tasks count too.
                spawn_local(async move {
                    task::yield_now().await;
                    d.set(d.get() + 1);
                });
                done.set(done.get() + 1);
            });
        }
        set.await;
        assert_eq!(done.get(), 10);
    }
}

rt_test! {
    async fn nested_spawn_local_from_a_local_task() {
        let set = LocalSet::new();
        let depth = set
            .run_until(async {
                spawn_local(async {
                    let child = spawn_local(async {
                        let grandchild = spawn_local(async { Rc::new(3) });
                        *grandchild.await.unwrap()
                    });
                    child.await.unwrap() - 1
                })
                .await
                .unwrap()
            })
            .await;
        assert_eq!(depth, 2);
    }
}

rt_test! {
    async fn task_id_inside_a_local_task_matches_its_handle() {
        let set = LocalSet::new();
        set.run_until(async {
            let handle = spawn_local(async { task::id() });
            let id = handle.id();
            assert_eq!(handle.await.unwrap(), id);
        })
        .await;
    }
}

rt_test! {
    async fn enter_lets_spawn_local_queue_tasks_for_the_set() {
        let set = LocalSet::new();
        let handle = {
            let _guard = set.enter();
            spawn_local(async { "queued" })
        };
        assert!(!handle.is_finished());
        assert_eq!(set.run_until(handle).await.unwrap(), "queued");
    }
}

#[test]
fn a_busy_set_yields_to_the_outer_runtime() {
    // One thread only: if the set never gave the thread back, the runtime task could not run
    // and the local tasks would spin until their bound.
    with_timeout(|| {
        let rt = support::current_thread();
        let flag = Arc::new(AtomicBool::new(false));
        let set = LocalSet::new();
        let local_polls = Rc::new(Cell::new(0usize));
        set.block_on(&rt, async {
            let mut handles = Vec::new();
            for _ in 0..4 {
                let (f, polls) = (flag.clone(), local_polls.clone());
                handles.push(spawn_local(async move {
                    for _ in 0..100_000 {
                        if f.load(Ordering::SeqCst) {
                            return true;
                        }
                        polls.set(polls.get() + 1);
                        task::yield_now().await;
                    }
                    false
                }));
            }
            // The local tasks are spinning before the runtime task exists.
            yield_until(|| local_polls.get() >= 4).await;
            let f = flag.clone();
            let outer = conductor::spawn(async move { f.store(true, Ordering::SeqCst) });
            for handle in handles {
                assert!(handle.await.unwrap(), "the runtime task never ran");
            }
            outer.await.unwrap();
        });
        assert!(local_polls.get() > 0);
    });
}

rt_test! {
    async fn a_task_driving_its_own_set_gets_a_clear_error() {
        let set = Rc::new(LocalSet::new());
        let inner = set.clone();
        let err = set
            .run_until(async move {
                spawn_local(async move {
                    inner.run_until(async { task::yield_now().await }).await;
                })
                .await
                .unwrap_err()
            })
            .await;
        let msg = panic_message(&*err.into_panic()).unwrap();
        assert!(msg.contains("run from inside one of its own tasks"), "{msg}");
    }
}

rt_test! {
    async fn a_handle_dropped_early_detaches_the_task() {
        let set = LocalSet::new();
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        drop(set.spawn_local(async move {
            task::yield_now().await;
            r.set(true);
        }));
        set.await;
        assert!(ran.get());
    }
}

/// Counts the wake-ups of the future that drives the set.
struct CountWakes(Arc<AtomicUsize>);

impl std::task::Wake for CountWakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_set_polled_by_hand_wakes_its_poller_and_stays_on_its_thread() {
    // Drive the set with a plain waker: a task woken from another thread must wake the poller.
    let set = LocalSet::new();
    let wakes = Arc::new(AtomicUsize::new(0));
    let waker = Waker::from(Arc::new(CountWakes(wakes.clone())));
    let mut cx = Context::from_waker(&waker);
    let slot = WakerSlot::new();
    let s = slot.clone();
    let handle = set.spawn_local(poll_fn(move |cx| {
        if s.get().is_some() {
            return Poll::Ready(7);
        }
        s.store(cx.waker());
        Poll::Pending
    }));
    let mut set = set;
    assert!(Pin::new(&mut set).poll(&mut cx).is_pending());
    let task_waker = slot.get().unwrap();
    std::thread::spawn(move || task_waker.wake())
        .join()
        .unwrap();
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert!(Pin::new(&mut set).poll(&mut cx).is_ready());
    assert!(handle.is_finished());
    assert_eq!(futures::executor::block_on(handle).unwrap(), 7);
}

rt_test! {
    async fn a_panic_while_dropping_an_aborted_future_reaches_its_handle() {
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("drop boom");
            }
        }
        let set = LocalSet::new();
        set.run_until(async {
            let guard = PanicOnDrop;
            let handle = spawn_local(async move {
                let _guard = guard;
                std::future::pending::<()>().await
            });
            task::yield_now().await;
            handle.abort();
            let err = handle.await.unwrap_err();
            assert_eq!(panic_message(&*err.into_panic()).as_deref(), Some("drop boom"));
            // The set keeps running.
            assert_eq!(spawn_local(async { 2 }).await.unwrap(), 2);
        })
        .await;
    }
}

rt_test! {
    async fn the_output_of_a_detached_task_is_dropped() {
        let drops = DropCounter::new();
        let set = LocalSet::new();
        let token = drops.token();
        drop(set.spawn_local(async move { token }));
        set.await;
        assert_eq!(drops.get(), 1);
    }
}

#[test]
#[should_panic(expected = "polled after it had already returned")]
fn polling_a_handle_after_its_output_panics() {
    let set = LocalSet::new();
    let mut handle = set.spawn_local(async { 1 });
    futures::executor::block_on(async {
        set.await;
    });
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(matches!(
        Pin::new(&mut handle).poll(&mut cx),
        Poll::Ready(Ok(1))
    ));
    let _ = Pin::new(&mut handle).poll(&mut cx);
}

/// Compiles only while `T` is not `Send` (with a `Send` `T`, both impls apply and the call is
/// ambiguous): the set and its handles must stay on their thread.
trait AmbiguousIfSend<A> {
    fn check() {}
}
impl<T: ?Sized> AmbiguousIfSend<()> for T {}
impl<T: ?Sized + Send> AmbiguousIfSend<u8> for T {}

#[test]
fn local_types_are_not_send_and_are_unpin_and_debug() {
    fn unpin_debug<T: Unpin + std::fmt::Debug>() {}
    <LocalSet as AmbiguousIfSend<_>>::check();
    <task::LocalJoinHandle<u8> as AmbiguousIfSend<_>>::check();
    <task::LocalEnterGuard<'static> as AmbiguousIfSend<_>>::check();
    unpin_debug::<LocalSet>();
    unpin_debug::<task::LocalJoinHandle<u8>>();
    unpin_debug::<task::LocalEnterGuard<'static>>();
    assert_eq!(
        format!("{:?}", LocalSet::new()),
        "LocalSet { finished: true, .. }"
    );
}

rt_test! {
    async fn a_run_until_future_that_spends_its_budget_does_not_starve_the_tasks() {
        let set = LocalSet::new();
        set.run_until(async {
            let done = spawn_local(async { 5 });
            for _ in 0..1_000 {
                // More than a whole budget each time: this future yields on every poll with
                // nothing left over.
                for _ in 0..200 {
                    task::consume_budget().await;
                }
                if done.is_finished() {
                    assert_eq!(done.await.unwrap(), 5);
                    return;
                }
            }
            panic!("the local task never ran");
        })
        .await;
    }
}

//! Allocation accounting with a counting global allocator: one allocation per spawn, none per
//! wake.
//!
//! The counters are per thread, so other tests and the harness do not disturb a measurement: a
//! window is synchronous code on one thread, between two reads of that thread's counter.

#[macro_use]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use conductor::task::{self, JoinHandle};
use support::{WakerSlot, with_timeout};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    // A const-initialised thread local without a destructor is always accessible; try_with
    // keeps the allocator from panicking regardless.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

/// Allocations made so far on this thread (`alloc`, `alloc_zeroed` and `realloc` each count).
fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract is `System`'s; the counting touches no allocator state.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const ROUNDS: usize = 100;

/// Spawns and joins many tasks from inside a task so that every queue and list the runtime keeps
/// has grown to its working size.
async fn warm_up() {
    let handles: Vec<JoinHandle<()>> = (0..1000)
        .map(|_| conductor::spawn(async { task::yield_now().await }))
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    for _ in 0..ROUNDS {
        conductor::spawn(async {}).await.unwrap();
        task::yield_now().await;
    }
}

/// Measures `spawn` from inside a task, each spawn joined before the next.
async fn spawn_costs() -> Vec<u64> {
    warm_up().await;
    let mut costs = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        let data = [i as u64; 8];
        let before = allocations();
        let handle = conductor::spawn(async move { data.iter().sum::<u64>() });
        let after = allocations();
        costs.push(after - before);
        assert_eq!(handle.await.unwrap(), 8 * i as u64);
    }
    costs
}

#[test]
fn spawn_from_a_task_costs_one_allocation_current_thread() {
    with_timeout(|| {
        let rt = support::current_thread();
        let costs = rt.block_on(async { conductor::spawn(spawn_costs()).await.unwrap() });
        assert!(
            costs.iter().all(|&c| c == 1),
            "allocations per spawn: {costs:?}"
        );
    });
}

/// The injector (crossbeam's `Injector`) allocates one block per 63 pushes, so a task pushed
/// there (a spawn from a task that `block_on`'s thread happens to run, a wake from a foreign
/// thread) costs that block amortised: allow at most one extra allocation per 32 operations.
const AMORTISED_EXTRA: u64 = ROUNDS as u64 / 32;

#[test]
fn spawn_from_a_task_costs_one_allocation_multi_thread() {
    with_timeout(|| {
        let rt = support::multi_thread(2);
        let costs = rt.block_on(async { conductor::spawn(spawn_costs()).await.unwrap() });
        let total: u64 = costs.iter().sum();
        assert!(
            costs.iter().all(|&c| c >= 1) && total <= ROUNDS as u64 + AMORTISED_EXTRA,
            "allocations per spawn: {costs:?}"
        );
    });
}

#[test]
fn a_batch_of_spawns_costs_one_allocation_each() {
    with_timeout(|| {
        let rt = support::current_thread();
        let cost = rt.block_on(async {
            conductor::spawn(async {
                warm_up().await;
                let mut handles = Vec::with_capacity(32);
                let before = allocations();
                for _ in 0..32 {
                    handles.push(conductor::spawn(async {}));
                }
                let after = allocations();
                for h in handles {
                    h.await.unwrap();
                }
                after - before
            })
            .await
            .unwrap()
        });
        assert_eq!(cost, 32, "allocations for 32 queued spawns");
    });
}

#[test]
fn spawn_run_and_join_round_trip_costs_one_allocation() {
    with_timeout(|| {
        let rt = support::current_thread();
        let costs = rt.block_on(async {
            conductor::spawn(async {
                warm_up().await;
                let mut costs = Vec::with_capacity(ROUNDS);
                for i in 0..ROUNDS {
                    let before = allocations();
                    let out = conductor::spawn(async move { i }).await.unwrap();
                    let after = allocations();
                    assert_eq!(out, i);
                    costs.push(after - before);
                }
                costs
            })
            .await
            .unwrap()
        });
        assert!(
            costs.iter().all(|&c| c == 1),
            "allocations per spawn + join: {costs:?}"
        );
    });
}

/// Wake costs measured inside a task on a current-thread runtime: `(wake_by_ref, wake of a
/// clone, the yield_now round that follows)` per round.
async fn wake_costs() -> Vec<(u64, u64, u64)> {
    warm_up().await;
    let slot = WakerSlot::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let target = {
        let (slot, polls) = (slot.clone(), polls.clone());
        conductor::spawn(futures::future::poll_fn(move |cx| {
            polls.fetch_add(1, Ordering::SeqCst);
            slot.store(cx.waker());
            Poll::<()>::Pending
        }))
    };
    while polls.load(Ordering::SeqCst) == 0 {
        task::yield_now().await;
    }
    let waker = slot.get().unwrap();
    for _ in 0..ROUNDS {
        waker.wake_by_ref();
        task::yield_now().await;
    }
    let mut costs = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let clone = waker.clone();
        let t0 = allocations();
        waker.wake_by_ref();
        let t1 = allocations();
        clone.wake();
        let t2 = allocations();
        task::yield_now().await;
        let t3 = allocations();
        costs.push((t1 - t0, t2 - t1, t3 - t2));
    }
    let polled = polls.load(Ordering::SeqCst);
    assert!(
        polled > ROUNDS,
        "the woken task was polled only {polled} times"
    );
    target.abort();
    assert!(target.await.unwrap_err().is_cancelled());
    costs
}

#[test]
fn waking_a_task_costs_no_allocation() {
    with_timeout(|| {
        let rt = support::current_thread();
        let costs = rt.block_on(async { conductor::spawn(wake_costs()).await.unwrap() });
        assert!(
            costs.iter().all(|&c| c == (0, 0, 0)),
            "allocations per (wake_by_ref, wake, yield round): {costs:?}"
        );
    });
}

#[test]
fn a_yield_now_round_costs_no_allocation() {
    with_timeout(|| {
        let rt = support::current_thread();
        let costs = rt.block_on(async {
            conductor::spawn(async {
                // Two peers yield too, so a round runs other tasks before this one again.
                let peers: Vec<JoinHandle<()>> = (0..2)
                    .map(|_| {
                        conductor::spawn(async {
                            for _ in 0..10 * ROUNDS {
                                task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                warm_up().await;
                let mut costs = Vec::with_capacity(ROUNDS);
                for _ in 0..ROUNDS {
                    let before = allocations();
                    task::yield_now().await;
                    costs.push(allocations() - before);
                }
                for p in peers {
                    p.abort();
                }
                costs
            })
            .await
            .unwrap()
        });
        assert!(
            costs.iter().all(|&c| c == 0),
            "allocations per yield_now round: {costs:?}"
        );
    });
}

#[test]
fn waking_from_another_thread_costs_no_allocation_on_that_thread() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let slot = WakerSlot::new();
        let polls = Arc::new(AtomicUsize::new(0));
        let target = {
            let (slot, polls) = (slot.clone(), polls.clone());
            rt.spawn(futures::future::poll_fn(move |cx| {
                polls.fetch_add(1, Ordering::SeqCst);
                slot.store(cx.waker());
                Poll::<()>::Pending
            }))
        };
        assert!(support::eventually(|| polls.load(Ordering::SeqCst) > 0));
        let waker = slot.get().unwrap();
        // Warm-up, then measure on this (non-runtime) thread.
        for _ in 0..ROUNDS {
            waker.wake_by_ref();
        }
        let mut costs = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let before = allocations();
            waker.wake_by_ref();
            costs.push(allocations() - before);
            std::thread::yield_now();
        }
        target.abort();
        assert!(rt.block_on(target).unwrap_err().is_cancelled());
        let total: u64 = costs.iter().sum();
        assert!(
            total <= AMORTISED_EXTRA,
            "allocations per remote wake: {costs:?}"
        );
    });
}

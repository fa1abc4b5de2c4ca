//! `OnceCell`: one initialization under concurrency, re-initialization after a cancelled or
//! failed initializer, `set` errors.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use conductor_sync::{OnceCell, SetError};
use support::{CountingWaker, multi_thread, poll};

#[test]
fn initializes_once_under_concurrency() {
    multi_thread(async {
        let cell = Arc::new(OnceCell::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let (cell, runs) = (cell.clone(), runs.clone());
                conductor::spawn(async move {
                    *cell
                        .get_or_init(|| async {
                            runs.fetch_add(1, SeqCst);
                            conductor::task::yield_now().await;
                            i
                        })
                        .await
                })
            })
            .collect();
        let mut seen = Vec::new();
        for h in handles {
            seen.push(h.await.unwrap());
        }
        assert_eq!(runs.load(SeqCst), 1, "the initializer ran once");
        assert!(
            seen.iter().all(|&v| v == seen[0]),
            "everyone saw the same value"
        );
        assert_eq!(cell.get(), Some(&seen[0]));
    });
}

#[test]
fn cancelled_initializer_lets_the_next_waiter_initialize() {
    let cell = OnceCell::new();
    let (wakes, waker) = CountingWaker::new();
    let mut first = Box::pin(cell.get_or_init(std::future::pending::<u32>));
    assert!(poll(first.as_mut(), &waker).is_pending());
    let mut second = pin!(cell.get_or_init(|| async { 2 }));
    assert!(
        poll(second.as_mut(), &waker).is_pending(),
        "waits for the first"
    );
    assert!(matches!(cell.set(9), Err(SetError::Initializing(9))));
    drop(first);
    assert_eq!(wakes.wakes(), 1, "the waiter is woken to take over");
    assert_eq!(poll(second.as_mut(), &waker), std::task::Poll::Ready(&2));
    assert_eq!(cell.get(), Some(&2));
}

#[test]
fn cancelled_initializer_on_a_runtime_then_init_once() {
    multi_thread(async {
        let cell = Arc::new(OnceCell::new());
        let started = Arc::new(AtomicUsize::new(0));
        let (c2, s2) = (cell.clone(), started.clone());
        let stuck = conductor::spawn(async move {
            *c2.get_or_init(|| async move {
                s2.fetch_add(1, SeqCst);
                std::future::pending::<u8>().await
            })
            .await
        });
        while started.load(SeqCst) == 0 {
            conductor::task::yield_now().await;
        }
        assert!(matches!(cell.set(0), Err(SetError::Initializing(0))));
        stuck.abort();
        assert!(stuck.await.is_err());
        assert_eq!(*cell.get_or_init(|| async { 7 }).await, 7);
    });
}

#[test]
fn failed_try_init_leaves_the_cell_empty() {
    futures::executor::block_on(async {
        let cell = OnceCell::new();
        assert_eq!(
            cell.get_or_try_init(|| async { Err::<u8, _>("no") }).await,
            Err("no")
        );
        assert!(!cell.initialized());
        assert_eq!(
            cell.get_or_try_init(|| async { Ok::<_, &str>(3) }).await,
            Ok(&3)
        );
        assert_eq!(
            cell.get_or_try_init(|| async { Ok::<_, &str>(4) }).await,
            Ok(&3)
        );
    });
}

#[test]
fn set_get_take_into_inner() {
    let mut cell = OnceCell::new();
    assert_eq!(cell.get(), None);
    assert_eq!(cell.set(1), Ok(()));
    assert_eq!(cell.set(2), Err(SetError::AlreadyInitialized(2)));
    *cell.get_mut().unwrap() += 10;
    assert_eq!(cell.take(), Some(11));
    assert!(!cell.initialized());
    assert_eq!(cell.set(5), Ok(()));
    assert_eq!(cell.clone().into_inner(), Some(5));
    assert_eq!(format!("{cell:?}"), "OnceCell { value: Some(5) }");
    static GLOBAL: OnceCell<u8> = OnceCell::const_new();
    assert_eq!(
        *futures::executor::block_on(GLOBAL.get_or_init(|| async { 8 })),
        8
    );
}

#[test]
fn value_is_dropped_with_the_cell() {
    let drops = Arc::new(AtomicUsize::new(0));
    struct D(Arc<AtomicUsize>);
    impl Drop for D {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let cell = OnceCell::new();
    assert!(cell.set(D(drops.clone())).is_ok());
    let rejected = cell.set(D(drops.clone())).unwrap_err();
    drop(rejected);
    assert_eq!(drops.load(SeqCst), 1);
    drop(cell);
    assert_eq!(drops.load(SeqCst), 2);
}

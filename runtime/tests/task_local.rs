//! `task_local!`: values scoped to a future, visible across polls on any thread, restored on
//! exit and on panic, dropped with their scope.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use conductor::runtime::Builder;

conductor::task_local! {
    static ID: u32;
    pub(crate) static NAME: String;
}

#[test]
fn value_follows_the_task_across_threads_and_polls() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut handles = Vec::new();
        for i in 0..50u32 {
            handles.push(conductor::spawn(ID.scope(i, async move {
                let mut seen = Vec::new();
                for _ in 0..10 {
                    conductor::task::yield_now().await;
                    seen.push(ID.get());
                }
                conductor::time::sleep(Duration::from_millis(1)).await;
                seen.push(ID.get());
                (i, seen)
            })));
        }
        for h in handles {
            let (i, seen) = h.await.unwrap();
            assert!(seen.iter().all(|&v| v == i), "task {i} saw {seen:?}");
        }
    });
}

#[test]
fn interleaved_tasks_on_one_thread_see_their_own_values() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let a = conductor::spawn(NAME.scope("a".to_owned(), async {
            let mut out = String::new();
            for _ in 0..3 {
                out.push_str(&NAME.get());
                conductor::task::yield_now().await;
            }
            out
        }));
        let b = conductor::spawn(NAME.scope("b".to_owned(), async {
            let mut out = String::new();
            for _ in 0..3 {
                out.push_str(&NAME.get());
                conductor::task::yield_now().await;
            }
            out
        }));
        assert_eq!(a.await.unwrap(), "aaa");
        assert_eq!(b.await.unwrap(), "bbb");
        // Outside both scopes nothing is set.
        assert!(NAME.try_with(|n| n.clone()).is_err());
    });
}

#[test]
fn scopes_nest_and_restore() {
    let out = ID.sync_scope(1, || {
        let inner = ID.sync_scope(2, || ID.get());
        (inner, ID.get())
    });
    assert_eq!(out, (2, 1));
    assert!(ID.try_with(|v| *v).is_err());
}

#[test]
fn value_restored_after_panic_in_scope() {
    let caught = std::panic::catch_unwind(|| ID.sync_scope(5, || panic!("boom")));
    assert!(caught.is_err());
    assert!(ID.try_with(|v| *v).is_err());
    ID.sync_scope(6, || {
        let caught = std::panic::catch_unwind(|| ID.sync_scope(7, || panic!("inner")));
        assert!(caught.is_err());
        assert_eq!(ID.get(), 6);
    });
}

#[test]
#[should_panic(expected = "task-local value not set")]
fn with_outside_scope_panics_with_message() {
    ID.with(|_| ());
}

struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

conductor::task_local! { static GUARD: DropCount; }

#[test]
fn value_and_future_dropped_exactly_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_current_thread().build().unwrap();
    // Completed scope.
    rt.block_on(GUARD.scope(DropCount(drops.clone()), async {}));
    assert_eq!(drops.load(SeqCst), 1);
    // Dropped before completion: the inner future is dropped inside the scope (it can read
    // the value in its destructor), then the value.
    struct ReadsOnDrop(Arc<AtomicUsize>);
    impl Drop for ReadsOnDrop {
        fn drop(&mut self) {
            if GUARD.try_with(|_| ()).is_ok() {
                self.0.fetch_add(100, SeqCst);
            }
        }
    }
    let marker = ReadsOnDrop(drops.clone());
    let fut = GUARD.scope(DropCount(drops.clone()), async move {
        let _m = marker;
        std::future::pending::<()>().await
    });
    let mut fut = Box::pin(fut);
    let waker = std::task::Waker::noop();
    let _ = fut
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker));
    drop(fut);
    assert_eq!(drops.load(SeqCst), 1 + 100 + 1);
}

use std::future::Future as _;

//! `Mutex`: exact counting under contention, FIFO hand-off, cancel safety, owned and mapped
//! guards, `blocking_lock`, on conductor and on `futures::executor`.

mod support;

use std::pin::pin;
use std::sync::Arc;

use conductor_sync::{Mutex, MutexGuard};
use support::{CountingWaker, multi_thread, poll};

#[test]
fn sixteen_tasks_contend_and_count_exactly() {
    const TASKS: u64 = 16;
    const ITERS: u64 = 1_000;
    let total = multi_thread(async {
        let m = Arc::new(Mutex::new(0u64));
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let m = m.clone();
                conductor::spawn(async move {
                    for _ in 0..ITERS {
                        let mut g = m.lock().await;
                        let v = *g;
                        // Hold the lock across a yield: another task trying now must wait.
                        if v % 7 == 0 {
                            conductor::task::yield_now().await;
                        }
                        *g = v + 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        *m.lock().await
    });
    assert_eq!(total, TASKS * ITERS);
}

#[test]
fn owned_guards_across_tasks_count_exactly() {
    let total = multi_thread(async {
        let m = Arc::new(Mutex::new(Vec::new()));
        let handles: Vec<_> = (0..16u32)
            .map(|i| {
                let m = m.clone();
                conductor::spawn(async move {
                    for j in 0..100 {
                        let mut g = m.clone().lock_owned().await;
                        g.push(i * 100 + j);
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        let mut v = std::mem::take(&mut *m.lock().await);
        v.sort_unstable();
        v
    });
    assert_eq!(total, (0..1600).collect::<Vec<_>>());
}

#[test]
fn unlock_hands_off_in_fifo_order_and_try_lock_does_not_barge() {
    let m = Mutex::new(0);
    let (wakes, waker) = CountingWaker::new();
    let g = m.try_lock().unwrap();
    let mut first = pin!(m.lock());
    let mut second = pin!(m.lock());
    assert!(poll(first.as_mut(), &waker).is_pending());
    assert!(poll(second.as_mut(), &waker).is_pending());
    drop(g);
    assert_eq!(wakes.wakes(), 1, "only the first waiter is woken");
    assert!(
        m.try_lock().is_err(),
        "the lock was handed to the first waiter"
    );
    assert!(poll(second.as_mut(), &waker).is_pending());
    let std::task::Poll::Ready(mut g1) = poll(first.as_mut(), &waker) else {
        panic!("first waiter not granted")
    };
    *g1 = 1;
    drop(g1);
    let std::task::Poll::Ready(g2) = poll(second.as_mut(), &waker) else {
        panic!("second waiter not granted")
    };
    assert_eq!(*g2, 1);
}

#[test]
fn dropping_a_granted_lock_future_unlocks() {
    let m = Mutex::new(());
    let (_w, waker) = CountingWaker::new();
    let g = m.try_lock().unwrap();
    let mut waiting = Box::pin(m.lock());
    let mut next = Box::pin(m.lock());
    assert!(poll(waiting.as_mut(), &waker).is_pending());
    assert!(poll(next.as_mut(), &waker).is_pending());
    drop(g); // granted to `waiting`
    drop(waiting); // never observed: passes to `next`
    assert!(poll(next.as_mut(), &waker).is_ready());
    drop(next);
    assert!(m.try_lock().is_ok(), "nothing left locked");
}

#[test]
fn map_get_mut_into_inner_and_debug() {
    let mut m = Mutex::new((1, String::from("a")));
    {
        let mut s = MutexGuard::map(m.try_lock().unwrap(), |p| &mut p.1);
        s.push('b');
        assert!(m.try_lock().is_err(), "the mapped guard keeps the lock");
        assert_eq!(format!("{m:?}"), "Mutex { data: <locked> }");
    }
    m.get_mut().0 = 2;
    assert_eq!(format!("{m:?}"), "Mutex { data: (2, \"ab\") }");
    assert_eq!(m.into_inner(), (2, String::from("ab")));
}

#[test]
fn map_closure_panic_unlocks() {
    let m = Mutex::new(1);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _g = MutexGuard::map(m.try_lock().unwrap(), |_| -> &mut i32 { panic!("boom") });
    }));
    assert!(r.is_err());
    assert!(m.try_lock().is_ok());
}

#[test]
fn blocking_lock_from_threads_with_a_task_holding_it() {
    multi_thread(async {
        let m = Arc::new(Mutex::new(0));
        let g = m.lock().await;
        let m2 = m.clone();
        let t = std::thread::spawn(move || {
            *m2.blocking_lock() += 1;
        });
        conductor::task::yield_now().await;
        drop(g);
        conductor::task::spawn_blocking(move || t.join().unwrap())
            .await
            .unwrap();
        assert_eq!(*m.lock().await, 1);
    });
}

#[test]
fn runtime_agnostic_futures_executor() {
    let m = Arc::new(Mutex::new(0u32));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                futures::executor::block_on(async {
                    for _ in 0..500 {
                        *m.lock().await += 1;
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*m.try_lock().unwrap(), 2000);
}

#[test]
fn guards_are_send_for_spawned_tasks() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_sync<T: Sync>() {}
    let m = Arc::new(Mutex::new(0));
    let g = m.clone().try_lock_owned().unwrap();
    assert_send(&g);
    assert_sync::<Mutex<std::cell::Cell<u8>>>();
    assert_sync::<MutexGuard<'static, u8>>();
}

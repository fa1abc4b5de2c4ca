//! `Barrier`: everyone waits for the group, exactly one leader per generation, reuse.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use conductor_sync::Barrier;
use support::{CountingWaker, multi_thread, poll};

#[test]
fn exactly_one_leader_per_generation_on_a_runtime() {
    const N: usize = 8;
    const GENERATIONS: usize = 50;
    multi_thread(async {
        let barrier = Arc::new(Barrier::new(N));
        let leaders = Arc::new(AtomicUsize::new(0));
        let passed = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..N)
            .map(|_| {
                let (barrier, leaders, passed) = (barrier.clone(), leaders.clone(), passed.clone());
                conductor::spawn(async move {
                    for generation in 0..GENERATIONS {
                        passed.fetch_add(1, SeqCst); // arrivals, counted before waiting
                        if barrier.wait().await.is_leader() {
                            leaders.fetch_add(1, SeqCst);
                        }
                        // No one leaves generation g before all N arrived at it.
                        assert!(passed.load(SeqCst) >= (generation + 1) * N);
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(leaders.load(SeqCst), GENERATIONS);
        assert_eq!(passed.load(SeqCst), GENERATIONS * N);
    });
}

#[test]
fn waiters_block_until_the_last_arrives() {
    let barrier = Barrier::new(3);
    let (wakes, waker) = CountingWaker::new();
    let mut a = pin!(barrier.wait());
    let mut b = pin!(barrier.wait());
    assert!(poll(a.as_mut(), &waker).is_pending());
    assert!(poll(b.as_mut(), &waker).is_pending());
    assert!(
        poll(a.as_mut(), &waker).is_pending(),
        "a re-poll does not arrive twice"
    );
    let mut c = pin!(barrier.wait());
    let std::task::Poll::Ready(rc) = poll(c.as_mut(), &waker) else {
        panic!("the last arrival passes at once")
    };
    assert!(rc.is_leader());
    assert_eq!(wakes.wakes(), 2);
    let std::task::Poll::Ready(ra) = poll(a.as_mut(), &waker) else {
        panic!()
    };
    let std::task::Poll::Ready(rb) = poll(b.as_mut(), &waker) else {
        panic!()
    };
    assert!(!ra.is_leader() && !rb.is_leader());
}

#[test]
fn zero_and_one_make_every_wait_a_leader() {
    futures::executor::block_on(async {
        assert!(Barrier::new(0).wait().await.is_leader());
        let one = Barrier::new(1);
        assert!(one.wait().await.is_leader());
        assert!(one.wait().await.is_leader());
    });
}

//! `conductor::time::sleep`: never early, many at once, dropped sleeps, outside a runtime.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use conductor::time::{self, Instant};
use support::{Flavor, run, with_timeout};

const FLAVORS: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

#[test]
fn no_sleep_completes_before_its_deadline() {
    for flavor in FLAVORS {
        run(flavor, || async {
            let mut handles = Vec::new();
            for i in 0..200u64 {
                handles.push(conductor::spawn(async move {
                    let d = Duration::from_micros(100 + i * 97 % 20_000);
                    let start = Instant::now();
                    time::sleep(d).await;
                    start.elapsed() >= d
                }));
            }
            for h in handles {
                assert!(h.await.unwrap(), "a sleep completed before its deadline");
            }
        });
    }
}

#[test]
fn ten_thousand_sleeps_all_complete() {
    for flavor in FLAVORS {
        run(flavor, || async {
            let done = Arc::new(AtomicUsize::new(0));
            let mut handles = Vec::with_capacity(10_000);
            // A fixed pseudo-random sequence of 1..200 ms.
            let mut x: u64 = 0x2545_f491_4f6c_dd1d;
            for _ in 0..10_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let d = Duration::from_millis(1 + x % 200);
                let done = done.clone();
                handles.push(conductor::spawn(async move {
                    let deadline = Instant::now() + d;
                    time::sleep_until(deadline).await;
                    assert!(Instant::now() >= deadline);
                    done.fetch_add(1, Ordering::Relaxed);
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
            assert_eq!(done.load(Ordering::Relaxed), 10_000);
        });
    }
}

#[test]
fn zero_and_past_deadlines_complete() {
    for flavor in FLAVORS {
        run(flavor, || async {
            time::sleep(Duration::ZERO).await;
            time::sleep_until(Instant::now() - Duration::from_millis(5)).await;
        });
    }
}

#[test]
fn duration_max_does_not_panic() {
    run(Flavor::CurrentThread, || async {
        let r = time::timeout(Duration::MAX, async { 5 }).await;
        assert_eq!(r, Ok(5));
        let s = time::sleep(Duration::MAX);
        assert!(s.deadline() > Instant::now());
    });
}

#[test]
fn a_dropped_sleep_never_wakes_its_task() {
    for flavor in FLAVORS {
        run(flavor, || async {
            struct CountWakes(Arc<AtomicUsize>);
            impl std::task::Wake for CountWakes {
                fn wake(self: Arc<Self>) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let wakes = Arc::new(AtomicUsize::new(0));
            let waker = std::task::Waker::from(Arc::new(CountWakes(wakes.clone())));
            {
                let mut s = Box::pin(time::sleep(Duration::from_millis(2)));
                assert!(
                    s.as_mut()
                        .poll(&mut Context::from_waker(&waker))
                        .is_pending()
                );
            }
            time::sleep(Duration::from_millis(10)).await;
            assert_eq!(wakes.load(Ordering::SeqCst), 0);
        });
    }
}

#[test]
fn reset_moves_the_deadline() {
    for flavor in FLAVORS {
        run(flavor, || async {
            let mut s = Box::pin(time::sleep(Duration::from_secs(3600)));
            let poll = std::future::poll_fn(|cx| Poll::Ready(s.as_mut().poll(cx))).await;
            assert!(poll.is_pending());
            let at = Instant::now() + Duration::from_millis(3);
            s.as_mut().reset(at);
            s.as_mut().await;
            assert!(Instant::now() >= at);
            assert!(s.is_elapsed());
        });
    }
}

#[test]
fn sleeps_wake_tasks_parked_on_other_threads() {
    // A sleep registered from a blocking thread while the runtime is idle must unpark the
    // driver (its deadline is earlier than the park deadline).
    run(Flavor::MultiThread, || async {
        conductor::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(5)))
            .await
            .unwrap();
        let start = Instant::now();
        conductor::spawn(async { time::sleep(Duration::from_millis(3)).await })
            .await
            .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(3));
    });
}

#[test]
#[should_panic(expected = "there is no conductor timer on this thread")]
fn sleep_outside_a_runtime_panics() {
    with_timeout(|| {
        drop(time::sleep(Duration::from_millis(1)));
    });
}

//! Tests of the futures against the crate's own small executor (`__doc::block_on`).

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use crate::__doc::block_on;
use crate::*;

struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting_waker() -> (Arc<Count>, Waker) {
    let c = Arc::new(Count(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

#[test]
fn sleep_is_never_early() {
    block_on(async {
        for ms in [0, 1, 2, 5] {
            let start = Instant::now();
            sleep(Duration::from_millis(ms)).await;
            assert!(start.elapsed() >= Duration::from_millis(ms));
        }
    });
}

#[test]
fn zero_sleep_yields_once() {
    block_on(async {
        let (count, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut s = pin!(sleep(Duration::ZERO));
        // The wheel's time starts at 0, so a deadline of "now" is due.
        crate::Handle::current()
            .inner
            .lock()
            .wheel
            .advance(u64::MAX / 2);
        assert!(s.as_mut().poll(&mut cx).is_pending());
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(s.as_mut().poll(&mut cx).is_ready());
    });
}

#[test]
fn sleep_is_smaller_than_tokios() {
    // tokio's `Sleep` is 112 bytes.
    assert!(
        std::mem::size_of::<Sleep>() <= 96,
        "{}",
        std::mem::size_of::<Sleep>()
    );
}

#[test]
fn dropped_sleep_never_wakes_and_unlinks() {
    let (mut driver, handle) = Driver::new(Waker::noop().clone());
    let _g = handle.enter();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    {
        let mut s = Box::pin(sleep(Duration::from_millis(1)));
        assert!(s.as_mut().poll(&mut cx).is_pending());
        assert_eq!(handle.registered(), 1);
    }
    assert_eq!(handle.registered(), 0);
    driver.process_at(std::time::Instant::now() + Duration::from_secs(1));
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
}

#[test]
fn unpolled_sleep_never_registers() {
    let (_driver, handle) = Driver::new(Waker::noop().clone());
    let _g = handle.enter();
    let s = sleep(Duration::from_millis(1));
    assert_eq!(handle.registered(), 0);
    drop(s);
}

#[test]
fn fires_once_and_reset_reregisters() {
    let (mut driver, handle) = Driver::new(Waker::noop().clone());
    let _g = handle.enter();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut s = Box::pin(sleep(Duration::from_millis(1)));
    assert!(s.as_mut().poll(&mut cx).is_pending());
    let later = std::time::Instant::now() + Duration::from_secs(1);
    driver.process_at(later);
    driver.process_at(later + Duration::from_secs(1));
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(s.as_mut().poll(&mut cx).is_ready());
    // Reset a fired sleep far ahead: registered again, not elapsed.
    s.as_mut()
        .reset(Instant::from_std(later) + Duration::from_secs(3600));
    assert_eq!(handle.registered(), 1);
    assert!(!s.is_elapsed());
    assert!(s.as_mut().poll(&mut cx).is_pending());
    drop(s);
    assert_eq!(handle.registered(), 0);
}

#[test]
fn duration_max_does_not_overflow() {
    block_on(async {
        let r = timeout(Duration::MAX, async { 3 }).await;
        assert_eq!(r, Ok(3));
        let mut s = pin!(sleep(Duration::MAX));
        let (_, waker) = counting_waker();
        assert!(
            s.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(sleep_until(
            Instant::now() + Duration::from_secs(86_400 * 365 * 100),
        ));
    });
}

#[test]
fn timeout_pending_and_ready() {
    block_on(async {
        let start = Instant::now();
        let r = timeout(Duration::from_millis(3), std::future::pending::<()>()).await;
        assert_eq!(r, Err(Elapsed::new()));
        assert!(start.elapsed() >= Duration::from_millis(3));
        assert_eq!(timeout(Duration::from_millis(3), async { 1 }).await, Ok(1));
    });
}

#[test]
fn interval_ticks_on_schedule() {
    block_on(async {
        let mut iv = interval(Duration::from_millis(2));
        let t0 = iv.tick().await;
        let t1 = iv.tick().await;
        let t2 = iv.tick().await;
        assert_eq!(t1 - t0, Duration::from_millis(2));
        assert_eq!(t2 - t1, Duration::from_millis(2));
    });
}

#[test]
#[should_panic(expected = "`period` passed to `interval`/`interval_at` must be non-zero")]
fn interval_zero_panics() {
    block_on(async {
        let _ = interval(Duration::ZERO);
    });
}

#[test]
#[should_panic(expected = "there is no conductor timer on this thread")]
fn sleep_outside_a_timer_panics() {
    drop(sleep(Duration::from_millis(1)));
}

#[test]
fn paused_time_auto_advances() {
    block_on(async {
        pause();
        let start = Instant::now();
        sleep(Duration::from_secs(3600)).await;
        assert!(Instant::now() - start >= Duration::from_secs(3600));
        advance(Duration::from_secs(10)).await;
        assert!(Instant::now() - start >= Duration::from_secs(3610));
        resume();
    });
}

#[test]
fn shutdown_wakes_and_then_stays_pending() {
    let (_driver, handle) = Driver::new(Waker::noop().clone());
    let _g = handle.enter();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut s = Box::pin(sleep(Duration::from_secs(10)));
    assert!(s.as_mut().poll(&mut cx).is_pending());
    handle.shutdown();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(handle.registered(), 0);
    assert!(s.as_mut().poll(&mut cx).is_pending());
    assert_eq!(handle.registered(), 0);
    drop(s);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
}

#[test]
fn many_sleeps_all_complete() {
    block_on(async {
        let (count, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut sleeps: Vec<_> = (0..2000u64)
            .map(|i| Box::pin(sleep(Duration::from_micros(1 + (i * 7919) % 20_000))))
            .collect();
        for s in &mut sleeps {
            assert!(s.as_mut().poll(&mut cx).is_pending());
        }
        // Each completes; poll them all to the end.
        for s in &mut sleeps {
            s.as_mut().await;
        }
        assert!(sleeps.iter().all(|s| s.is_elapsed()));
        drop(count);
    });
}

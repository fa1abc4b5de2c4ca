//! `conductor::time::timeout`: `Elapsed` on a pending future, the value on a ready one.

#[macro_use]
mod support;

use std::time::Duration;

use conductor::time::{self, Elapsed, Instant};
use support::{Flavor, run};

#[test]
fn pending_future_times_out() {
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        run(flavor, || async {
            let start = Instant::now();
            let r = time::timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
            let err: Elapsed = r.unwrap_err();
            assert_eq!(err.to_string(), "deadline has elapsed");
            assert!(start.elapsed() >= Duration::from_millis(5));
        });
    }
}

#[test]
fn ready_future_returns_its_value() {
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        run(flavor, || async {
            assert_eq!(
                time::timeout(Duration::from_millis(5), async { 7 }).await,
                Ok(7)
            );
            assert_eq!(time::timeout(Duration::ZERO, async { 8 }).await, Ok(8));
            let slow_ok = time::timeout(Duration::from_secs(5), async {
                time::sleep(Duration::from_millis(2)).await;
                9
            });
            assert_eq!(slow_ok.await, Ok(9));
        });
    }
}

#[test]
fn timeout_at_a_past_deadline() {
    run(Flavor::CurrentThread, || async {
        let past = Instant::now() - Duration::from_millis(1);
        assert!(
            time::timeout_at(past, std::future::pending::<()>())
                .await
                .is_err()
        );
        assert_eq!(time::timeout_at(past, async { 1 }).await, Ok(1));
    });
}

/// `timeout` stamps its start with the coarse clock and works the deadline out on the first
/// `Pending`: the deadline still counts from the call, not from that first poll.
#[test]
fn deadline_counts_from_the_call_when_the_first_poll_is_late() {
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        run(flavor, || async {
            // Never early: the first poll comes 30 ms after the call, the timeout is 60 ms.
            let start = std::time::Instant::now();
            let t = time::timeout(Duration::from_millis(60), std::future::pending::<()>());
            std::thread::sleep(Duration::from_millis(30));
            assert!(t.await.is_err());
            assert!(start.elapsed() >= Duration::from_millis(60));

            // Counted from the call: a 200 ms timeout first polled 300 ms after the call has
            // already expired (at most three coarse ticks, 30 ms, late), so it fires at once
            // rather than 200 ms after the first poll.
            let start = std::time::Instant::now();
            let t = time::timeout(Duration::from_millis(200), std::future::pending::<()>());
            std::thread::sleep(Duration::from_millis(300));
            assert!(t.await.is_err());
            let took = start.elapsed();
            assert!(took >= Duration::from_millis(300));
            assert!(
                took < Duration::from_millis(450),
                "fired {took:?} after the call"
            );
        });
    }
}

/// The same with the precise clock: `timeout_at` keeps its exact deadline, however late the
/// first poll, and paused time stamps the exact (paused) start.
#[test]
fn timeout_at_and_paused_time_keep_exact_deadlines() {
    run(Flavor::CurrentThread, || async {
        let deadline = Instant::now() + Duration::from_millis(40);
        let t = time::timeout_at(deadline, std::future::pending::<()>());
        std::thread::sleep(Duration::from_millis(10));
        assert!(t.await.is_err());
        assert!(Instant::now() >= deadline);

        time::pause();
        let start = Instant::now();
        let t = time::timeout(Duration::from_secs(3600), std::future::pending::<()>());
        time::advance(Duration::from_secs(1800)).await;
        assert!(t.await.is_err());
        assert_eq!(Instant::now() - start, Duration::from_secs(3600));
    });
}

/// Time paused after `timeout()` and before its first poll: the deadline stays `duration`
/// after the call (as when it was fixed at the call), whatever real time the first poll comes
/// at and however far paused time is advanced meanwhile.
#[test]
fn pausing_between_the_call_and_the_first_poll_keeps_the_deadline() {
    // Real work while paused: the timeout fires `duration` (within a coarse tick or three)
    // of paused time after the call, never sooner.
    run(Flavor::CurrentThread, || async {
        let start = Instant::now();
        let t = time::timeout(Duration::from_millis(500), std::future::pending::<()>());
        time::pause();
        std::thread::sleep(Duration::from_millis(200));
        assert!(t.await.is_err());
        let took = Instant::now() - start;
        assert!(took >= Duration::from_millis(500), "fired after {took:?}");
        assert!(took <= Duration::from_millis(600), "fired after {took:?}");
    });
    // Paused time advanced past the deadline before the first poll: it has expired.
    run(Flavor::CurrentThread, || async {
        let start = Instant::now();
        let t = time::timeout(Duration::from_secs(1), std::future::pending::<()>());
        time::pause();
        time::advance(Duration::from_secs(5)).await;
        assert!(t.await.is_err());
        // Five seconds, plus the real time between `start` and `pause()`: it fired at once.
        let took = Instant::now() - start;
        assert!(took >= Duration::from_secs(5), "fired after {took:?}");
        assert!(took < Duration::from_millis(5_100), "fired after {took:?}");
    });
}

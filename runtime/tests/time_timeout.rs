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

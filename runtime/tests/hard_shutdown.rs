//! Hardening, lifecycle of one runtime's end: `shutdown_timeout` with a blocking task that
//! does not end returns after the timeout, and `shutdown_background` returns at once, on both
//! flavors; the stuck closure is released afterwards so that the process ends clean.

#[macro_use]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{Flavor, Gate, runtime, spin_until, with_timeout};

/// Starts a blocking closure that waits for `release` (for far longer than any timeout
/// here), and returns once it is running.
fn stuck_blocking(rt: &conductor::runtime::Runtime, release: &Gate) -> Arc<AtomicBool> {
    let started = Arc::new(AtomicBool::new(false));
    let (s, r) = (started.clone(), release.clone());
    drop(rt.spawn_blocking(move || {
        s.store(true, Ordering::Release);
        r.wait_for(Duration::from_secs(60));
    }));
    assert!(spin_until(&started));
    started
}

#[test]
fn shutdown_timeout_returns_after_the_timeout_despite_a_stuck_blocking_task() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = runtime(flavor);
            let release = Gate::new();
            stuck_blocking(&rt, &release);
            let timeout = Duration::from_millis(100);
            let start = Instant::now();
            rt.shutdown_timeout(timeout);
            let took = start.elapsed();
            // Behaviour, not timing: it waited (at least the timeout) and did not wait for the
            // closure (which would take 60 s); the bound is the test's own timeout.
            assert!(took >= timeout, "{flavor:?}: returned early: {took:?}");
            assert!(!release.is_open());
            release.open();
        });
    }
}

#[test]
fn shutdown_background_returns_at_once_despite_a_stuck_blocking_task() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = runtime(flavor);
            let release = Gate::new();
            stuck_blocking(&rt, &release);
            rt.shutdown_background();
            // Returned while the closure is still blocked: it only ends when released.
            assert!(!release.is_open());
            release.open();
        });
    }
}

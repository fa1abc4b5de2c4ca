//! Paused time on the current-thread flavor: auto-advance when idle, `advance`, `resume`.

#[macro_use]
mod support;

use std::time::Duration;

use conductor::time::{self, Instant};
use support::{Flavor, run};

#[test]
fn an_hour_long_sleep_returns_at_once_when_paused() {
    run(Flavor::CurrentThread, || async {
        time::pause();
        let start = Instant::now();
        let real = std::time::Instant::now();
        time::sleep(Duration::from_secs(3600)).await;
        assert!(start.elapsed() >= Duration::from_secs(3600));
        // Behaviour, not timing: far less than an hour of real time passed.
        assert!(real.elapsed() < Duration::from_secs(3600));
    });
}

#[test]
fn timers_fire_in_deadline_order_when_auto_advancing() {
    run(Flavor::CurrentThread, || async {
        time::pause();
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for secs in [30u64, 10, 20] {
            let order = order.clone();
            handles.push(conductor::spawn(async move {
                time::sleep(Duration::from_secs(secs)).await;
                order.lock().unwrap().push(secs);
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![10, 20, 30]);
    });
}

#[test]
fn advance_fires_due_timers_only() {
    run(Flavor::CurrentThread, || async {
        time::pause();
        let start = Instant::now();
        let h = conductor::spawn(async { time::sleep(Duration::from_secs(10)).await });
        conductor::task::yield_now().await; // let it register
        time::advance(Duration::from_secs(5)).await;
        assert!(!h.is_finished());
        assert_eq!(Instant::now() - start, Duration::from_secs(5));
        time::advance(Duration::from_secs(5)).await;
        h.await.unwrap();
        time::resume();
        assert!(Instant::now() >= start + Duration::from_secs(10));
    });
}

#[test]
fn timeout_on_paused_time() {
    run(Flavor::CurrentThread, || async {
        time::pause();
        let r = time::timeout(Duration::from_secs(60), std::future::pending::<()>()).await;
        assert!(r.is_err());
    });
}

#[test]
#[should_panic(expected = "time is already paused")]
fn pausing_twice_panics() {
    support::with_timeout(|| {
        support::current_thread().block_on(async {
            time::pause();
            time::pause();
        })
    });
}

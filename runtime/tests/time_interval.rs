//! `conductor::time::interval` and its three missed-tick behaviours, on paused time so the
//! schedule is exact.

#[macro_use]
mod support;

use std::time::Duration;

use conductor::time::{self, Instant, MissedTickBehavior};
use support::{Flavor, run, with_timeout};

const P: Duration = Duration::from_millis(10);

/// Ticks after the first, relative to `start`, when the task is 35 ms late after tick 1.
async fn late_ticks(behavior: MissedTickBehavior) -> Vec<Duration> {
    time::pause();
    let start = Instant::now();
    let mut iv = time::interval(P);
    iv.set_missed_tick_behavior(behavior);
    assert_eq!(iv.tick().await, start);
    time::advance(Duration::from_millis(35)).await;
    let mut out = Vec::new();
    for _ in 0..4 {
        out.push(iv.tick().await - start);
    }
    out
}

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|&m| Duration::from_millis(m)).collect()
}

#[test]
fn burst_fires_missed_ticks_back_to_back() {
    run(Flavor::CurrentThread, || async {
        // Scheduled 10, 20, 30 are all past at 35: they fire at once, then 40 on schedule.
        assert_eq!(
            late_ticks(MissedTickBehavior::Burst).await,
            ms(&[10, 20, 30, 40])
        );
    });
}

#[test]
fn delay_restarts_the_schedule_from_now() {
    run(Flavor::CurrentThread, || async {
        // Tick at 10 (reported late, at 35), then every 10 from 35.
        assert_eq!(
            late_ticks(MissedTickBehavior::Delay).await,
            ms(&[10, 45, 55, 65])
        );
    });
}

#[test]
fn skip_drops_missed_ticks() {
    run(Flavor::CurrentThread, || async {
        // Tick at 10 (late), then the next multiple of 10 after 35: 40, 50, 60.
        assert_eq!(
            late_ticks(MissedTickBehavior::Skip).await,
            ms(&[10, 40, 50, 60])
        );
    });
}

#[test]
fn interval_is_a_stream_and_ticks_on_real_time() {
    run(Flavor::MultiThread, || async {
        use futures::StreamExt;
        let start = Instant::now();
        let iv = time::interval(Duration::from_millis(2));
        let ticks: Vec<Instant> = iv.take(3).collect().await;
        assert!(ticks[0] >= start);
        assert_eq!(ticks[2] - ticks[0], Duration::from_millis(4));
        assert!(Instant::now() >= ticks[2]);
    });
}

#[test]
fn reset_restarts_from_now() {
    run(Flavor::CurrentThread, || async {
        time::pause();
        let mut iv = time::interval(P);
        iv.tick().await;
        time::advance(Duration::from_millis(3)).await;
        iv.reset();
        let at = Instant::now();
        assert_eq!(iv.tick().await, at + P);
    });
}

#[test]
#[should_panic(expected = "`period` passed to `interval`/`interval_at` must be non-zero")]
fn zero_period_panics() {
    with_timeout(|| {
        support::current_thread().block_on(async {
            let _ = time::interval(Duration::ZERO);
        })
    });
}

//! A process-wide coarse clock in milliseconds, for task ages.
//!
//! Reading `Instant::now()` on every spawn would cost the hot path a clock read; instead a
//! spawn copies this value (one relaxed load). The clock is refreshed where a thread already
//! pays for a pause: whenever a thread comes back from parking (`Parker::park` on its condvar,
//! `Driver::park`, which a busy worker also calls every `event_interval` ticks with a zero
//! timeout when it gets the driver), when a runtime is built, and by every task dump. A task
//! spawned while nobody refreshed the clock for a while is dated a little early, so its age is
//! overstated by at most that while: fine for "which task has been around for seconds", which
//! is what the dump is for. (The blocking detector's monitor thread, which ticks every few
//! milliseconds while workers are busy, is the natural place for one more refresh.)
//!
//! Milliseconds in a `u32` wrap after about 49 days; ages are computed with wrapping
//! subtraction, so only a task older than that would show a wrong age.

use std::sync::OnceLock;
// A plain std atomic even under loom: the clock is a statistic, not a protocol.
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::{Duration, Instant};

static EPOCH: OnceLock<Instant> = OnceLock::new();
static NOW_MS: AtomicU32 = AtomicU32::new(0);

/// The last refreshed value. Relaxed: a stale value only makes an age a little larger.
#[inline]
pub(crate) fn coarse_now_ms() -> u32 {
    NOW_MS.load(Relaxed)
}

/// Reads the real clock into the coarse one and returns the new value.
pub(crate) fn refresh() -> u32 {
    let epoch = *EPOCH.get_or_init(Instant::now);
    // Truncating to u32 is the documented wrap (see the module docs).
    let now = epoch.elapsed().as_millis() as u32;
    // `fetch_max` would refuse the wrap; a plain store may briefly move the clock back by a
    // few milliseconds when two threads refresh at once, which an age shrugs off.
    NOW_MS.store(now, Relaxed);
    now
}

/// The time between `spawned_ms` and `now_ms`.
pub(crate) fn age(spawned_ms: u32, now_ms: u32) -> Duration {
    // A refresh racing the spawn's read can put `spawned_ms` a little after `now_ms`:
    // a difference past half the range is such a race, not a 25-day-old task.
    let diff = now_ms.wrapping_sub(spawned_ms);
    if diff > u32::MAX / 2 {
        Duration::ZERO
    } else {
        Duration::from_millis(u64::from(diff))
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn age_handles_wrap_and_races() {
        assert_eq!(age(10, 25), Duration::from_millis(15));
        assert_eq!(age(u32::MAX - 4, 5), Duration::from_millis(10));
        assert_eq!(age(30, 25), Duration::ZERO);
    }

    #[test]
    fn refresh_moves_forward() {
        let a = refresh();
        std::thread::sleep(Duration::from_millis(5));
        let b = refresh();
        // `sleep` waits at least its argument, and the clock is monotonic.
        assert!(age(a, b) >= Duration::from_millis(5), "{a} then {b}");
    }
}

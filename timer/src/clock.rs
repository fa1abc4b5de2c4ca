//! The clock: real time, or a manual clock once paused (`pause`/`advance`/`resume`), and the
//! conversion between `Instant`s and the wheel's nanoseconds.

use std::time::{Duration, Instant as StdInstant};

use crate::sync::{AtomicBool, Mutex, Ordering};

/// A timer's clock. Until the first `pause` it is `std::time::Instant::now()`; from then on
/// it is `base + (time since unfrozen, if running)`, so pausing freezes it, advancing moves
/// `base`, and resuming lets it run again from where it stood (never backwards).
#[derive(Debug)]
pub(crate) struct Clock {
    /// Nanosecond 0 of the wheel.
    origin: StdInstant,
    /// Set by the first `pause` and never cleared: `manual` then holds the time.
    manual_mode: AtomicBool,
    manual: Mutex<Manual>,
}

#[derive(Debug)]
struct Manual {
    base: StdInstant,
    /// `Some(t)`: running since real time `t`; `None`: paused.
    unfrozen: Option<StdInstant>,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        let now = StdInstant::now();
        Clock {
            origin: now,
            manual_mode: AtomicBool::new(false),
            manual: Mutex::new(Manual {
                base: now,
                unfrozen: Some(now),
            }),
        }
    }

    pub(crate) fn now(&self) -> StdInstant {
        // Relaxed would do for the flag alone; Acquire pairs with `pause`'s Release so a
        // thread that sees manual mode also sees the frozen base (it takes the lock anyway).
        if !self.manual_mode.load(Ordering::Acquire) {
            return StdInstant::now();
        }
        let m = self.manual.lock();
        match m.unfrozen {
            Some(since) => m.base + since.elapsed(),
            None => m.base,
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.manual_mode.load(Ordering::Acquire) && self.manual.lock().unfrozen.is_none()
    }

    /// Freezes the clock; `false` if it already was.
    pub(crate) fn pause(&self) -> bool {
        let mut m = self.manual.lock();
        let Some(since) = m.unfrozen else {
            return false;
        };
        if self.manual_mode.load(Ordering::Acquire) {
            m.base += since.elapsed();
        } else {
            m.base = StdInstant::now();
        }
        m.unfrozen = None;
        self.manual_mode.store(true, Ordering::Release);
        true
    }

    /// Lets a paused clock run again; `false` if it was not paused.
    pub(crate) fn resume(&self) -> bool {
        let mut m = self.manual.lock();
        if !self.manual_mode.load(Ordering::Acquire) || m.unfrozen.is_some() {
            return false;
        }
        m.unfrozen = Some(StdInstant::now());
        true
    }

    /// Moves a manual clock forward by `by` (a no-op in real-time mode).
    pub(crate) fn advance(&self, by: Duration) {
        let mut m = self.manual.lock();
        m.base = m.base.checked_add(by).unwrap_or(m.base);
    }

    /// Moves a paused clock forward to `to` if that is later.
    pub(crate) fn advance_to(&self, to: StdInstant) {
        let mut m = self.manual.lock();
        if m.unfrozen.is_none() && to > m.base {
            m.base = to;
        }
    }

    /// `t` as wheel nanoseconds: saturating at 0 (before the origin) and `u64::MAX`.
    pub(crate) fn instant_to_ns(&self, t: StdInstant) -> u64 {
        let ns = t.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(ns).unwrap_or(u64::MAX)
    }

    /// Wheel nanoseconds back to an `Instant` (saturating far in the future).
    pub(crate) fn ns_to_instant(&self, ns: u64) -> StdInstant {
        self.origin
            .checked_add(Duration::from_nanos(ns))
            .unwrap_or_else(|| crate::instant::far_future(self.origin))
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn pause_advance_resume_never_goes_back() {
        let clock = Clock::new();
        assert!(clock.pause());
        assert!(!clock.pause());
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(3600));
        assert_eq!(clock.now(), t0 + Duration::from_secs(3600));
        assert!(clock.resume());
        assert!(!clock.resume());
        assert!(clock.now() >= t0 + Duration::from_secs(3600));
    }

    #[test]
    fn ns_round_trip_saturates() {
        let clock = Clock::new();
        let t = clock.now() + Duration::from_millis(5);
        assert_eq!(clock.ns_to_instant(clock.instant_to_ns(t)), t);
        assert_eq!(
            clock.instant_to_ns(
                clock
                    .origin
                    .checked_sub(Duration::from_secs(1))
                    .unwrap_or(clock.origin)
            ),
            0
        );
        let _ = clock.ns_to_instant(u64::MAX);
    }
}

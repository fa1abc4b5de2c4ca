//! The clock: real time, or a manual clock once paused (`pause`/`advance`/`resume`), and the
//! conversion between `Instant`s and the wheel's nanoseconds.

use std::time::{Duration, Instant as StdInstant};

use crate::monotonic;
use crate::sync::{AtomicBool, Mutex, OnceLock, Ordering};

/// About 30 years in ns: what deadlines that would overflow saturate to (see
/// `instant::far_future`).
const FAR_FUTURE_NS: u64 = 86_400 * 365 * 30 * 1_000_000_000;

/// `d` in ns, saturating at `u64::MAX` (about 584 years).
pub(crate) fn duration_ns(d: Duration) -> u64 {
    d.as_secs()
        .checked_mul(1_000_000_000)
        .and_then(|ns| ns.checked_add(u64::from(d.subsec_nanos())))
        .unwrap_or(u64::MAX)
}

/// When a [`Timeout`](crate::Timeout) started, read as cheaply as the clock allows; see
/// [`Clock::stamp`]. Both forms are absolute (not relative to one timer's origin), so a
/// `Timeout` made under one runtime and first polled under another keeps its deadline.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stamp {
    /// `CLOCK_MONOTONIC_COARSE` in ns: behind the true start by less than `coarse_slack`.
    Coarse(u64),
    /// The exact start (manual time, or no coarse clock on this platform), as signed ns
    /// from the process-wide [`anchor`]. (Not an `Instant`: `Option<Stamp>` then has the
    /// layout of a tag and a word, which `timeout`'s ready path reads back without a
    /// store-forwarding stall; with an `Instant` inside it cost 50% more.)
    Exact(i64),
}

/// A fixed `Instant` every exact stamp is measured from, so stamps from different timers
/// compare. Set by the first `Clock`.
static ANCHOR: OnceLock<StdInstant> = OnceLock::new();

fn anchor() -> StdInstant {
    *ANCHOR.get_or_init(StdInstant::now)
}

/// `at` as signed ns from the anchor, saturating at about ±292 years.
fn to_anchor_ns(at: StdInstant) -> i64 {
    let anchor = anchor();
    match at.checked_duration_since(anchor) {
        Some(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        None => i64::try_from(anchor.duration_since(at).as_nanos()).map_or(i64::MIN, |ns| -ns),
    }
}

/// Signed ns from the anchor back to an `Instant` (saturating where `Instant` cannot go).
fn from_anchor_ns(ns: i64) -> StdInstant {
    let anchor = anchor();
    let offset = Duration::from_nanos(ns.unsigned_abs());
    if ns >= 0 {
        anchor
            .checked_add(offset)
            .unwrap_or_else(|| crate::instant::far_future(anchor))
    } else {
        anchor.checked_sub(offset).unwrap_or(anchor)
    }
}

/// How many coarse ticks the coarse clock is assumed to lag the precise one by, at most. One
/// tick is the nominal lag; a tick delivered late (interrupts off, a busy VM host) adds to
/// it, and up to 1.35 ticks was seen on the 2-core VM these benchmarks run on.
const COARSE_SLACK_TICKS: u64 = 3;

/// The most the raw origin read and the `Instant` origin read may be apart; `Clock::new`
/// reads again if a preemption split them further.
const ORIGIN_READ_GAP_NS: u64 = 20_000;

/// A timer's clock. Until the first `pause` it is `std::time::Instant::now()`; from then on
/// it is `base + (time since unfrozen, if running)`, so pausing freezes it, advancing moves
/// `base`, and resuming lets it run again from where it stood (never backwards).
#[derive(Debug)]
pub(crate) struct Clock {
    /// Nanosecond 0 of the wheel.
    origin: StdInstant,
    /// `origin` in raw `CLOCK_MONOTONIC` ns (the clock std's `Instant` reads on Linux), read
    /// just *before* `origin`, so it is at most `origin`: a raw reading minus this is at least
    /// the wheel ns `Instant` arithmetic would give, by the time between the two reads (under
    /// `ORIGIN_READ_GAP_NS`). Deadlines computed from raw readings are late by that, never
    /// early. `None` where there is no raw clock.
    origin_raw: Option<u64>,
    /// `COARSE_SLACK_TICKS` coarse ticks, in ns: the most the coarse clock is taken to lag the
    /// precise one. `None` where there is no coarse clock.
    coarse_slack: Option<u64>,
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
        anchor();
        let (origin_raw, now) = Self::read_origin();
        let coarse_slack = match (origin_raw, monotonic::coarse_ns()) {
            (Some(_), Some(_)) => {
                monotonic::coarse_resolution_ns().map(|tick| tick * COARSE_SLACK_TICKS)
            }
            _ => None,
        };
        Clock {
            origin: now,
            origin_raw,
            coarse_slack,
            manual_mode: AtomicBool::new(false),
            manual: Mutex::new(Manual {
                base: now,
                unfrozen: Some(now),
            }),
        }
    }

    /// The origin as an `Instant` and, where there is one, as a raw reading taken just
    /// before it: bracketed by a second raw reading, and read again (a few times at most) if a
    /// preemption put more than `ORIGIN_READ_GAP_NS` between them. Without a tight pair there
    /// is no raw path (every reading goes through `Instant`).
    fn read_origin() -> (Option<u64>, StdInstant) {
        for _ in 0..8 {
            let Some(before) = monotonic::precise_ns() else {
                break;
            };
            let origin = StdInstant::now();
            let after = monotonic::precise_ns().unwrap_or(u64::MAX);
            if after.saturating_sub(before) <= ORIGIN_READ_GAP_NS {
                return (Some(before), origin);
            }
        }
        (None, StdInstant::now())
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

    /// Now in wheel ns: a raw clock read in real-time mode (what `sleep` uses: one
    /// `clock_gettime` and a subtraction), else `instant_to_ns(now())`.
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        // Acquire: as in `now`.
        if !self.manual_mode.load(Ordering::Acquire) {
            if let (Some(origin), Some(raw)) = (self.origin_raw, monotonic::precise_ns()) {
                return raw.saturating_sub(origin);
            }
        }
        self.instant_to_ns(self.now())
    }

    /// The wheel deadline `d` from now, saturating about 30 years ahead.
    #[inline]
    pub(crate) fn deadline_after(&self, d: Duration) -> u64 {
        deadline_from(self.now_ns(), d)
    }

    /// A cheap reading of "now" for a deadline that may never be needed: `timeout` stamps
    /// its start with this and only works out the deadline ([`Clock::deadline_since`]) if the
    /// future it wraps returns `Pending`. In real-time mode it is the coarse clock (about a
    /// third of the price of the precise one); otherwise the exact time.
    #[inline]
    pub(crate) fn stamp(&self) -> Stamp {
        // Acquire: as in `now`.
        if self.coarse_slack.is_some() && !self.manual_mode.load(Ordering::Acquire) {
            if let Some(c) = monotonic::coarse_ns() {
                return Stamp::Coarse(c);
            }
        }
        Stamp::Exact(to_anchor_ns(self.now()))
    }

    /// The wheel deadline `d` after the moment `stamp` was taken: never before it, and at
    /// most `coarse_slack` after it.
    ///
    /// A coarse reading `c0` is never ahead of the true time `t0` and lags it by less than
    /// `slack`, so `c0 + slack` is an upper bound of `t0`; so is "now". The start is the
    /// smaller of the two: "now" when the `Timeout` is polled at once (the usual
    /// `timeout(d, f).await`: exact to the ns it took), `c0 + slack` when its first poll comes
    /// later. In manual mode (time paused since the stamp) "now" is on another timeline, and
    /// the start is `c0 + slack`, as if the deadline had been fixed at the call.
    pub(crate) fn deadline_since(&self, stamp: Stamp, d: Duration) -> u64 {
        let start = match stamp {
            Stamp::Exact(at) => self.instant_to_ns(from_anchor_ns(at)),
            Stamp::Coarse(c0) => match (self.origin_raw, self.coarse_slack) {
                (Some(origin), Some(slack)) => {
                    // Saturating at 0: a stamp older than this timer counts from its origin,
                    // which is later, never earlier.
                    let latest = c0.saturating_add(slack).saturating_sub(origin);
                    // Acquire: as in `now`.
                    if self.manual_mode.load(Ordering::Acquire) {
                        latest
                    } else {
                        latest.min(self.now_ns())
                    }
                }
                // Only a timer without a raw clock, polling a stamp made by one with: now is
                // an upper bound of the start.
                _ => self.now_ns(),
            },
        };
        deadline_from(start, d)
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

/// `start + d` in wheel ns, saturating about 30 years after `start`.
fn deadline_from(start: u64, d: Duration) -> u64 {
    match start.checked_add(duration_ns(d)) {
        Some(when) => when,
        None => start.saturating_add(FAR_FUTURE_NS),
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

#[cfg(all(test, target_os = "linux", not(conductor_loom)))]
mod stamp_tests {
    use super::*;

    const D: Duration = Duration::from_millis(50);

    #[test]
    fn a_coarse_stamp_is_never_early_and_at_most_its_slack_late() {
        let clock = Clock::new();
        let slack = clock.coarse_slack.expect("Linux has a coarse clock");
        for gap_us in [0u64, 0, 0, 50, 500, 3_000, 12_000, 30_000] {
            let before = clock.now_ns();
            let stamp = clock.stamp();
            let after = clock.now_ns();
            assert!(matches!(stamp, Stamp::Coarse(_)));
            std::thread::sleep(Duration::from_micros(gap_us));
            let when = clock.deadline_since(stamp, D);
            // `before <= t0 <= after` for the true start `t0`.
            assert!(when >= before + duration_ns(D), "early, gap {gap_us} us");
            assert!(
                when <= after + duration_ns(D) + slack,
                "{} ns late, gap {gap_us} us",
                when - after - duration_ns(D)
            );
        }
    }

    #[test]
    fn paused_time_stamps_exactly() {
        let clock = Clock::new();
        clock.pause();
        let start = clock.now();
        let stamp = clock.stamp();
        assert!(matches!(stamp, Stamp::Exact(s) if from_anchor_ns(s) == start));
        clock.advance(Duration::from_secs(5));
        assert_eq!(
            clock.deadline_since(stamp, D),
            clock.instant_to_ns(start) + duration_ns(D)
        );
    }

    /// Time paused between the stamp and the first `Pending`: the deadline is still `D`
    /// after the call on the shared timeline (real time up to the pause), not "now" in paused
    /// time minus real time since the call (two timelines mixed).
    #[test]
    fn a_pause_between_stamp_and_first_poll_keeps_the_call_time() {
        let clock = Clock::new();
        let slack = clock.coarse_slack.unwrap();
        let before = clock.now_ns();
        let stamp = clock.stamp();
        let after = clock.now_ns();
        clock.pause();
        std::thread::sleep(Duration::from_millis(30)); // real time passes, paused time not
        let when = clock.deadline_since(stamp, D);
        assert!(when >= before + duration_ns(D));
        assert!(when <= after + duration_ns(D) + slack);
        clock.advance(Duration::from_secs(5)); // paused time jumps past it
        assert_eq!(clock.deadline_since(stamp, D), when);
    }

    /// A stamp made by one timer and resolved by another (a `Timeout` made under one runtime
    /// and first polled under another) keeps its deadline: stamps are absolute.
    #[test]
    fn a_stamp_resolved_by_another_clock_keeps_its_deadline() {
        let a = Clock::new();
        std::thread::sleep(Duration::from_millis(20));
        let b = Clock::new();
        // Coarse, from a real-time clock.
        let before = StdInstant::now();
        let stamp = a.stamp();
        let when = b.deadline_since(stamp, D);
        let at = b.ns_to_instant(when);
        assert!(at >= before + D);
        assert!(at <= StdInstant::now() + D + Duration::from_nanos(b.coarse_slack.unwrap()));
        // Exact, from a paused clock: the same instant in either clock's wheel ns.
        a.pause();
        let start = a.now();
        let when = b.deadline_since(a.stamp(), D);
        assert_eq!(b.ns_to_instant(when), start + D);
    }

    #[test]
    fn raw_and_instant_readings_agree() {
        let clock = Clock::new();
        for _ in 0..1_000 {
            let a = clock.instant_to_ns(StdInstant::now());
            let raw = clock.now_ns();
            let b = clock.instant_to_ns(StdInstant::now());
            // Raw ns run at most a few µs (the two origin reads) ahead, never behind.
            assert!(raw >= a, "raw {raw} behind {a}");
            assert!(raw <= b + 50_000, "raw {raw} far ahead of {b}");
        }
    }

    #[test]
    fn overflowing_deadlines_saturate_about_thirty_years_ahead() {
        let clock = Clock::new();
        let now = clock.now_ns();
        let when = clock.deadline_after(Duration::MAX);
        assert!(when >= now + FAR_FUTURE_NS && when < now + FAR_FUTURE_NS + 1_000_000_000);
        assert_eq!(duration_ns(Duration::from_nanos(1_500)), 1_500);
        assert_eq!(duration_ns(Duration::MAX), u64::MAX);
    }
}

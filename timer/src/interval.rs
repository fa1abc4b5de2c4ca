//! [`Interval`], [`interval`], [`interval_at`] and [`MissedTickBehavior`].

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use crate::error;
use crate::instant::Instant;
use crate::sleep::{Sleep, sleep_until};

/// Ticks later than this past their deadline count as missed (tokio's threshold): the
/// [`MissedTickBehavior`] then decides the next deadline.
const MISSED_THRESHOLD: Duration = Duration::from_millis(5);

/// Ticks every `period`, starting now: the first tick completes at once.
///
/// # Panics
///
/// When `period` is zero, or outside a conductor runtime.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
///
/// let mut iv = conductor_timer::interval(Duration::from_millis(2));
/// let first = iv.tick().await;
/// let second = iv.tick().await;
/// assert_eq!(second - first, Duration::from_millis(2));
/// # });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "{}", error::INTERVAL_ZERO);
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// When `period` is zero, or outside a conductor runtime.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
/// use conductor_timer::{Instant, interval_at};
///
/// let start = Instant::now() + Duration::from_millis(3);
/// let mut iv = interval_at(start, Duration::from_millis(2));
/// assert_eq!(iv.tick().await, start);
/// # });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "{}", error::INTERVAL_ZERO);
    Interval {
        delay: Box::pin(sleep_until(start)),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when ticks were missed (the task did not call `tick` in time).
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use conductor_timer::{MissedTickBehavior, interval};
///
/// let mut iv = interval(std::time::Duration::from_millis(10));
/// iv.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Skip);
/// # });
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks back to back until caught up, keeping the original schedule
    /// (`start + n * period`).
    #[default]
    Burst,
    /// Start a new schedule from now: the next tick is `period` after the late one.
    Delay,
    /// Drop the missed ticks: the next tick is the next multiple of `period` on the original
    /// schedule that is after now.
    Skip,
}

impl MissedTickBehavior {
    fn next_timeout(self, timeout: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => timeout.saturating_add(period),
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let late = now.duration_since(timeout).as_nanos();
                let period_ns = period.as_nanos();
                let rem = Duration::from_nanos((late % period_ns) as u64);
                now.saturating_add(period - rem)
            }
        }
    }
}

/// A stream of ticks `period` apart; see [`interval`]. Also a [`futures_core::Stream`].
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// let mut iv = conductor_timer::interval(std::time::Duration::from_millis(1));
/// for _ in 0..3 {
///     iv.tick().await;
/// }
/// # });
/// ```
pub struct Interval {
    delay: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Completes at the next tick, returning its scheduled instant.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let mut iv = conductor_timer::interval(std::time::Duration::from_millis(1));
    /// let _at: conductor_timer::Instant = iv.tick().await;
    /// # });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; the waker is woken when it is due.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let mut iv = conductor_timer::interval(std::time::Duration::from_millis(1));
    /// let _ = std::future::poll_fn(|cx| iv.poll_tick(cx)).await;
    /// # });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(self.delay.as_mut().poll(cx));
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout.saturating_add(MISSED_THRESHOLD) {
            self.missed_tick_behavior
                .next_timeout(timeout, now, self.period)
        } else {
            timeout.saturating_add(self.period)
        };
        self.delay.as_mut().reset(next);
        Poll::Ready(timeout)
    }

    /// Restarts the schedule: the next tick is `period` from now.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let mut iv = conductor_timer::interval(std::time::Duration::from_millis(1));
    /// iv.reset();
    /// iv.tick().await;
    /// # });
    /// ```
    pub fn reset(&mut self) {
        let next = Instant::now().saturating_add(self.period);
        self.delay.as_mut().reset(next);
    }

    /// The [`MissedTickBehavior`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let iv = conductor_timer::interval(std::time::Duration::from_millis(1));
    /// assert_eq!(iv.missed_tick_behavior(), conductor_timer::MissedTickBehavior::Burst);
    /// # });
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets the [`MissedTickBehavior`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let mut iv = conductor_timer::interval(std::time::Duration::from_millis(1));
    /// iv.set_missed_tick_behavior(conductor_timer::MissedTickBehavior::Delay);
    /// # });
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let iv = conductor_timer::interval(std::time::Duration::from_millis(4));
    /// assert_eq!(iv.period(), std::time::Duration::from_millis(4));
    /// # });
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("period", &self.period)
            .field("missed_tick_behavior", &self.missed_tick_behavior)
            .field("next", &self.delay.deadline())
            .finish()
    }
}

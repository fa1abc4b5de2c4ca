//! [`Instant`]: a thin wrapper over `std::time::Instant` that reads the timer's clock, so
//! that paused time (`pause`/`advance`) is seen by code that asks for "now".

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use crate::handle::Handle;

/// A measurement of a monotonic clock: the current timer's clock (which may be paused), or
/// the system's outside a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use conductor_timer::Instant;
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(5);
/// assert_eq!(later - start, Duration::from_millis(5));
/// assert!(later > start);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

/// About 30 years from `from`: what `Duration::MAX` deadlines saturate to (tokio's choice),
/// far enough never to fire and small enough never to overflow an `Instant`.
pub(crate) fn far_future(from: std::time::Instant) -> std::time::Instant {
    const THIRTY_YEARS: Duration = Duration::from_secs(86_400 * 365 * 30);
    from.checked_add(THIRTY_YEARS).unwrap_or(from)
}

impl Instant {
    /// Now, by the current timer's clock (paused time included), or the system clock when no
    /// timer is current.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = conductor_timer::Instant::now();
    /// assert!(t.elapsed() < std::time::Duration::from_secs(3600));
    /// ```
    pub fn now() -> Instant {
        let std =
            Handle::with_current(|h| h.inner.clock.now()).unwrap_or_else(std::time::Instant::now);
        Instant { std }
    }

    /// Wraps a `std::time::Instant`.
    ///
    /// # Examples
    ///
    /// ```
    /// let std = std::time::Instant::now();
    /// assert_eq!(conductor_timer::Instant::from_std(std).into_std(), std);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std::time::Instant` inside.
    ///
    /// # Examples
    ///
    /// ```
    /// let _std: std::time::Instant = conductor_timer::Instant::now().into_std();
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = conductor_timer::Instant::now();
    /// assert_eq!(a.duration_since(a + std::time::Duration::from_secs(1)), std::time::Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Same as [`duration_since`](Self::duration_since).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = conductor_timer::Instant::now();
    /// assert_eq!(a.saturating_duration_since(a), std::time::Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = conductor_timer::Instant::now();
    /// assert_eq!(a.checked_duration_since(a), Some(std::time::Duration::ZERO));
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time since `self`, by [`Instant::now`].
    ///
    /// # Examples
    ///
    /// ```
    /// let a = conductor_timer::Instant::now();
    /// let _ = a.elapsed();
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + d`, or `None` on overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = conductor_timer::Instant::now();
    /// assert!(a.checked_add(std::time::Duration::MAX).is_none());
    /// ```
    pub fn checked_add(&self, d: Duration) -> Option<Instant> {
        self.std.checked_add(d).map(Instant::from_std)
    }

    /// `self - d`, or `None` on overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = conductor_timer::Instant::now();
    /// assert!(a.checked_sub(std::time::Duration::MAX).is_none());
    /// ```
    pub fn checked_sub(&self, d: Duration) -> Option<Instant> {
        self.std.checked_sub(d).map(Instant::from_std)
    }

    /// `self + d`, saturating about 30 years ahead instead of overflowing.
    pub(crate) fn saturating_add(self, d: Duration) -> Instant {
        self.checked_add(d)
            .unwrap_or_else(|| Instant::from_std(far_future(self.std)))
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant { std }
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.std
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant::from_std(self.std + d)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant::from_std(self.std - d)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}

//! [`Sleep`], [`sleep`] and [`sleep_until`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use crate::entry::{Entry, Polled};
use crate::handle::Handle;
use crate::instant::Instant;

/// Waits until `duration` has elapsed.
///
/// `Duration::ZERO` yields once; `Duration::MAX` never fires (the deadline saturates about
/// 30 years ahead instead of overflowing). The timer registers on the first poll, so creating
/// and dropping a `Sleep` without polling it costs nothing but the struct.
///
/// # Panics
///
/// When called outside a conductor runtime.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
/// use conductor_timer::{Instant, sleep};
///
/// let start = Instant::now();
/// sleep(Duration::from_millis(10)).await;
/// assert!(start.elapsed() >= Duration::from_millis(10));
/// # });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let handle = Handle::current();
    let when = handle.inner.clock.deadline_after(duration);
    Sleep::at_ns(handle, when)
}

/// Waits until `deadline`.
///
/// # Panics
///
/// When called outside a conductor runtime.
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
/// use conductor_timer::{Instant, sleep_until};
///
/// let deadline = Instant::now() + Duration::from_millis(5);
/// sleep_until(deadline).await;
/// assert!(Instant::now() >= deadline);
/// # });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(Handle::current(), deadline)
}

/// A future that completes at a deadline; see [`sleep`].
///
/// It is `!Unpin`, because its timer entry lives inside it and the wheel points to it once
/// it is polled: pin it with [`std::pin::pin!`] or `Box::pin` to poll it by hand or to
/// [`reset`](Sleep::reset) it. Dropping it cancels the timer in O(1).
///
/// # Examples
///
/// ```
/// # conductor_timer::__doc::block_on(async {
/// use std::time::Duration;
/// use conductor_timer::{Instant, sleep};
///
/// let mut s = std::pin::pin!(sleep(Duration::from_secs(3600)));
/// s.as_mut().reset(Instant::now() + Duration::from_millis(1));
/// s.as_mut().await;
/// assert!(s.is_elapsed());
/// # });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    handle: Handle,
    /// The deadline in wheel ns: what the entry registers with.
    when: u64,
    /// The deadline as the caller gave it (`sleep_until`, `reset`); `None` when it was
    /// computed from a duration, and [`deadline`](Sleep::deadline) converts `when` back.
    deadline: Option<Instant>,
    entry: Entry,
}

impl Sleep {
    pub(crate) fn new(handle: Handle, deadline: Instant) -> Sleep {
        let when = handle.inner.clock.instant_to_ns(deadline.into_std());
        Sleep {
            handle,
            when,
            deadline: Some(deadline),
            entry: Entry::new(),
        }
    }

    /// A sleep until wheel time `when`.
    pub(crate) fn at_ns(handle: Handle, when: u64) -> Sleep {
        Sleep {
            handle,
            when,
            deadline: None,
            entry: Entry::new(),
        }
    }

    /// The deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// use conductor_timer::{Instant, sleep_until};
    ///
    /// let at = Instant::now();
    /// assert_eq!(sleep_until(at).deadline(), at);
    /// # });
    /// ```
    pub fn deadline(&self) -> Instant {
        match self.deadline {
            Some(deadline) => deadline,
            None => Instant::from_std(self.handle.inner.clock.ns_to_instant(self.when)),
        }
    }

    /// Whether the timer has fired.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let s = conductor_timer::sleep(std::time::Duration::from_secs(1));
    /// assert!(!s.is_elapsed());
    /// # });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.entry.is_fired()
    }

    /// Moves the deadline, reusing the registration (no allocation). A registered sleep keeps
    /// its waker and fires at the new deadline even if it is not polled again.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// use std::time::Duration;
    /// use conductor_timer::{Instant, sleep};
    ///
    /// let mut s = Box::pin(sleep(Duration::from_millis(1)));
    /// let later = Instant::now() + Duration::from_millis(3);
    /// s.as_mut().reset(later);
    /// s.await;
    /// assert!(Instant::now() >= later);
    /// # });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        // SAFETY: `deadline` is not structurally pinned and we move nothing else out.
        let this = unsafe { self.get_unchecked_mut() };
        this.deadline = Some(deadline);
        this.when = this.handle.inner.clock.instant_to_ns(deadline.into_std());
        // SAFETY: `this` came from a `Pin`, so the entry stays put; `Drop` cancels it.
        unsafe { this.entry.reset(&this.handle.inner, this.when) };
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Firing a timer spends the task's cooperative budget, as I/O does.
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let this = self.into_ref().get_ref();
        // SAFETY: `this` came from a `Pin`, so the entry stays put until `Drop` cancels it.
        match unsafe {
            this.entry
                .poll_elapsed(&this.handle.inner, this.when, cx.waker())
        } {
            Polled::Elapsed => {
                coop.made_progress();
                Poll::Ready(())
            }
            Polled::Pending => Poll::Pending,
            Polled::Yield => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            // The runtime is shutting down and drops its tasks without polling them again; a
            // poll that races that (or comes from elsewhere later) waits forever rather than
            // panicking in the middle of an orderly shutdown.
            Polled::Shutdown => Poll::Pending,
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.entry.cancel(&self.handle.inner);
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline())
            .field("elapsed", &self.is_elapsed())
            .finish()
    }
}

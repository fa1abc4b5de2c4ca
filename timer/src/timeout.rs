//! [`Timeout`], [`timeout`] and [`timeout_at`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::clock::Stamp;
use crate::error;
use crate::error::Elapsed;
use crate::handle::Handle;
use crate::instant::Instant;
use crate::sleep::Sleep;

/// Runs `future` for at most `duration`: `Ok(output)` if it completes first, `Err(Elapsed)`
/// otherwise (and `future` is dropped with the `Timeout`).
///
/// The deadline is `duration` after this call. A future that is ready at once costs almost
/// nothing: the call stamps its start with the kernel's coarse clock (a few ns, a little
/// behind the precise one), and only when `future` first returns `Pending` does the `Timeout`
/// read the precise clock, work out the deadline and make its timer. The deadline is never
/// earlier than `duration` after the call. It is exact when the `Timeout` is polled as soon as
/// it is made, as with `timeout(d, f).await`; if its first poll comes later, it may be up to
/// three ticks of the coarse clock late (3 to 30 ms by kernel; 12 ms at the common 250 Hz).
/// Use [`timeout_at`] for an exact deadline whenever the first poll comes. On platforms
/// without a coarse clock, and while time is paused, the call reads the precise clock instead.
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
/// use conductor_timer::timeout;
///
/// assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
/// assert!(timeout(Duration::from_millis(1), std::future::pending::<()>()).await.is_err());
/// # });
/// ```
#[track_caller]
#[inline]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    let start = match Handle::with_current(|h| h.inner.clock.stamp()) {
        Some(start) => start,
        None => panic!("{}", error::NO_TIMER),
    };
    Timeout {
        value: future,
        deadline: Deadline::After { start, duration },
        delay: None,
    }
}

/// Runs `future` until `deadline` at most; see [`timeout`].
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
/// use conductor_timer::{Instant, timeout_at};
///
/// let deadline = Instant::now() + Duration::from_millis(1);
/// assert!(timeout_at(deadline, std::future::pending::<()>()).await.is_err());
/// # });
/// ```
#[track_caller]
#[inline]
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    if Handle::with_current(|_| ()).is_none() {
        panic!("{}", error::NO_TIMER);
    }
    Timeout {
        value: future,
        deadline: Deadline::At(deadline),
        delay: None,
    }
}

/// A [`Timeout`]'s deadline, as given.
#[derive(Debug, Clone, Copy)]
enum Deadline {
    /// `timeout_at`.
    At(Instant),
    /// `timeout`: `duration` after `start`, worked out on the first `Pending`.
    After { start: Stamp, duration: Duration },
}

pin_project! {
    /// A future with a deadline; see [`timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let t: conductor_timer::Timeout<_> =
    ///     conductor_timer::timeout(std::time::Duration::from_secs(1), async { 1 });
    /// assert_eq!(t.await, Ok(1));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        value: F,
        deadline: Deadline,
        // Made on the first `Pending` of `value`.
        #[pin]
        delay: Option<Sleep>,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let t = conductor_timer::timeout(std::time::Duration::from_secs(1), std::future::ready(1));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// # });
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The wrapped future, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let mut t = conductor_timer::timeout(std::time::Duration::from_secs(1), std::future::ready(1));
    /// let _inner = t.get_mut();
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// The wrapped future, giving up the deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor_timer::__doc::block_on(async {
    /// let t = conductor_timer::timeout(std::time::Duration::from_secs(1), std::future::ready(1));
    /// assert_eq!(t.into_inner().await, 1);
    /// # });
    /// ```
    pub fn into_inner(self) -> F {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut me = self.project();
        if let Poll::Ready(v) = me.value.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if me.delay.is_none() {
            let handle = match Handle::try_current() {
                Some(handle) => handle,
                None => panic!("{}", error::NO_TIMER),
            };
            let delay = match *me.deadline {
                Deadline::At(at) => Sleep::new(handle, at),
                Deadline::After { start, duration } => {
                    let when = handle.inner.clock.deadline_since(start, duration);
                    Sleep::at_ns(handle, when)
                }
            };
            me.delay.set(Some(delay));
        }
        let delay = me.delay.as_pin_mut().expect("set above");
        match delay.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        }
    }
}

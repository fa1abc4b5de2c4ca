//! [`Timeout`], [`timeout`] and [`timeout_at`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::error;
use crate::error::Elapsed;
use crate::handle::Handle;
use crate::instant::Instant;
use crate::sleep::Sleep;

/// Runs `future` for at most `duration`: `Ok(output)` if it completes first, `Err(Elapsed)`
/// otherwise (and `future` is dropped with the `Timeout`). The deadline is fixed now; the
/// timer itself is only made when `future` first returns `Pending`, so a future that is ready
/// at once costs a clock read and nothing else.
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
    let now = match Handle::with_current(|h| h.inner.clock.now()) {
        Some(now) => Instant::from_std(now),
        None => panic!("{}", error::NO_TIMER),
    };
    Timeout {
        value: future,
        deadline: now.saturating_add(duration),
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
        deadline,
        delay: None,
    }
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
        deadline: Instant,
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
            me.delay.set(Some(Sleep::new(handle, *me.deadline)));
        }
        let delay = me.delay.as_pin_mut().expect("set above");
        match delay.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        }
    }
}

//! [`Elapsed`], and every misuse message of the timer as a constant that says how to fix it.

use std::fmt;

/// No timer is current on this thread.
pub(crate) const NO_TIMER: &str = "there is no conductor timer on this thread: timers \
    (`sleep`, `timeout`, `interval`) must be created inside a conductor runtime; use \
    #[conductor::main], Runtime::block_on, or Handle::enter";

/// `interval(Duration::ZERO)`.
pub(crate) const INTERVAL_ZERO: &str =
    "`period` passed to `interval`/`interval_at` must be non-zero";

/// `pause()` twice.
pub(crate) const ALREADY_PAUSED: &str =
    "time is already paused; call `conductor::time::resume()` before pausing again";

/// `resume()` while running.
pub(crate) const NOT_PAUSED: &str =
    "time is not paused; call `conductor::time::pause()` before `resume()`";

/// The error a [`Timeout`](crate::Timeout) returns when its deadline passes before the
/// future completes.
///
/// # Examples
///
/// ```
/// # use conductor_timer as time;
/// # time::__doc::block_on(async {
/// use std::time::Duration;
///
/// let res = time::timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
/// let err: time::Elapsed = res.unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}

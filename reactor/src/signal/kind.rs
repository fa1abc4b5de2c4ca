//! [`SignalKind`]: which signal to listen for.

/// A Unix signal number, with constructors for the common ones.
///
/// # Examples
///
/// ```
/// use conductor_reactor::signal::SignalKind;
/// assert_eq!(SignalKind::interrupt().as_raw(), libc::SIGINT);
/// assert_eq!(SignalKind::from_raw(libc::SIGTERM), SignalKind::terminate());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalKind(i32);

impl SignalKind {
    /// Any signal number; [`signal`](super::signal) rejects those that cannot be listened for.
    ///
    /// ```
    /// let k = conductor_reactor::signal::SignalKind::from_raw(libc::SIGWINCH);
    /// assert_eq!(k.as_raw(), libc::SIGWINCH);
    /// ```
    pub const fn from_raw(signum: i32) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::hangup().as_raw(), libc::SIGHUP);
    /// ```
    pub const fn as_raw(self) -> i32 {
        self.0
    }

    /// `SIGINT`: ctrl-c in a terminal.
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::interrupt().as_raw(), libc::SIGINT);
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGTERM`: a polite request to terminate (what `kill` and service managers send).
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::terminate().as_raw(), libc::SIGTERM);
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGHUP`: the terminal hung up; daemons often take it as "reload the configuration".
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::hangup().as_raw(), libc::SIGHUP);
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGQUIT`: ctrl-\ in a terminal.
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::quit().as_raw(), libc::SIGQUIT);
    /// ```
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGUSR1`, for the application's own use.
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::user_defined1().as_raw(), libc::SIGUSR1);
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`, for the application's own use.
    ///
    /// ```
    /// assert_eq!(conductor_reactor::signal::SignalKind::user_defined2().as_raw(), libc::SIGUSR2);
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }
}

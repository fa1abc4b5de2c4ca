//! Unix signals as async events: [`ctrl_c`] and [`signal`] / [`Signal::recv`].
//!
//! # How it works
//!
//! The first `signal(kind)` for a signal number installs a process-wide handler for it with
//! `sigaction` (once; it stays installed for the life of the process, so the signal's default
//! action, such as terminating on `SIGINT`, no longer happens). The handler is
//! async-signal-safe: it bumps that signal's delivery counter (an atomic) and writes one byte
//! to a non-blocking self-pipe, and nothing else. Each [`Signal`] registers its own duplicate
//! of the pipe's read end with the reactor; when it becomes readable, the `Signal` drains the
//! pipe and compares the counter with the value it last saw. Whoever drains the pipe wakes all
//! the other waiting `Signal`s, because the byte it consumed may have been their event too.
//!
//! Deliveries between two `recv`s coalesce into one, as the OS coalesces pending signals.
//!
//! ```
//! use conductor_reactor::signal::{SignalKind, signal};
//! # conductor::runtime::Runtime::new().unwrap().block_on(async {
//! let mut usr1 = signal(SignalKind::user_defined1())?;
//! // SAFETY: raise(3) has no preconditions; SIGUSR1 now has our handler.
//! unsafe { libc::raise(libc::SIGUSR1) };
//! usr1.recv().await.unwrap();
//! # Ok::<_, std::io::Error>(())
//! # }).unwrap();
//! ```

mod kind;
mod registry;

use std::fmt;
use std::io;
use std::task::{Context, Poll};

pub use kind::SignalKind;

use crate::{Interest, PollEvented};

/// Completes when the process receives `SIGINT` (ctrl-c in a terminal).
///
/// Only deliveries after the future is first polled count. Once any `SIGINT` listener exists
/// the handler stays installed, so later ctrl-c presses no longer terminate the process:
/// the program decides when to exit.
///
/// # Errors
///
/// When the handler or the self-pipe cannot be set up (the OS's error).
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```no_run
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// conductor_reactor::signal::ctrl_c().await?;
/// println!("ctrl-c received, shutting down");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut sigint = signal(SignalKind::interrupt())?;
    match sigint.recv().await {
        Some(()) => Ok(()),
        None => Err(crate::error::shutdown_error()),
    }
}

/// Listens for `kind`: installs the process-wide handler (once per signal) and registers with
/// the current reactor. Deliveries from now on are reported by [`Signal::recv`].
///
/// The handler replaces whatever disposition the signal had (the default action, `SIG_IGN`,
/// or another library's handler) and stays installed after every `Signal` is dropped.
///
/// # Errors
///
/// `InvalidInput` for a signal that cannot be caught or must not be (`SIGKILL`, `SIGSTOP`,
/// `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`, or a number out of range); the OS's error when the
/// handler or the pipe cannot be set up.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// use conductor_reactor::signal::{SignalKind, signal};
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let _term = signal(SignalKind::terminate())?;
/// let err = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let handle = crate::Handle::current();
    registry::install(kind.as_raw())?;
    let receiver = registry::new_receiver()?;
    let io = PollEvented::new_with_handle(receiver, Interest::READABLE, handle)?;
    Ok(Signal {
        kind,
        // Read after the handler is installed: a delivery that the handler counted from
        // here on is one this listener reports.
        seen: registry::deliveries(kind.as_raw()),
        waiter: registry::Waiter::new(),
        io,
    })
}

/// A stream of deliveries of one signal; see [`signal`].
///
/// # Examples
///
/// ```
/// use conductor_reactor::signal::{SignalKind, signal};
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let mut hup = signal(SignalKind::hangup())?;
/// for _ in 0..2 {
///     unsafe { libc::kill(libc::getpid(), libc::SIGHUP) };
///     hup.recv().await.unwrap();
/// }
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct Signal {
    kind: SignalKind,
    /// The signal's delivery count when this listener last reported (or was created).
    seen: u64,
    waiter: registry::Waiter,
    io: PollEvented<mio::unix::pipe::Receiver>,
}

impl Signal {
    /// Waits for the next delivery. Several deliveries since the last call coalesce into one.
    /// Returns `None` once the runtime is shut down.
    ///
    /// Cancel-safe: dropping the future loses nothing; the delivery is reported by the next
    /// call.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::signal::{SignalKind, signal};
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut usr2 = signal(SignalKind::user_defined2())?;
    /// unsafe { libc::raise(libc::SIGUSR2) };
    /// assert_eq!(usr2.recv().await, Some(()));
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; see [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::signal::{SignalKind, signal};
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut usr1 = signal(SignalKind::user_defined1())?;
    /// let w = std::task::Waker::noop();
    /// let mut cx = std::task::Context::from_waker(&w);
    /// assert!(usr1.poll_recv(&mut cx).is_pending());
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        // Registered before the counter is read: a drain by another listener after this point
        // wakes us, and one before it left its count visible to the read below.
        self.waiter.register(cx.waker());
        loop {
            let now = registry::deliveries(self.kind.as_raw());
            if now != self.seen {
                self.seen = now;
                return Poll::Ready(Some(()));
            }
            match self.io.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(_)) => return Poll::Ready(None),
                Poll::Ready(Ok(())) => {
                    if self.drain() {
                        registry::wake_all_except(&self.waiter);
                    }
                }
            }
        }
    }

    /// Reads the pipe until it is empty (which clears this source's readiness); whether any
    /// byte was read.
    fn drain(&self) -> bool {
        let mut any = false;
        let mut buf = [0u8; 64];
        loop {
            let read = self.io.try_io(Interest::READABLE, |mut rx| {
                std::io::Read::read(&mut rx, &mut buf)
            });
            match read {
                Ok(0) => return any, // the write end is never closed; defensive
                Ok(_) => any = true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return any, // WouldBlock (drained) or the shutdown error
            }
        }
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

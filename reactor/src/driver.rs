//! [`Driver`]: the only code that calls `mio::Poll::poll`.
//!
//! `turn(timeout)` blocks in epoll until an event, a [`Handle::wake`], or the timeout; then
//! records each event's readiness in its source's [`ScheduledIo`](crate::scheduled_io) and
//! wakes the tasks waiting on it, outside every lock.
//!
//! # Sub-millisecond timeouts
//!
//! `epoll_wait` takes whole milliseconds (mio rounds up), which would make a 300 µs timer
//! fire after 1 ms. When a timeout has a sub-millisecond part, `turn` arms a one-shot
//! `timerfd` (registered in the same poll) for the exact duration; the kernel's hrtimer then
//! ends the wait on time. The timerfd is disarmed after the wait if it did not fire.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::task::Waker;
use std::time::Duration;

use crate::handle::{BlockingSpawner, Handle, TIMER_TOKEN, WAKER_TOKEN};
use crate::readiness::Ready;

/// Events taken from the OS per `turn`, at most (tokio's figure).
const EVENTS_CAPACITY: usize = 1024;

/// The reactor's driver: owns the `mio::Poll`. Held by one thread at a time (the runtime's
/// parked worker), which calls [`turn`](Self::turn).
///
/// ```
/// use std::time::Duration;
///
/// let mut driver = conductor_reactor::Driver::new().unwrap();
/// driver.turn(Some(Duration::from_micros(300))).unwrap();
/// ```
pub struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    timer: Option<TimerFd>,
    wakers: Vec<Waker>,
    handle: Handle,
}

impl Driver {
    /// A new reactor with its own `mio::Poll`.
    ///
    /// # Errors
    ///
    /// The OS's error when the epoll instance, the waker eventfd or the timerfd cannot be
    /// created (descriptor exhaustion, say).
    ///
    /// # Examples
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// assert!(!driver.handle().is_shutdown());
    /// ```
    pub fn new() -> io::Result<Driver> {
        Driver::with_blocking_spawner(None)
    }

    /// A new reactor whose name resolution (for addresses given as host names) runs its
    /// blocking `getaddrinfo` through `spawner`, e.g. on a runtime's blocking pool. Without a
    /// spawner, resolution runs on a new thread.
    ///
    /// # Errors
    ///
    /// As [`Driver::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::with_blocking_spawner(Some(|f| {
    ///     std::thread::spawn(f);
    /// }))
    /// .unwrap();
    /// # drop(driver);
    /// ```
    pub fn with_blocking_spawner(spawner: Option<BlockingSpawner>) -> io::Result<Driver> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let timer = TimerFd::new()?;
        poll.registry().register(
            &mut mio::unix::SourceFd(&timer.fd.as_raw_fd()),
            TIMER_TOKEN,
            mio::Interest::READABLE,
        )?;
        let registry = poll.registry().try_clone()?;
        Ok(Driver {
            poll,
            events: mio::Events::with_capacity(EVENTS_CAPACITY),
            timer: Some(timer),
            wakers: Vec::new(),
            handle: Handle::new(registry, waker, spawner),
        })
    }

    /// The handle I/O types register with; cheap to clone.
    ///
    /// ```
    /// let driver = conductor_reactor::Driver::new().unwrap();
    /// let _guard = driver.handle().enter();
    /// ```
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Waits for events at most `timeout` (`None`: until an event or a
    /// [`Handle::wake`]; `Some(ZERO)`: only polls), then wakes the tasks whose sources became
    /// ready. Returns the number of I/O events delivered.
    ///
    /// # Errors
    ///
    /// The OS's error from `epoll_wait`, except `EINTR`, which counts as a wake-up.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut driver = conductor_reactor::Driver::new().unwrap();
    /// assert_eq!(driver.turn(Some(std::time::Duration::ZERO)).unwrap(), 0);
    /// ```
    pub fn turn(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        let armed = match (timeout, &self.timer) {
            (Some(t), Some(timer)) if !t.is_zero() && t.subsec_nanos() % 1_000_000 != 0 => {
                timer.set(t)?;
                true
            }
            _ => false,
        };
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        let mut timer_fired = false;
        let mut delivered = 0;
        self.handle.with_slab(|slab| {
            for event in self.events.iter() {
                match event.token() {
                    WAKER_TOKEN => {}
                    TIMER_TOKEN => timer_fired = true,
                    token => {
                        if let Some(io) = slab.get(token) {
                            io.set_readiness(Ready::from_mio(event), &mut self.wakers);
                            delivered += 1;
                        }
                    }
                }
            }
        });
        if let Some(timer) = &self.timer {
            if timer_fired {
                timer.drain();
            } else if armed {
                timer.set(Duration::ZERO)?;
            }
        }
        self.wakers.drain(..).for_each(wake_caught);
        Ok(delivered)
    }
}

/// Wakes `w`, catching a panic from a user's `Waker`: unwinding here would drop the rest of
/// the batch unwoken (their tasks would hang) and take the driving thread down. The panic is
/// reported on stderr.
fn wake_caught(w: Waker) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.wake())).is_err() {
        eprintln!(
            "conductor: a Waker panicked in wake() when the I/O driver delivered readiness; \
             the panic was caught and the other I/O resources are still woken"
        );
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

/// A one-shot, non-blocking `CLOCK_MONOTONIC` timerfd.
struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    fn new() -> io::Result<TimerFd> {
        // SAFETY: timerfd_create takes no pointers; a negative result is an error, checked.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a descriptor we just created and own; nothing else closes it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(TimerFd { fd })
    }

    /// Arms the timer to expire once after `after` (`ZERO` disarms it).
    fn set(&self, after: Duration) -> io::Result<()> {
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs().min(i64::MAX as u64) as libc::time_t,
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: `spec` is a valid itimerspec on our stack, the old-value pointer is null
        // (allowed), and the descriptor is a timerfd we own.
        let rc =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads the expiration count so the descriptor is no longer readable.
    fn drain(&self) {
        let mut buf = [0u8; 8];
        // SAFETY: `buf` is 8 writable bytes (a timerfd read writes one u64); the descriptor is
        // non-blocking, so this returns EAGAIN when nothing expired, which we ignore.
        let _ = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn sub_millisecond_timeout_is_honoured() {
        let mut driver = Driver::new().unwrap();
        let mut late = Duration::ZERO;
        const N: u32 = 50;
        for _ in 0..N {
            let start = Instant::now();
            driver.turn(Some(Duration::from_micros(300))).unwrap();
            let took = start.elapsed();
            assert!(
                took >= Duration::from_micros(300),
                "returned early: {took:?}"
            );
            late += took - Duration::from_micros(300);
        }
        eprintln!("turn(Some(300 µs)): average lateness {:?}", late / N);
        // Behaviour, not timing: far below the 700 µs a rounded-up epoll timeout would add.
        // (A loaded CI machine may be slow, hence the generous bound on the average.)
        assert!(
            late / N < Duration::from_micros(650),
            "average lateness {:?}",
            late / N
        );
    }

    #[test]
    fn wake_interrupts_an_unbounded_turn() {
        let mut driver = Driver::new().unwrap();
        let handle = driver.handle();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            handle.wake();
        });
        driver.turn(None).unwrap();
        t.join().unwrap();
    }
}

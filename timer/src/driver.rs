//! [`Driver`]: the side of the timer the runtime parks with. Before parking it asks for the
//! next deadline ([`Driver::park_timeout`]); after waking it advances the wheel to now and
//! fires what expired ([`Driver::process`]).

use std::fmt;
use std::task::Waker;
use std::time::{Duration, Instant as StdInstant};

use crate::clock::duration_ns;
use crate::entry::Entry;
use crate::handle::{Handle, Inner};
use crate::sync::Arc;

/// Wakers fired per lock hold: taken under the lock, woken after it is released (async-io's
/// `process_timers`, tokio's 32-slot wake list).
const WAKE_BATCH: usize = 32;

/// The timer's driver: owned by whichever thread parks the runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let (mut driver, handle) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
/// let _guard = handle.enter();
/// // No timers: the caller's limit stands.
/// assert_eq!(driver.park_timeout(None), None);
/// assert_eq!(driver.park_timeout(Some(Duration::from_secs(1))), Some(Duration::from_secs(1)));
/// driver.process();
/// ```
pub struct Driver {
    handle: Handle,
}

impl Driver {
    /// A driver and its handle. `unpark` is woken when a deadline earlier than the one the
    /// driver parks until is registered (the runtime passes one that interrupts its I/O poll).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_driver, _handle) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
    /// ```
    pub fn new(unpark: Waker) -> (Driver, Handle) {
        let handle = Handle {
            inner: Arc::new(Inner::new(unpark)),
        };
        (
            Driver {
                handle: handle.clone(),
            },
            handle,
        )
    }

    /// This driver's handle.
    ///
    /// # Examples
    ///
    /// ```
    /// let (driver, _) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
    /// let _handle = driver.handle().clone();
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// How long to park: `limit` shortened to the exact time left until the next deadline
    /// (`Some(ZERO)` when one is already due). Records the wake-up time, so a timer
    /// registered meanwhile with an earlier deadline unparks the driver.
    ///
    /// With paused time, an idle park (`limit == None`) with timers pending moves the clock
    /// to the next deadline instead of waiting for it (auto-advance) and returns `Some(ZERO)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Waker};
    /// use std::time::Duration;
    ///
    /// let (mut driver, handle) = conductor_timer::Driver::new(Waker::noop().clone());
    /// let _guard = handle.enter();
    /// let mut sleep = pin!(conductor_timer::sleep(Duration::from_secs(60)));
    /// let _ = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// let timeout = driver.park_timeout(None).unwrap();
    /// assert!(timeout <= Duration::from_secs(60));
    /// ```
    pub fn park_timeout(&mut self, limit: Option<Duration>) -> Option<Duration> {
        let inner = &*self.handle.inner;
        let now = inner.clock.now();
        let now_ns = inner.clock.instant_to_ns(now);
        let mut locked = inner.lock();
        let Some(next) = locked.wheel.next_expiration() else {
            locked.next_wake = match limit {
                Some(l) => now_ns.saturating_add(duration_ns(l)),
                None => u64::MAX,
            };
            return limit;
        };
        if limit.is_none() && inner.clock.is_paused() {
            // Auto-advance: nothing else can happen on an idle runtime with paused time.
            inner.clock.advance_to(inner.clock.ns_to_instant(next));
            locked.next_wake = 0;
            return Some(Duration::ZERO);
        }
        let until = Duration::from_nanos(next.saturating_sub(now_ns));
        let timeout = match limit {
            Some(l) => l.min(until),
            None => until,
        };
        locked.next_wake = now_ns.saturating_add(duration_ns(timeout));
        Some(timeout)
    }

    /// Advances the wheel to now and fires (wakes) every timer whose deadline has passed.
    /// Safe to call at any time; a busy runtime calls it every `event_interval` ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut driver, _) = conductor_timer::Driver::new(std::task::Waker::noop().clone());
    /// driver.process();
    /// ```
    pub fn process(&mut self) {
        let now = self.handle.inner.clock.now();
        self.process_at(now);
    }

    /// Fires every timer due at `now` (a clock reading or a later time; earlier times are
    /// ignored). For tests and the loom models.
    #[doc(hidden)]
    pub fn process_at(&mut self, now: StdInstant) {
        process(&self.handle.inner, now, true);
    }
}

/// Fires what is due at `now`; callable from any thread (the lock serialises it), which is
/// how `advance` fires timers without the driver. `from_driver`: the caller is the driver,
/// which is awake (a parked driver's wake-up time must stay recorded otherwise).
pub(crate) fn process(inner: &Inner, now: StdInstant, from_driver: bool) {
    let now_ns = inner.clock.instant_to_ns(now);
    let mut wakers: [Option<Waker>; WAKE_BATCH] = std::array::from_fn(|_| None);
    let mut locked = inner.lock();
    if from_driver {
        // Awake: a new deadline need not unpark us; we read the wheel before parking again.
        locked.next_wake = 0;
    }
    locked.wheel.advance(now_ns);
    loop {
        let mut n = 0;
        while n < WAKE_BATCH {
            let Some(entry) = locked.wheel.pop_ready() else {
                break;
            };
            // SAFETY: the lock is held and `entry` was linked until `pop_ready`.
            wakers[n] = unsafe { Entry::fire(entry, false) };
            n += 1;
        }
        let more = n == WAKE_BATCH;
        drop(locked);
        for w in wakers[..n].iter_mut() {
            if let Some(w) = w.take() {
                wake_caught(w);
            }
        }
        if !more {
            return;
        }
        locked = inner.lock();
    }
}

/// Wakes `w`, catching a panic from a user's `Waker` so that the rest of the batch is still
/// woken (an unwinding batch would drop the other wakers unwoken, and their tasks would hang)
/// and the driver's thread survives. The panic is reported on stderr.
fn wake_caught(w: Waker) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.wake())).is_err() {
        eprintln!(
            "conductor: a Waker panicked in wake() when the timer driver fired its timer; \
             the panic was caught and the other timers still fire"
        );
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver").finish_non_exhaustive()
    }
}

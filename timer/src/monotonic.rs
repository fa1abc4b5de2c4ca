//! Raw reads of the OS monotonic clock, as nanoseconds, beneath `std::time::Instant`.
//!
//! `Instant::now()` on Linux is `clock_gettime(CLOCK_MONOTONIC)` wrapped in a `timespec`; the
//! wheel wants a plain `u64` of nanoseconds, and going through `Instant` and `Duration` costs
//! several conversions on the `sleep` path. These functions read the same clock directly.
//! They also read `CLOCK_MONOTONIC_COARSE`: the same clock as of the last kernel tick (so a
//! little behind), about a third of the price, which is what `timeout` stamps its start with
//! (see `clock::Stamp`).
//!
//! Elsewhere (and under loom) every function returns `None` and the callers fall back to
//! `Instant`.

#[cfg(all(target_os = "linux", not(conductor_loom)))]
mod imp {
    const NANOS_PER_SEC: u64 = 1_000_000_000;

    fn to_ns(ts: &libc::timespec) -> Option<u64> {
        let secs = u64::try_from(ts.tv_sec).ok()?;
        let nanos = u64::try_from(ts.tv_nsec).ok()?;
        secs.checked_mul(NANOS_PER_SEC)?.checked_add(nanos)
    }

    fn zeroed() -> libc::timespec {
        // SAFETY: `timespec` is plain integers (and, on some targets, private padding), for
        // which all zero bytes is a valid value.
        unsafe { std::mem::zeroed() }
    }

    #[inline]
    fn read(clock: libc::clockid_t) -> Option<u64> {
        let mut ts = zeroed();
        // SAFETY: `ts` is a valid, writable `timespec` that outlives the call, which is all
        // `clock_gettime` requires; it writes nothing else.
        let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
        if rc != 0 {
            return None;
        }
        to_ns(&ts)
    }

    /// `CLOCK_MONOTONIC` in ns: the clock `std::time::Instant` reads on Linux (std documents
    /// `clock_gettime(CLOCK_MONOTONIC)` for it; the raw path relies on that).
    #[inline]
    pub(crate) fn precise_ns() -> Option<u64> {
        read(libc::CLOCK_MONOTONIC)
    }

    /// `CLOCK_MONOTONIC_COARSE` in ns: `CLOCK_MONOTONIC` as of the last timekeeping update,
    /// never ahead of it; nominally a tick behind at most, more when a tick is delivered late
    /// (`clock::COARSE_SLACK_TICKS`).
    #[inline]
    pub(crate) fn coarse_ns() -> Option<u64> {
        read(libc::CLOCK_MONOTONIC_COARSE)
    }

    /// The coarse clock's step (one kernel tick: 1 to 10 ms).
    pub(crate) fn coarse_resolution_ns() -> Option<u64> {
        let mut ts = zeroed();
        // SAFETY: as in `read`: a valid, writable `timespec` for the call's duration.
        let rc = unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
        if rc != 0 {
            return None;
        }
        to_ns(&ts).filter(|&ns| ns > 0)
    }
}

#[cfg(not(all(target_os = "linux", not(conductor_loom))))]
mod imp {
    pub(crate) fn precise_ns() -> Option<u64> {
        None
    }

    pub(crate) fn coarse_ns() -> Option<u64> {
        None
    }

    pub(crate) fn coarse_resolution_ns() -> Option<u64> {
        None
    }
}

pub(crate) use imp::*;

#[cfg(all(test, target_os = "linux", not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn precise_is_the_clock_instant_reads() {
        // Bracket a std read between two raw reads: the std interval to a second std read
        // must agree with the raw interval around it.
        let r0 = precise_ns().unwrap();
        let s0 = std::time::Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let s1 = std::time::Instant::now();
        let r1 = precise_ns().unwrap();
        let std_ns = u64::try_from((s1 - s0).as_nanos()).unwrap();
        assert!(r1 - r0 >= std_ns, "raw {} < std {}", r1 - r0, std_ns);
    }

    #[test]
    fn coarse_never_runs_ahead_of_precise() {
        let res = coarse_resolution_ns().unwrap();
        assert!(res <= 100_000_000, "a tick of {res} ns");
        for _ in 0..10_000 {
            let c = coarse_ns().unwrap();
            let p = precise_ns().unwrap();
            assert!(c <= p, "coarse {c} ahead of precise {p}");
        }
    }
}

//! The process-wide side of signals: the handler, the self-pipe, the delivery counters and
//! the list of waiting listeners.
//!
//! Only [`handler`] runs in signal context. It touches nothing but atomics and `write(2)`,
//! both async-signal-safe; everything that locks or allocates runs in normal code.

use std::io;
use std::os::fd::{IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::Waker;

/// Signal numbers we keep a counter for: 1..=64 covers the standard and real-time signals
/// of Linux and the BSDs.
const NSIG: usize = 65;

/// Signals whose handler must not be replaced: they cannot be caught (`SIGKILL`, `SIGSTOP`),
/// or they report a fault in the thread that raised them, which returning from our handler
/// would re-execute forever.
const FORBIDDEN: [i32; 6] = [
    libc::SIGKILL,
    libc::SIGSTOP,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
];

/// Deliveries of each signal, bumped by the handler.
static DELIVERIES: [AtomicU64; NSIG] = [const { AtomicU64::new(0) }; NSIG];

/// The self-pipe's write end, for the handler; -1 until the pipe exists. It is never closed,
/// so the handler can never write to a reused descriptor.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

/// The self-pipe's read end; each listener registers a duplicate of it.
static READ_FD: OnceLock<Result<OwnedFd, i32>> = OnceLock::new();

/// Whether the handler is installed, per signal; written under `INSTALL_LOCK`.
static INSTALLED: [AtomicBool; NSIG] = [const { AtomicBool::new(false) }; NSIG];
static INSTALL_LOCK: Mutex<()> = Mutex::new(());

/// The signal handler: count the delivery, poke the pipe. Async-signal-safe.
extern "C" fn handler(signum: libc::c_int) {
    let saved = errno::get();
    if let Some(count) = usize::try_from(signum).ok().and_then(|i| DELIVERIES.get(i)) {
        // SeqCst with the SeqCst load in `deliveries`: the reader that consumed our byte
        // (which we write below, after this) sees the new count. The pipe's write/read pair
        // orders them as well; the ordering documents the intent.
        count.fetch_add(1, Ordering::SeqCst);
    }
    // Acquire: pairs with the Release store that published the descriptor.
    let fd = WRITE_FD.load(Ordering::Acquire);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `fd` is the pipe's write end, open for the life of the process; the buffer
        // is one valid byte on our stack. A full pipe (EAGAIN) is fine: it is still readable,
        // and the counter carries the delivery.
        unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
    errno::set(saved);
}

/// The delivery count of `signum` so far.
pub(super) fn deliveries(signum: i32) -> u64 {
    // SeqCst: see `handler`.
    DELIVERIES[index(signum)].load(Ordering::SeqCst)
}

fn index(signum: i32) -> usize {
    usize::try_from(signum).expect("checked by install")
}

/// Creates the self-pipe (once) and installs the handler for `signum` (once).
pub(super) fn install(signum: i32) -> io::Result<()> {
    let valid = usize::try_from(signum).is_ok_and(|i| (1..NSIG).contains(&i));
    if !valid || FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("signal {signum} cannot be listened for with conductor::signal"),
        ));
    }
    pipe_read_end()?;
    let i = index(signum);
    // Acquire: pairs with the Release store below, for a caller that skips the lock.
    if INSTALLED[i].load(Ordering::Acquire) {
        return Ok(());
    }
    let _guard = INSTALL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if INSTALLED[i].load(Ordering::Acquire) {
        return Ok(());
    }
    // SAFETY: `sigaction` is plain old data; all zeroes is a valid empty value.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SA_RESTART: system calls interrupted by the signal resume instead of failing with EINTR.
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid `sigset_t` inside `action`.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: `action` is fully initialized, its handler is async-signal-safe, and `signum`
    // was checked to be a catchable, non-fault signal.
    if unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // Release: the handler is in place before anyone reads `true`.
    INSTALLED[i].store(true, Ordering::Release);
    Ok(())
}

/// The self-pipe's read end, creating the pipe on first use.
fn pipe_read_end() -> io::Result<&'static OwnedFd> {
    let made = READ_FD.get_or_init(|| {
        let (tx, rx) = mio::unix::pipe::new().map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
        let write: OwnedFd = tx.into();
        // Release: the handler's Acquire load sees an open descriptor. The descriptor is
        // leaked on purpose (the store takes ownership for the rest of the process).
        WRITE_FD.store(write.into_raw_fd(), Ordering::Release);
        Ok(OwnedFd::from(rx))
    });
    match made {
        Ok(fd) => Ok(fd),
        Err(errno) => Err(io::Error::from_raw_os_error(*errno)),
    }
}

/// A new, non-blocking duplicate of the pipe's read end, for one listener.
pub(super) fn new_receiver() -> io::Result<mio::unix::pipe::Receiver> {
    let dup: OwnedFd = pipe_read_end()?.try_clone()?;
    // Duplicates share the file's flags, so it is already non-blocking (mio made it so).
    Ok(mio::unix::pipe::Receiver::from(dup))
}

/// The listeners waiting for a delivery, by id.
struct Waiters {
    next_id: u64,
    wakers: Vec<(u64, Waker)>,
}

static WAITERS: Mutex<Waiters> = Mutex::new(Waiters {
    next_id: 0,
    wakers: Vec::new(),
});

fn waiters() -> std::sync::MutexGuard<'static, Waiters> {
    WAITERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// One listener's entry in the waiting list; removed on drop.
#[derive(Debug)]
pub(super) struct Waiter {
    id: u64,
}

impl Waiter {
    pub(super) fn new() -> Waiter {
        let mut w = waiters();
        let id = w.next_id;
        w.next_id += 1;
        Waiter { id }
    }

    /// Stores (or refreshes) the listener's waker.
    pub(super) fn register(&self, waker: &Waker) {
        let mut w = waiters();
        match w.wakers.iter_mut().find(|(id, _)| *id == self.id) {
            Some((_, old)) => old.clone_from(waker),
            None => w.wakers.push((self.id, waker.clone())),
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        waiters().wakers.retain(|(id, _)| *id != self.id);
    }
}

/// Wakes every waiting listener but `me` (the one that drained the pipe). The wakers are
/// taken out under the lock and woken after it is released; each re-registers when polled.
pub(super) fn wake_all_except(me: &Waiter) {
    let taken: Vec<Waker> = {
        let mut w = waiters();
        let mut taken = Vec::new();
        w.wakers.retain(|(id, waker)| {
            if *id == me.id {
                true
            } else {
                taken.push(waker.clone());
                false
            }
        });
        taken
    };
    for waker in taken {
        waker.wake();
    }
}

/// Saving and restoring `errno`, which the handler's `write` may change under the code it
/// interrupted.
mod errno {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns the calling thread's errno slot; async-signal-safe.
        unsafe { libc::__errno_location() }
    }

    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns the calling thread's errno slot; async-signal-safe.
        unsafe { libc::__error() }
    }

    pub(super) fn get() -> libc::c_int {
        // SAFETY: `location` points to this thread's errno, valid for the thread's life.
        unsafe { *location() }
    }

    pub(super) fn set(value: libc::c_int) {
        // SAFETY: as in `get`.
        unsafe { *location() = value }
    }
}

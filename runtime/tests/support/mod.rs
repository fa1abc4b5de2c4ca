//! Shared helpers for conductor's integration tests.
//!
//! Every test binary includes this module with `#[macro_use] mod support;`, and each uses only a
//! part of it.
#![allow(dead_code, unused_macros)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use conductor::runtime::{Builder, Runtime};

/// How long any single test may run before it is declared hung. This is a bound, not an
/// assertion: a passing test is far below it.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a test waits for something that must "eventually" happen (a counter to settle, an
/// idle thread to exit) before it fails.
pub const EVENTUALLY: Duration = Duration::from_secs(10);

/// The runtime flavors most tests run under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `Builder::new_multi_thread().worker_threads(2)`.
    MultiThread,
    /// `Builder::new_current_thread()`.
    CurrentThread,
}

/// Builds a runtime of the given flavor (two workers for the multi-thread flavor).
pub fn runtime(flavor: Flavor) -> Runtime {
    match flavor {
        Flavor::MultiThread => multi_thread(2),
        Flavor::CurrentThread => current_thread(),
    }
}

/// A multi-thread runtime with `workers` workers.
pub fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .expect("failed to build a multi-thread runtime")
}

/// A current-thread runtime.
pub fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .build()
        .expect("failed to build a current-thread runtime")
}

/// Runs `f` on a fresh thread and waits at most [`TEST_TIMEOUT`] for it. A panic in `f` is
/// resumed on the caller's thread with the same payload (so `#[should_panic(expected = ..)]`
/// still sees the message); a hang fails the test instead of blocking the suite.
#[track_caller]
pub fn with_timeout<T, F>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    with_timeout_of(TEST_TIMEOUT, f)
}

/// [`with_timeout`] with an explicit bound.
#[track_caller]
pub fn with_timeout_of<T, F>(limit: Duration, f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let name = std::thread::current()
        .name()
        .map(|n| format!("{n}-body"))
        .unwrap_or_else(|| "test-body".to_owned());
    let thread = std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            let out = f();
            // The receiver is gone only if the test already timed out.
            let _ = tx.send(out);
        })
        .expect("failed to spawn the test body thread");
    match rx.recv_timeout(limit) {
        Ok(out) => {
            thread
                .join()
                .expect("test body thread panicked after sending");
            out
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(payload) => std::panic::resume_unwind(payload),
            Ok(()) => unreachable!("the test body ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("test did not finish within {limit:?}: it probably hangs")
        }
    }
}

/// Builds a runtime of `flavor` on a fresh thread, runs `make()` to completion on it with
/// `block_on`, and bounds the whole thing with [`with_timeout`].
#[track_caller]
pub fn run<F, Fut>(flavor: Flavor, make: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    with_timeout(move || {
        let rt = runtime(flavor);
        rt.block_on(make());
    })
}

/// Runs `fut` as a task of the multi-thread runtime `rt` and waits for its output on a plain
/// channel, without `block_on`.
///
/// On the multi-thread flavor the thread inside `block_on` is a guest worker: it runs tasks
/// from the injector too, is not named like a worker, has its own stack, and its polls are not
/// counted in the per-worker metrics. Tests about the workers themselves use this instead.
#[track_caller]
pub fn run_on_workers<T, Fut>(rt: &Runtime, fut: Fut) -> T
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv_timeout(EVENTUALLY)
        .expect("the task on the workers did not finish (or panicked)")
}

/// Defines one test per runtime flavor from one async body: `name::multi_thread` and
/// `name::current_thread` (tokio's `rt_common.rs` pattern). The body runs inside `block_on`,
/// bounded by [`TEST_TIMEOUT`].
macro_rules! rt_test {
    ($(#[$attr:meta])* async fn $name:ident() $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$attr])*
            #[test]
            fn multi_thread() {
                $crate::support::run($crate::support::Flavor::MultiThread, || async move $body);
            }

            $(#[$attr])*
            #[test]
            fn current_thread() {
                $crate::support::run($crate::support::Flavor::CurrentThread, || async move $body);
            }
        }
    };
}

/// Polls `cond` (sleeping briefly between tries on this plain thread) until it holds or
/// [`EVENTUALLY`] has passed; returns whether it held. For conditions that settle
/// asynchronously (an idle thread exiting, a background shutdown).
pub fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + EVENTUALLY;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The async twin of [`eventually`]: yields to the runtime between tries, so the tasks the
/// condition waits for can run even on a current-thread runtime.
pub async fn eventually_async(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + EVENTUALLY;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        conductor::task::yield_now().await;
    }
}

/// Spins (yielding the OS thread) until `flag` is set or [`EVENTUALLY`] has passed; returns
/// whether it was set. Used where a task must hold its worker while waiting.
pub fn spin_until(flag: &AtomicBool) -> bool {
    let deadline = Instant::now() + EVENTUALLY;
    while !flag.load(Ordering::Acquire) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::yield_now();
    }
    true
}

/// A shared counter of drops.
#[derive(Clone, Debug, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

impl DropCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A token that bumps this counter once, when it is dropped.
    pub fn token(&self) -> DropToken {
        DropToken(self.0.clone())
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Increments its [`DropCounter`] when dropped.
#[derive(Debug)]
pub struct DropToken(Arc<AtomicUsize>);

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that is never ready and counts its polls and its drop.
#[derive(Debug)]
pub struct PendingForever {
    _token: DropToken,
    polled: Arc<AtomicUsize>,
}

impl Future for PendingForever {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        self.polled.fetch_add(1, Ordering::SeqCst);
        Poll::Pending
    }
}

/// A future that never completes; `drops` counts its drop and the returned counter its polls.
pub fn pending_forever(drops: &DropCounter) -> (PendingForever, Arc<AtomicUsize>) {
    let polled = Arc::new(AtomicUsize::new(0));
    let fut = PendingForever {
        _token: drops.token(),
        polled: polled.clone(),
    };
    (fut, polled)
}

/// Records, when dropped, whether a conductor runtime was current on the dropping thread.
#[derive(Debug)]
pub struct DropContextProbe {
    pub drops: Arc<AtomicUsize>,
    pub drops_in_runtime: Arc<AtomicUsize>,
}

impl Drop for DropContextProbe {
    fn drop(&mut self) {
        if conductor::runtime::Handle::try_current().is_ok() {
            self.drops_in_runtime.fetch_add(1, Ordering::SeqCst);
        }
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// A gate that a blocking closure or a test thread can wait on, with a bound.
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn open(&self) {
        let (lock, cvar) = &*self.0;
        *lock.lock().unwrap() = true;
        cvar.notify_all();
    }

    pub fn is_open(&self) -> bool {
        *self.0.0.lock().unwrap()
    }

    /// Waits until the gate opens or `limit` passes; returns whether it opened.
    pub fn wait_for(&self, limit: Duration) -> bool {
        let (lock, cvar) = &*self.0;
        let guard = lock.lock().unwrap();
        let (guard, _) = cvar
            .wait_timeout_while(guard, limit, |open| !*open)
            .unwrap();
        *guard
    }

    /// Waits at most [`EVENTUALLY`].
    pub fn wait(&self) -> bool {
        self.wait_for(EVENTUALLY)
    }
}

/// A `std::sync::Barrier` whose wait gives up after a bound instead of hanging.
#[derive(Clone, Debug)]
pub struct BoundedBarrier(Arc<(Mutex<usize>, Condvar, usize)>);

impl BoundedBarrier {
    pub fn new(n: usize) -> Self {
        Self(Arc::new((Mutex::new(0), Condvar::new(), n)))
    }

    /// Arrives and waits until all `n` parties have arrived; returns false if that did not
    /// happen within [`EVENTUALLY`].
    pub fn wait(&self) -> bool {
        let (lock, cvar, n) = &*self.0;
        let mut arrived = lock.lock().unwrap();
        *arrived += 1;
        cvar.notify_all();
        let (arrived, _) = cvar
            .wait_timeout_while(arrived, EVENTUALLY, |arrived| *arrived < *n)
            .unwrap();
        *arrived >= *n
    }
}

/// A slot that a task's poll stores its waker in, for tests that wake tasks by hand.
#[derive(Clone, Debug, Default)]
pub struct WakerSlot(Arc<Mutex<Option<Waker>>>);

impl WakerSlot {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn store(&self, waker: &Waker) {
        let mut slot = self.0.lock().unwrap();
        match &*slot {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    pub fn take(&self) -> Option<Waker> {
        self.0.lock().unwrap().take()
    }

    pub fn get(&self) -> Option<Waker> {
        self.0.lock().unwrap().clone()
    }
}

/// Returns the panic payload as a string, for `&str` and `String` payloads.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        Some((*s).to_owned())
    } else {
        payload.downcast_ref::<String>().cloned()
    }
}

/// A size for the hardening suites (`hard_*.rs`): `reduced` by default, `full` with
/// `CONDUCTOR_FULL=1` (see `scripts/hardening-full.sh`), and a tenth of `reduced` (at least 1)
/// with `CONDUCTOR_TINY=1`, for runs under valgrind.
pub fn size(reduced: usize, full: usize) -> usize {
    if std::env::var_os("CONDUCTOR_FULL").is_some_and(|v| v == "1") {
        full
    } else if std::env::var_os("CONDUCTOR_TINY").is_some_and(|v| v == "1") {
        (reduced / 10).max(1)
    } else {
        reduced
    }
}

/// Re-runs this test binary's test `test` in a child process with `env` set, capturing its
/// output; the child is killed (and the test fails) after [`TEST_TIMEOUT`]. For tests that
/// must change process-wide state (rlimits) or read stderr.
pub fn run_child(test: &str, env: &[(&str, &str)]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("failed to run the child test process");
    let deadline = Instant::now() + TEST_TIMEOUT;
    while child.try_wait().expect("waiting for the child").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("reaping the child");
            panic!(
                "child test {test} hung; its stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child
        .wait_with_output()
        .expect("reading the child's output")
}

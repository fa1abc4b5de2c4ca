//! The helpers themselves (only under `--cfg conductor_loom`); see the crate docs.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Once;
// Bookkeeping shared by loom threads and read after they are joined: std types, invisible to
// loom, so they add no interleavings. (All loom threads of a model run on one OS thread.)
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Poll, Wake, Waker};

use conductor::runtime::{Builder, Runtime};

pub use conductor::__loom::park::{Driver, DriverUnpark, Parker, Unparker};
pub use conductor::__loom::task::Harness;
pub use loom::sync::Arc;
pub use loom::thread;

/// Preemption bound when `LOOM_MAX_PREEMPTIONS` is not set (unbounded would not finish).
const DEFAULT_PREEMPTIONS: usize = 2;
/// Scheduling points allowed in one execution when `LOOM_MAX_BRANCHES` is not set. A model
/// that builds and drops a runtime takes a few hundred; loom's default of 1 000 leaves too
/// little room.
const DEFAULT_MAX_BRANCHES: usize = 20_000;

thread_local! {
    /// Panics raised during the current execution (loom runs all of a model's threads on the
    /// test's OS thread, so a std thread-local sees them all).
    static PANICS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string panic payload>".to_string());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let _ = PANICS.try_with(|p| p.borrow_mut().push(format!("{msg}{at}")));
            prev(info);
        }));
    });
}

/// Runs `f` under loom with the suite's settings: every interleaving within the preemption
/// bound is explored, and each execution fails if any panic was raised in it, even one the
/// runtime caught (a task's poll and its completion run under `catch_unwind`, so a loom
/// failure raised there would otherwise turn into a `JoinError` or vanish).
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    install_panic_hook();
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(DEFAULT_PREEMPTIONS);
    }
    if std::env::var_os("LOOM_MAX_BRANCHES").is_none() {
        builder.max_branches = DEFAULT_MAX_BRANCHES;
    }
    let executions = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = executions.clone();
    let start = std::time::Instant::now();
    builder.check(move || {
        counted.fetch_add(1, Relaxed);
        PANICS.with(|p| p.borrow_mut().clear());
        f();
        let panics = PANICS.with(|p| std::mem::take(&mut *p.borrow_mut()));
        assert!(
            panics.is_empty(),
            "panics were caught inside the model (the runtime swallowed them): {panics:#?}"
        );
    });
    // Shown with `--nocapture` (run.sh passes it): how much each model explores.
    println!(
        "{}: {} executions in {:.1?}",
        std::thread::current().name().unwrap_or("model"),
        executions.load(Relaxed),
        start.elapsed()
    );
}

/// A multi-thread runtime with `workers` loom worker threads.
pub fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .expect("loom threads always start")
}

/// A current-thread runtime whose blocking pool has at most `max_blocking` threads.
pub fn current_thread(max_blocking: usize) -> Runtime {
    Builder::new_current_thread()
        .max_blocking_threads(max_blocking)
        .build()
        .expect("a current-thread runtime starts no thread")
}

/// Counts drops of the [`DropToken`]s it hands out.
#[derive(Clone, Default, Debug)]
pub struct Drops(std::sync::Arc<AtomicUsize>);

/// Adds one to its [`Drops`] when dropped. Put one in a future, an output or a closure.
#[derive(Debug)]
pub struct DropToken(Drops);

impl Drops {
    /// A counter at zero.
    pub fn new() -> Drops {
        Drops::default()
    }

    /// A token that counts here when dropped.
    pub fn token(&self) -> DropToken {
        DropToken(self.clone())
    }

    /// Tokens dropped so far.
    pub fn count(&self) -> usize {
        self.0.load(Relaxed)
    }
}

impl Drop for DropToken {
    fn drop(&mut self) {
        (self.0).0.fetch_add(1, Relaxed);
    }
}

/// A one-shot event: a task awaits [`Signal::wait`], another thread calls [`Signal::set`]. The
/// waker is woken outside the lock. Clones share the event.
#[derive(Clone)]
pub struct Signal(Arc<loom::sync::Mutex<(bool, Option<Waker>)>>);

impl Signal {
    /// An unset signal.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Signal {
        Signal(Arc::new(loom::sync::Mutex::new((false, None))))
    }

    /// Sets the signal and wakes the waiter, if one is registered.
    pub fn set(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Ready once the signal is set.
    pub fn wait(&self) -> Wait {
        Wait(self.clone())
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signal")
    }
}

/// The future of [`Signal::wait`].
#[derive(Debug)]
pub struct Wait(Signal);

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = (self.0).0.lock().unwrap();
        if state.0 {
            return Poll::Ready(());
        }
        match &state.1 {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => state.1 = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// Where a [`pending_once`] future leaves its waker. Clones share the slot.
#[derive(Clone, Default)]
pub struct WakerSlot(Arc<loom::sync::Mutex<Option<Waker>>>);

impl WakerSlot {
    /// An empty slot.
    pub fn new() -> WakerSlot {
        WakerSlot::default()
    }

    /// Takes the waker out, if the future left one.
    pub fn take(&self) -> Option<Waker> {
        self.0.lock().unwrap().take()
    }
}

impl fmt::Debug for WakerSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WakerSlot")
    }
}

/// A future that, on its first poll, stores a clone of its waker in `slot` and returns
/// `Pending`; on any later poll it is ready. Nothing wakes it but the model.
pub fn pending_once(slot: WakerSlot) -> PendingOnce {
    PendingOnce {
        slot,
        polled: false,
    }
}

/// See [`pending_once`].
#[derive(Debug)]
pub struct PendingOnce {
    slot: WakerSlot,
    polled: bool,
}

impl Future for PendingOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        *self.slot.0.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// A waker that counts its wakes; `std::sync::Arc::strong_count` on it tells how many clones
/// are still alive (the runtime keeps one while it holds it as a join waker).
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    /// A new waker and the handle to count with.
    pub fn new() -> (std::sync::Arc<CountingWaker>, Waker) {
        let inner = std::sync::Arc::new(CountingWaker::default());
        let waker = Waker::from(inner.clone());
        (inner, waker)
    }

    /// Wakes so far.
    pub fn wakes(&self) -> usize {
        self.wakes.load(Relaxed)
    }
}

impl Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.wakes.fetch_add(1, Relaxed);
    }
}

/// Drives `future` to completion on the calling (loom) thread, sleeping on a loom mutex and
/// condvar between polls. Unlike `loom::future::block_on` it never wakes spuriously, which
/// keeps the runtime models smaller; [`block_on_spurious`] is loom's, for the models of the
/// JoinHandle itself, where a spurious re-poll is a case to explore.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let unpark = std::sync::Arc::new(BlockOnUnpark {
        woken: loom::sync::Mutex::new(false),
        condvar: loom::sync::Condvar::new(),
    });
    let waker = Waker::from(unpark.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        let mut woken = unpark.woken.lock().unwrap();
        while !*woken {
            woken = unpark.condvar.wait(woken).unwrap();
        }
        *woken = false;
    }
}

pub use loom::future::block_on as block_on_spurious;

struct BlockOnUnpark {
    woken: loom::sync::Mutex<bool>,
    condvar: loom::sync::Condvar,
}

impl Wake for BlockOnUnpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        *self.woken.lock().unwrap() = true;
        self.condvar.notify_one();
    }
}

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

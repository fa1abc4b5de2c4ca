//! Support code for the benchmarks of conductor against tokio.
//!
//! The benchmarks themselves live in `benches/benches/`, one `[[bench]]` per file. Each one is
//! written once against the [`Executor`] trait and run for both [`Conductor`] and [`Tokio`] in
//! the same criterion group, so both runtimes execute exactly the same workload:
//!
//! ```text
//! spawn_many_local/conductor    spawn_many_local/tokio
//! ```
//!
//! Both runtimes are multi-thread with [`WORKERS`] worker threads, built once per benchmark
//! (outside `b.iter`). Channels are `futures::channel` (runtime-agnostic), so both runtimes are
//! measured on the same channel implementation.
//!
//! Run the whole suite and print a conductor/tokio table with `benches/run.sh`.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::Criterion;
use futures::channel::oneshot;

/// Worker threads of both runtimes in every benchmark.
pub const WORKERS: usize = 2;

/// The criterion settings every benchmark uses: few samples, short measurement, so the whole
/// suite runs in a few minutes on a 2-core machine.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

/// The operations a benchmark needs from a runtime.
///
/// Spawn functions return a future of the task's output (panicking if the task failed);
/// dropping that future detaches the task, as dropping a `JoinHandle` does.
pub trait Executor: 'static {
    /// The name used as the criterion function id: `<group>/<NAME>`.
    const NAME: &'static str;

    /// The runtime type.
    type Runtime: Send + Sync + 'static;

    /// Builds a multi-thread runtime with [`WORKERS`] workers.
    fn runtime() -> Self::Runtime;

    /// Runs `fut` to completion on the current (non-runtime) thread.
    fn block_on<F: Future>(rt: &Self::Runtime, fut: F) -> F::Output;

    /// Spawns onto `rt` from outside the runtime.
    fn spawn_on<F>(rt: &Self::Runtime, fut: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns onto the ambient runtime (from a task or a `block_on` body).
    fn spawn<F>(fut: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `f` on the ambient runtime's blocking pool.
    fn spawn_blocking<F, R>(f: F) -> impl Future<Output = R> + Send + 'static
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static;

    /// Yields to the scheduler once.
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// The runtime's sleep (registered on first poll, cancelled on drop).
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;

    /// The runtime's timeout; `Err(())` when the deadline passed first.
    fn timeout<F>(duration: Duration, fut: F) -> impl Future<Output = Result<F::Output, ()>> + Send
    where
        F: Future + Send;
}

/// conductor's multi-thread runtime.
#[derive(Debug)]
pub struct Conductor;

impl Executor for Conductor {
    const NAME: &'static str = "conductor";
    type Runtime = conductor::runtime::Runtime;

    /// `CONDUCTOR_BENCH_DETECTION=off` builds it without the blocking monitor, to measure
    /// what detection costs (see `docs/benchmarks.md`).
    fn runtime() -> Self::Runtime {
        let mut builder = conductor::runtime::Builder::new_multi_thread();
        builder.worker_threads(WORKERS);
        if std::env::var("CONDUCTOR_BENCH_DETECTION").as_deref() == Ok("off") {
            builder.disable_blocking_detection();
        }
        builder
            .build()
            .expect("failed to build the conductor runtime")
    }

    fn block_on<F: Future>(rt: &Self::Runtime, fut: F) -> F::Output {
        rt.block_on(fut)
    }

    fn spawn_on<F>(rt: &Self::Runtime, fut: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = rt.spawn(fut);
        async move { handle.await.expect("conductor task failed") }
    }

    fn spawn<F>(fut: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = conductor::spawn(fut);
        async move { handle.await.expect("conductor task failed") }
    }

    fn spawn_blocking<F, R>(f: F) -> impl Future<Output = R> + Send + 'static
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let handle = conductor::task::spawn_blocking(f);
        async move { handle.await.expect("conductor blocking task failed") }
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        conductor::task::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        conductor::time::sleep(duration)
    }

    fn timeout<F>(duration: Duration, fut: F) -> impl Future<Output = Result<F::Output, ()>> + Send
    where
        F: Future + Send,
    {
        let t = conductor::time::timeout(duration, fut);
        async move { t.await.map_err(|_| ()) }
    }
}

/// tokio's multi-thread runtime, configured as `#[tokio::main]` would be (`enable_all`), since
/// conductor's drivers are always on.
#[derive(Debug)]
pub struct Tokio;

impl Executor for Tokio {
    const NAME: &'static str = "tokio";
    type Runtime = tokio::runtime::Runtime;

    fn runtime() -> Self::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .enable_all()
            .build()
            .expect("failed to build the tokio runtime")
    }

    fn block_on<F: Future>(rt: &Self::Runtime, fut: F) -> F::Output {
        rt.block_on(fut)
    }

    fn spawn_on<F>(rt: &Self::Runtime, fut: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = rt.spawn(fut);
        async move { handle.await.expect("tokio task failed") }
    }

    fn spawn<F>(fut: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = tokio::spawn(fut);
        async move { handle.await.expect("tokio task failed") }
    }

    fn spawn_blocking<F, R>(f: F) -> impl Future<Output = R> + Send + 'static
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let handle = tokio::task::spawn_blocking(f);
        async move { handle.await.expect("tokio blocking task failed") }
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    fn timeout<F>(duration: Duration, fut: F) -> impl Future<Output = Result<F::Output, ()>> + Send
    where
        F: Future + Send,
    {
        let t = tokio::time::timeout(duration, fut);
        async move { t.await.map_err(|_| ()) }
    }
}

/// Counts completions down from `n` and fires a oneshot when the last one arrives.
///
/// Cheaper per task than cloning a channel sender: one `Arc` clone and one `fetch_sub`.
#[derive(Debug)]
pub struct Countdown {
    remaining: AtomicUsize,
    done: Mutex<Option<oneshot::Sender<()>>>,
}

impl Countdown {
    /// A countdown from `n` (at least 1) and the receiver that completes when it reaches zero.
    pub fn new(n: usize) -> (Arc<Self>, oneshot::Receiver<()>) {
        assert!(n > 0, "a countdown needs at least one completion");
        let (tx, rx) = oneshot::channel();
        let countdown = Countdown {
            remaining: AtomicUsize::new(n),
            done: Mutex::new(Some(tx)),
        };
        (Arc::new(countdown), rx)
    }

    /// Records one completion; the last one fires the receiver.
    pub fn done(&self) {
        // AcqRel: the last decrement sees every completion before it.
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            let tx = self.done.lock().unwrap().take();
            if let Some(tx) = tx {
                let _ = tx.send(());
            }
        }
    }
}

/// The resident set size of this process in bytes (`VmRSS` in `/proc/self/status`), or `None`
/// where that file does not exist.
pub fn vm_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_fires_once_at_zero() {
        let (cd, mut rx) = Countdown::new(3);
        cd.done();
        cd.done();
        assert_eq!(rx.try_recv(), Ok(None));
        cd.done();
        assert_eq!(rx.try_recv(), Ok(Some(())));
    }

    #[test]
    fn rss_is_readable_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(vm_rss_bytes().unwrap() > 0);
        }
    }
}

//! Hardening, panics: in tasks, in a future's `Drop` during shutdown, in `spawn_blocking`
//! closures, in the thread hooks and in a user's `Waker::wake` called by the runtime. In every
//! case the runtime keeps running (or shuts down cleanly) and reports where.

#[macro_use]
mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use conductor::runtime::Builder;
use conductor::time::{Instant, sleep_until};
use support::{DropCounter, Flavor, panic_message, run_child, runtime, size, with_timeout};

/// A waker whose `wake` panics: a bug in user code that the runtime must survive.
struct PanickyWaker;

impl Wake for PanickyWaker {
    fn wake(self: Arc<Self>) {
        panic!("user waker panicked in wake");
    }
}

fn panicky_waker() -> Waker {
    Waker::from(Arc::new(PanickyWaker))
}

rt_test! {
    async fn every_task_panic_is_isolated_and_counted() {
        let n = size(2_000, 100_000);
        let mut handles = Vec::with_capacity(n);
        for i in 0..n {
            handles.push(conductor::spawn(async move {
                if i % 3 == 0 {
                    panic!("task {i} panicked");
                }
                i
            }));
        }
        let (mut ok, mut panicked) = (0, 0);
        for (i, h) in handles.into_iter().enumerate() {
            match h.await {
                Ok(v) => {
                    assert_eq!(v, i);
                    ok += 1;
                }
                Err(e) => {
                    assert!(e.is_panic());
                    let msg = panic_message(&*e.into_panic()).unwrap();
                    assert_eq!(msg, format!("task {i} panicked"));
                    panicked += 1;
                }
            }
        }
        assert_eq!(panicked, n.div_ceil(3));
        assert_eq!(ok + panicked, n);
        // The runtime still runs tasks.
        assert_eq!(conductor::spawn(async { 7 }).await.unwrap(), 7);
    }
}

/// A future that never completes and panics when dropped (every other one), counting drops.
struct PanicOnDrop {
    panic: bool,
    _token: support::DropToken,
}

impl Future for PanicOnDrop {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if self.panic {
            panic!("future panicked in Drop during shutdown");
        }
    }
}

#[test]
fn panics_in_drop_during_shutdown_drop_every_future_once() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let n = size(1_000, 50_000);
            let drops = DropCounter::new();
            let rt = runtime(flavor);
            let handles: Vec<_> = (0..n)
                .map(|i| {
                    rt.spawn(PanicOnDrop {
                        panic: i % 2 == 0,
                        _token: drops.token(),
                    })
                })
                .collect();
            // Let some of them be polled (parked as idle tasks), then shut down.
            rt.block_on(conductor::task::yield_now());
            drop(rt);
            assert_eq!(
                drops.get(),
                n,
                "{flavor:?}: every future dropped exactly once"
            );
            for (i, h) in handles.into_iter().enumerate() {
                let err = futures::executor::block_on(h).unwrap_err();
                if i % 2 == 0 {
                    assert!(err.is_panic(), "{flavor:?}: task {i}");
                } else {
                    assert!(err.is_cancelled(), "{flavor:?}: task {i}");
                }
            }
        });
    }
}

rt_test! {
    async fn spawn_blocking_panics_come_back_and_the_pool_goes_on() {
        let n = size(200, 5_000);
        let handles: Vec<_> = (0..n)
            .map(|i| {
                conductor::task::spawn_blocking(move || {
                    if i % 2 == 1 {
                        panic!("blocking {i} panicked");
                    }
                    i
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            match h.await {
                Ok(v) => assert_eq!(v, i),
                Err(e) => {
                    assert_eq!(i % 2, 1);
                    let msg = panic_message(&*e.into_panic()).unwrap();
                    assert_eq!(msg, format!("blocking {i} panicked"));
                }
            }
        }
        assert_eq!(conductor::task::spawn_blocking(|| 5).await.unwrap(), 5);
    }
}

/// Builds a runtime whose `on_thread_start` and/or `on_thread_stop` hooks panic, uses it
/// (tasks on the workers, blocking closures), shuts it down, and checks both hooks ran on
/// every thread.
fn hooks_panic(flavor: Flavor, start_panics: bool, stop_panics: bool) {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let mut builder = match flavor {
        Flavor::MultiThread => {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
        Flavor::CurrentThread => Builder::new_current_thread(),
    };
    let (s, t) = (started.clone(), stopped.clone());
    let rt = builder
        .on_thread_start(move || {
            s.fetch_add(1, Ordering::SeqCst);
            if start_panics {
                panic!("on_thread_start hook panicked");
            }
        })
        .on_thread_stop(move || {
            t.fetch_add(1, Ordering::SeqCst);
            if stop_panics {
                panic!("on_thread_stop hook panicked");
            }
        })
        .build()
        .expect("the runtime builds although its hooks panic");
    let sum = rt.block_on(async {
        let tasks: Vec<_> = (0..100u64)
            .map(|i| conductor::spawn(async move { i }))
            .collect();
        let blocking: Vec<_> = (0..4u64)
            .map(|i| conductor::task::spawn_blocking(move || i))
            .collect();
        let mut sum = 0;
        for t in tasks {
            sum += t.await.unwrap();
        }
        for b in blocking {
            sum += b.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..100).sum::<u64>() + (0..4).sum::<u64>());
    drop(rt);
    let started = started.load(Ordering::SeqCst);
    assert!(started >= 1, "at least one blocking thread started");
    assert_eq!(
        stopped.load(Ordering::SeqCst),
        started,
        "every started thread stopped"
    );
}

#[test]
fn panicking_on_thread_start_hook_leaves_the_threads_running() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || hooks_panic(flavor, true, false));
    }
}

#[test]
fn panicking_on_thread_stop_hook_still_lets_shutdown_finish() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || hooks_panic(flavor, false, true));
        with_timeout(move || hooks_panic(flavor, true, true));
    }
}

/// Child side of [`hook_panic_is_reported_naming_the_hook_and_the_thread`].
#[test]
fn child_hook_panic_report() {
    if std::env::var_os("CONDUCTOR_CHILD").is_none() {
        return;
    }
    let rt = Builder::new_current_thread()
        .thread_name("hooked")
        .on_thread_start(|| panic!("start hook boom"))
        .build()
        .unwrap();
    assert_eq!(
        rt.block_on(async { conductor::task::spawn_blocking(|| 1).await.unwrap() }),
        1
    );
}

#[test]
fn hook_panic_is_reported_naming_the_hook_and_the_thread() {
    let out = run_child("child_hook_panic_report", &[("CONDUCTOR_CHILD", "1")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(
        stderr.contains("conductor: the on_thread_start hook panicked on thread 'hooked'"),
        "stderr: {stderr}"
    );
}

/// Polls `fut` once with `waker`, inside a task, then keeps it alive until `release`.
async fn poll_once_with<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

rt_test! {
    /// Regression: a panicking waker in the timer's wake batch dropped the rest of the batch
    /// unwoken (and, on the current-thread flavor, unwound out of `block_on`).
    async fn a_panicking_waker_on_a_timer_does_not_lose_other_timers() {
        let n = size(200, 10_000);
        let deadline = Instant::now() + Duration::from_millis(30);
        // Several timers with a panicking waker, registered first, at the same deadline as the
        // others, so they fire in the same batches.
        let mut bad: Vec<_> = (0..8).map(|_| Box::pin(sleep_until(deadline))).collect();
        for s in bad.iter_mut() {
            assert!(poll_once_with(s, &panicky_waker()).await.is_pending());
        }
        let done = Arc::new(AtomicUsize::new(0));
        let good: Vec<_> = (0..n)
            .map(|_| {
                let done = done.clone();
                conductor::spawn(async move {
                    sleep_until(deadline).await;
                    done.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for g in good {
            g.await.unwrap();
        }
        assert_eq!(done.load(Ordering::SeqCst), n);
        drop(bad);
        assert_eq!(conductor::spawn(async { 3 }).await.unwrap(), 3);
    }
}

rt_test! {
    /// A JoinHandle polled with a panicking waker: the completing worker survives, and the
    /// handle still yields the output afterwards.
    async fn a_panicking_join_waker_does_not_take_the_worker_down() {
        let n = size(100, 5_000);
        for i in 0..n {
            let done = Arc::new(AtomicBool::new(false));
            let d = done.clone();
            let mut h = conductor::spawn(async move {
                conductor::task::yield_now().await;
                d.store(true, Ordering::SeqCst);
                i
            });
            match poll_once_with(&mut h, &panicky_waker()).await {
                Poll::Ready(v) => assert_eq!(v.unwrap(), i),
                Poll::Pending => {
                    // Let the task complete (and wake the panicking waker) before we poll
                    // again with ours.
                    assert!(support::eventually_async(|| done.load(Ordering::SeqCst)).await);
                    conductor::time::sleep(Duration::from_millis(1)).await;
                    assert_eq!(h.await.unwrap(), i);
                }
            }
        }
        assert_eq!(conductor::spawn(async { 4 }).await.unwrap(), 4);
    }
}

rt_test! {
    /// Regression: the I/O driver woke its batch with `for_each(Waker::wake)`; a panicking
    /// waker dropped the rest unwoken.
    async fn a_panicking_waker_on_a_socket_does_not_lose_other_readers() {
        use conductor::io::{AsyncReadExt, AsyncWriteExt};
        use conductor::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let n = size(20, 200);
        let mut pairs = Vec::new();
        for _ in 0..n {
            let c = TcpStream::connect(addr).await.unwrap();
            let (s, _) = listener.accept().await.unwrap();
            pairs.push((c, s));
        }
        // Half the readers register a panicking waker; then every peer writes at once.
        let mut bad = Vec::new();
        let mut good = Vec::new();
        let mut writers = Vec::new();
        for (i, (c, s)) in pairs.into_iter().enumerate() {
            writers.push(s);
            if i % 2 == 0 {
                let mut r = Box::pin(async move { c.readable().await });
                assert!(poll_once_with(&mut r, &panicky_waker()).await.is_pending());
                bad.push(r);
            } else {
                good.push(conductor::spawn(async move {
                    let mut c = c;
                    let mut buf = [0u8; 4];
                    c.read_exact(&mut buf).await.unwrap();
                    buf
                }));
            }
        }
        for s in writers.iter_mut() {
            s.write_all(b"ping").await.unwrap();
        }
        for g in good {
            assert_eq!(&g.await.unwrap(), b"ping");
        }
        drop(bad);
    }
}

//! Hardening, lifecycle: create and drop many runtimes of both flavors in one process; the
//! process ends with the threads (`/proc/self/task`) and file descriptors (`/proc/self/fd`) it
//! started with.
//!
//! One `#[test]` only: the counts are per process, so nothing else may run beside it.

#[macro_use]
mod support;

use std::time::Duration;

use conductor::runtime::Builder;
use support::{size, with_timeout_of};

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).expect("procfs").count()
}

fn threads() -> usize {
    count("/proc/self/task")
}

fn fds() -> usize {
    count("/proc/self/fd")
}

#[test]
fn creating_and_dropping_runtimes_leaks_no_thread_and_no_fd() {
    // The body runs on a helper thread (bounded in time); count from inside it, so that the
    // helper itself is part of both readings.
    with_timeout_of(Duration::from_secs(300), || {
        let n = size(500, 1_000);
        let (threads_before, fds_before) = (threads(), fds());
        for i in 0..n {
            let rt = if i % 2 == 0 {
                Builder::new_multi_thread()
                    .worker_threads(2)
                    .build()
                    .unwrap()
            } else {
                Builder::new_current_thread().build().unwrap()
            };
            rt.block_on(async {
                let task = conductor::spawn(async { conductor::task::yield_now().await });
                let blocking = conductor::task::spawn_blocking(|| 1);
                let sleep = conductor::time::sleep(Duration::from_micros(10));
                let listener = conductor::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap();
                task.await.unwrap();
                assert_eq!(blocking.await.unwrap(), 1);
                sleep.await;
                drop(listener);
            });
            drop(rt);
        }
        // Dropping a runtime joins its workers and blocking threads, so the counts are exact
        // at once; allow the kernel a moment to retire exited threads from procfs.
        let settled = support::eventually(|| threads() == threads_before && fds() == fds_before);
        assert!(
            settled,
            "after {n} runtimes: threads {} -> {}, fds {} -> {}",
            threads_before,
            threads(),
            fds_before,
            fds()
        );
    });
}

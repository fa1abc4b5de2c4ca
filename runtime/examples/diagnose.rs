//! What conductor tells you about a slow program, and the fix for each cause:
//! `cargo run --example diagnose`.
//!
//! Three tasks misbehave in the three usual ways:
//!
//! - (a) a blocking call (`std::thread::sleep`) inside a task holds a worker;
//! - (b) a huge future (a 64 KiB buffer held across an `.await`) is copied on every spawn;
//! - (c) a tight loop that never yields keeps its worker from every other task.
//!
//! The program prints the task dump while they run (taken from a blocking-pool thread, since
//! the workers are busy), the spawn notes, and the large-future report; then it runs the fixed versions (`spawn_blocking`, boxing the buffer once,
//! `yield_now`) and prints the dump and notes again. `docs/diagnostics.md` explains each part.

use std::time::{Duration, Instant};

use conductor::runtime::{Builder, Handle, LargeFutureReport, TaskState};
use conductor::task;

const BUF: usize = 64 * 1024;

fn main() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        // 16 KiB is the default; spelled out here to show the knob.
        .large_future_threshold(16 * 1024)
        .on_large_future(|r: &LargeFutureReport| {
            println!(
                "[large future] {}: {} bytes (threshold {}): box the large part once",
                r.location(),
                r.size(),
                r.threshold()
            );
        })
        // Problem (a) and (c): the blocking detector reports any poll longer than the
        // threshold (100 ms by default; shorter here), naming the task and its spawn line,
        // and hands the worker's other tasks to a replacement thread. Without a hook the
        // report is one line on stderr.
        .blocking_threshold(Duration::from_millis(50))
        .on_blocking(|r: &conductor::runtime::BlockingReport| println!("[blocking] {r}"))
        .build()
        .expect("failed to build the runtime");

    println!("== the slow version ==");
    rt.block_on(async {
        // (a) Blocks its worker for 500 ms.
        let blocking = conductor::spawn(async {
            std::thread::sleep(Duration::from_millis(500));
        });
        // (b) A 64 KiB future: the buffer lives across the `.await`, so it is part of the
        // future's state and gets copied into the task on spawn.
        let huge = conductor::spawn(async {
            let buf = [1u8; BUF];
            task::yield_now().await;
            buf.iter().map(|&b| u64::from(b)).sum::<u64>()
        });
        // (c) Spins for 400 ms without ever returning to the scheduler.
        let spinning = conductor::spawn(async {
            let start = Instant::now();
            let mut turns = 0u64;
            while start.elapsed() < Duration::from_millis(400) {
                turns += 1;
            }
            turns
        });
        look_at_tasks_after(Duration::from_millis(100)).await;
        blocking.await.unwrap();
        assert_eq!(huge.await.unwrap(), BUF as u64);
        spinning.await.unwrap();
        println!("spawn notes:\n{}", Handle::current().spawn_notes());
    });

    println!("== the fixed version ==");
    rt.block_on(async {
        // (a) Blocking work goes to the blocking pool; the workers stay free.
        let blocking = task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(500)));
        // (b) The buffer is boxed once: the future holds a pointer, not 64 KiB.
        let huge = conductor::spawn(async {
            let buf = vec![1u8; BUF].into_boxed_slice();
            task::yield_now().await;
            buf.iter().map(|&b| u64::from(b)).sum::<u64>()
        });
        // (c) The loop yields every 1024 turns, so other tasks run in between.
        let spinning = conductor::spawn(async {
            let start = Instant::now();
            let mut turns = 0u64;
            while start.elapsed() < Duration::from_millis(400) {
                turns += 1;
                if turns % 1024 == 0 {
                    task::yield_now().await;
                }
            }
            turns
        });
        look_at_tasks_after(Duration::from_millis(100)).await;
        blocking.await.unwrap();
        assert_eq!(huge.await.unwrap(), BUF as u64);
        spinning.await.unwrap();
        println!("spawn notes:\n{}", Handle::current().spawn_notes());
    });
}

/// Takes two task dumps from a blocking-pool thread (a dump works from any thread, and the
/// workers may all be busy), `delay` and then 50 ms after the tasks started, prints the
/// second, and points at what looks wrong: a task running in both dumps with the same poll
/// count is stuck in one poll.
async fn look_at_tasks_after(delay: Duration) {
    let handle = Handle::current();
    let (first, second) = task::spawn_blocking(move || {
        std::thread::sleep(delay);
        let first = handle.dump();
        std::thread::sleep(Duration::from_millis(50));
        (first, handle.dump())
    })
    .await
    .unwrap();
    println!("{second}");
    for t in second.tasks() {
        let stuck = matches!(t.state(), TaskState::Running { .. })
            && first.get(t.id()).is_some_and(|before| {
                matches!(before.state(), TaskState::Running { .. }) && before.polls() == t.polls()
            });
        if stuck {
            println!(
                "-> task {} ({}) spent 50 ms in one poll: it blocks (use spawn_blocking) or \
                 never yields (use yield_now)",
                t.id(),
                t.location(),
            );
        }
        if t.future_size() > 16 * 1024 {
            println!(
                "-> task {} ({}) is a {}-byte future: box its large part once",
                t.id(),
                t.location(),
                t.future_size()
            );
        }
    }
    println!();
}

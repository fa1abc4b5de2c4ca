//! What conductor tells you about a slow program, and the fix for each cause:
//! `cargo run --example diagnose`.
//!
//! Three tasks misbehave in the three usual ways:
//!
//! - (a) a blocking call (`std::thread::sleep`) inside a task holds a worker;
//! - (b) a huge future (a 64 KiB buffer held across an `.await`) is copied on every spawn;
//! - (c) a tight loop that never yields keeps its worker from every other task.
//!
//! The program prints the task dump while they run, the spawn notes, and the large-future
//! report; then it runs the fixed versions (`spawn_blocking`, boxing the buffer once,
//! `yield_now`) and prints the dump and notes again. `docs/diagnostics.md` explains each part.

use std::time::{Duration, Instant};

use conductor::runtime::{Builder, Handle, LargeFutureReport};
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
        // TODO(lead): once the blocking detector lands, show its report here too:
        // .on_blocking(|r: &conductor::runtime::BlockingReport| println!("[blocking] {r}"))
        // Until then (and without a hook) problem (a) is reported by the detector's default
        // line on stderr.
        .build()
        .expect("failed to build the runtime");

    println!("== the slow version ==");
    rt.block_on(async {
        // (a) Blocks its worker for 300 ms.
        let blocking = conductor::spawn(async {
            std::thread::sleep(Duration::from_millis(300));
        });
        // (b) A 64 KiB future: the buffer lives across the `.await`, so it is part of the
        // future's state and gets copied into the task on spawn.
        let huge = conductor::spawn(async {
            let buf = [1u8; BUF];
            task::yield_now().await;
            buf.iter().map(|&b| u64::from(b)).sum::<u64>()
        });
        // (c) Spins for 200 ms without ever returning to the scheduler.
        let spinning = conductor::spawn(async {
            let start = Instant::now();
            let mut turns = 0u64;
            while start.elapsed() < Duration::from_millis(200) {
                turns += 1;
            }
            turns
        });
        // Let them get going, then look.
        conductor::time::sleep(Duration::from_millis(50)).await;
        println!("{}", Handle::current().dump());
        blocking.await.unwrap();
        assert_eq!(huge.await.unwrap(), BUF as u64);
        spinning.await.unwrap();
        println!("spawn notes:\n{}", Handle::current().spawn_notes());
    });

    println!("== the fixed version ==");
    rt.block_on(async {
        // (a) Blocking work goes to the blocking pool; the workers stay free.
        let blocking = task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(300)));
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
            while start.elapsed() < Duration::from_millis(200) {
                turns += 1;
                if turns % 1024 == 0 {
                    task::yield_now().await;
                }
            }
            turns
        });
        conductor::time::sleep(Duration::from_millis(50)).await;
        println!("{}", Handle::current().dump());
        blocking.await.unwrap();
        assert_eq!(huge.await.unwrap(), BUF as u64);
        spinning.await.unwrap();
        println!("spawn notes:\n{}", Handle::current().spawn_notes());
    });
}

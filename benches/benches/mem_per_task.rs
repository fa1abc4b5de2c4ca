//! `mem_per_task`: resident memory per idle task, conductor and tokio.
//!
//! Spawns 100 000 tasks that each mark themselves polled and then wait forever
//! (`std::future::pending`), waits until every one has been polled once, and reports the growth
//! of `VmRSS` (from `/proc/self/status`) divided by the number of tasks. The `JoinHandle`s are
//! dropped at once, so only the runtime's own memory per task is counted. Tasks are spawned in
//! batches that are polled before the next batch goes in, so run queues stay short and their
//! buffers do not count as task memory.
//!
//! Each runtime is measured in its own process so their allocations do not mix:
//!
//! ```text
//! cargo bench -p conductor-benches --bench mem_per_task               # both, one child each
//! cargo bench -p conductor-benches --bench mem_per_task -- conductor  # only conductor
//! ```
//!
//! Prints one line per runtime:
//! `mem_per_task/conductor: 100000 idle tasks, +12.2 MiB resident, 128 bytes per task`.

use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use conductor_benches::{Conductor, Executor, Tokio, vm_rss_bytes};

const NUM_TASKS: usize = 100_000;
const BATCH: usize = 1_000;
const RUNTIMES: [&str; 2] = [Conductor::NAME, Tokio::NAME];

/// How many tasks have been polled once.
static POLLED: AtomicUsize = AtomicUsize::new(0);

fn wait_polled(target: usize) {
    let start = Instant::now();
    while POLLED.load(Ordering::Acquire) < target {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "only {} of {target} tasks were polled within 60 s",
            POLLED.load(Ordering::Acquire)
        );
        thread::yield_now();
    }
}

fn measure<E: Executor>() {
    let rt = E::runtime();

    // Warm up: start the workers and let each thread's allocator arena exist before the baseline.
    E::block_on(&rt, async {
        let handles: Vec<_> = (0..BATCH).map(|i| E::spawn(async move { i })).collect();
        for handle in handles {
            handle.await;
        }
    });

    let before = vm_rss_bytes().expect("VmRSS is not readable from /proc/self/status");
    for batch_end in (BATCH..=NUM_TASKS).step_by(BATCH) {
        for _ in 0..BATCH {
            drop(E::spawn_on(&rt, async {
                POLLED.fetch_add(1, Ordering::Release);
                std::future::pending::<()>().await
            }));
        }
        wait_polled(batch_end);
    }
    let after = vm_rss_bytes().expect("VmRSS is not readable from /proc/self/status");

    let grown = after.saturating_sub(before);
    println!(
        "mem_per_task/{}: {NUM_TASKS} idle tasks, +{:.1} MiB resident, {} bytes per task",
        E::NAME,
        grown as f64 / (1024.0 * 1024.0),
        grown / NUM_TASKS as u64,
    );
    // Dropping the runtime drops all 100 000 pending futures: shutdown is part of the run.
    drop(rt);
}

fn main() -> ExitCode {
    // cargo passes `--bench` (and criterion flags such as `--quick`) to every bench binary; the
    // positional arguments are runtime names or, as with criterion, name filters.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for name in RUNTIMES {
            println!("mem_per_task/{name}: bench");
        }
        return ExitCode::SUCCESS;
    }
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    match positional.as_slice() {
        [name] if *name == Conductor::NAME => measure::<Conductor>(),
        [name] if *name == Tokio::NAME => measure::<Tokio>(),
        filters => {
            // One child process per runtime, skipping those that a name filter excludes.
            let exe = std::env::current_exe().expect("cannot find this executable");
            for name in RUNTIMES {
                let id = format!("mem_per_task/{name}");
                // criterion filters are regexes; alternatives (`a|b`) are all we need to honour.
                let wanted = |f: &&str| f.split('|').any(|alt| id.contains(alt));
                if !filters.is_empty() && !filters.iter().any(wanted) {
                    continue;
                }
                let status = Command::new(&exe)
                    .arg(name)
                    .status()
                    .expect("cannot start the measuring child process");
                if !status.success() {
                    eprintln!("{id} failed: {status}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}

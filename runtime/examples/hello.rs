//! The smallest conductor program: `cargo run --example hello`.
//!
//! `#[conductor::main]` builds a multi-thread runtime (here with two workers), runs the body of
//! `main` in `block_on` and returns its result; the runtime shuts down when `main` returns.

use conductor::task::{self, JoinError, JoinSet};

#[conductor::main(worker_threads = 2)]
async fn main() -> Result<(), JoinError> {
    // Tasks spawned from `main` run on the workers; awaiting a handle gives the task's output.
    let greeting = conductor::spawn(async { "Hello from a conductor task" }).await?;
    println!("{greeting}.");

    // A JoinSet collects the results of many tasks as they finish.
    let mut set = JoinSet::new();
    for i in 1..=10u64 {
        set.spawn(async move { i * i });
    }
    let mut sum = 0;
    while let Some(square) = set.join_next().await {
        sum += square?;
    }
    println!("The squares of 1 to 10 add up to {sum}.");

    // Blocking or CPU-heavy work goes to the blocking pool, off the workers.
    let total = task::spawn_blocking(|| (1..=1_000_000u64).sum::<u64>()).await?;
    println!("The blocking pool added up 1 to a million: {total}.");
    Ok(())
}

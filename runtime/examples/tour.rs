//! A short tour of conductor: `cargo run --release --example tour`.
//!
//! Builds a runtime with the `Builder`, spawns and joins tasks, uses a `JoinSet`, runs blocking
//! work on the blocking pool, aborts a task, catches a panicking task and prints the runtime's
//! metrics. Each step prints one plain sentence about what happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use conductor::runtime::Builder;
use conductor::task::{self, JoinSet};

fn main() -> std::io::Result<()> {
    let started = Instant::now();

    // 1. A multi-thread runtime with two workers, named threads and a hook that counts them.
    let threads_started = Arc::new(AtomicUsize::new(0));
    let counter = threads_started.clone();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("tour")
        .on_thread_start(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        })
        .build()?;
    println!(
        "Built a multi-thread runtime with {} worker threads.",
        rt.metrics().num_workers()
    );

    rt.block_on(async {
        // 2. Spawn two tasks and join them; a task can ask for its own id.
        let answer = conductor::spawn(async { (task::id(), 40 + 2) });
        let greeting = conductor::spawn(async { "hello from a task".to_uppercase() });
        let answer_id = answer.id();
        let (seen_id, value) = answer.await.expect("the task does not fail");
        assert_eq!(seen_id, answer_id);
        let text = greeting.await.expect("the task does not fail");
        println!("Task {answer_id} computed {value}, and another task returned {text:?}.");

        // 3. A JoinSet owns a group of tasks and yields their results as they finish.
        let mut set = JoinSet::new();
        for i in 1..=10_u64 {
            set.spawn(async move {
                task::yield_now().await;
                i * i
            });
        }
        let (mut count, mut sum) = (0, 0);
        while let Some(result) = set.join_next().await {
            count += 1;
            sum += result.expect("the task does not fail");
        }
        println!("A JoinSet ran {count} tasks squaring 1 to 10; the squares add up to {sum}.");

        // 4. Blocking work runs on the blocking pool, not on the workers.
        let total = task::spawn_blocking(|| (1..=1_000_000_u64).sum::<u64>())
            .await
            .expect("the closure does not panic");
        println!("spawn_blocking summed 1 to 1 000 000 off the workers and got {total}.");

        // 5. Abort a task that would wait forever: awaiting it gives a cancellation error.
        let stuck = conductor::spawn(std::future::pending::<()>());
        stuck.abort();
        let err = stuck.await.expect_err("an aborted task has no output");
        println!(
            "Aborted a task that waits forever; awaiting it gave the error: {err} (is_cancelled: {}).",
            err.is_cancelled()
        );

        // 6. A panic in a task is caught and handed to its JoinHandle; the worker lives on.
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {})); // keep the expected panic off stderr
        let err = conductor::spawn(async { panic!("something went wrong") })
            .await
            .expect_err("a panicking task has no output");
        std::panic::set_hook(default_hook);
        println!(
            "A task panicked; its JoinHandle returned the error: {err} (is_panic: {}).",
            err.is_panic()
        );
        let after = conductor::spawn(async { 7 * 6 })
            .await
            .expect("workers survive panics");
        println!("The runtime kept going: the next task returned {after}.");

        // Timers: sleep for 20 ms, then give a future that never completes 10 ms to finish.
        let start = conductor::time::Instant::now();
        conductor::time::sleep(std::time::Duration::from_millis(20)).await;
        let slept = start.elapsed();
        let late = conductor::time::timeout(
            std::time::Duration::from_millis(10),
            std::future::pending::<()>(),
        )
        .await;
        println!(
            "Slept 20 ms (measured {slept:.1?}); a 10 ms timeout on a future that never completes gave: {}.",
            late.expect_err("pending never completes")
        );

        // Networking: a loopback TCP exchange with an echo task.
        {
            use conductor::io::{AsyncReadExt, AsyncWriteExt};
            let listener = conductor::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let echo = conductor::spawn(async move {
                let (mut stream, _) = listener.accept().await?;
                let mut buf = [0u8; 5];
                stream.read_exact(&mut buf).await?;
                stream.write_all(&buf).await
            });
            let mut client = conductor::net::TcpStream::connect(addr).await?;
            client.write_all(b"hello").await?;
            let mut reply = [0u8; 5];
            client.read_exact(&mut reply).await?;
            echo.await.expect("the echo task does not panic")?;
            println!(
                "A TCP client sent \"hello\" to an echo task on {addr} and got back \"{}\".",
                String::from_utf8_lossy(&reply)
            );
        }
        Ok::<_, std::io::Error>(())
    })?;

    // 7. While its future waits, the thread inside `block_on` runs tasks itself, so the work
    //    above barely touched the workers. Work spawned with `rt.spawn` and awaited from a
    //    plain thread runs on the workers only: one task spawns 1 000 tasks onto its worker's
    //    queue, and the other worker steals some of them.
    let fan_out = rt.spawn(async {
        let mut set = JoinSet::new();
        for _ in 0..1_000 {
            set.spawn(async {
                for _ in 0..10 {
                    task::yield_now().await;
                }
            });
        }
        while set.join_next().await.is_some() {}
    });
    futures::executor::block_on(fan_out).expect("the fan-out does not fail");
    println!("The workers ran 1 000 more tasks that yield 10 times each.");

    // 8. Metrics: counters per runtime and per worker. A finished task leaves the runtime's
    //    task list just after its JoinHandle sees the output, so give the last one a moment.
    let metrics = rt.metrics();
    let deadline = Instant::now() + Duration::from_millis(100);
    while metrics.num_alive_tasks() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    println!(
        "Metrics: {} workers, {} tasks spawned, {} still alive, {} blocking threads, {} threads started in all.",
        metrics.num_workers(),
        metrics.spawned_tasks_count(),
        metrics.num_alive_tasks(),
        metrics.num_blocking_threads(),
        threads_started.load(Ordering::Relaxed),
    );
    for worker in 0..metrics.num_workers() {
        println!(
            "  worker {worker}: {} polls, {} steals, {} parks, {} LIFO-slot hits.",
            metrics.worker_poll_count(worker),
            metrics.worker_steal_count(worker),
            metrics.worker_park_count(worker),
            metrics.worker_lifo_count(worker),
        );
    }

    rt.shutdown_timeout(Duration::from_secs(1));
    println!(
        "Shut the runtime down; the whole tour took {:.1} ms.",
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

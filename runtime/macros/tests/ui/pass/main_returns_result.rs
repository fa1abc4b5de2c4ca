// The common forms build and run: a multi-thread `main` returning a `Result`, and a
// current-thread entry point that is not `main`.

#[conductor::main(flavor = "current_thread")]
async fn answer() -> u32 {
    conductor::spawn(async { 42 }).await.unwrap()
}

#[conductor::main(worker_threads = 2, thread_name = "pass", max_blocking_threads = 2)]
async fn main() -> Result<(), conductor::task::JoinError> {
    let blocking = conductor::task::spawn_blocking(answer);
    assert_eq!(blocking.await?, 42);
    Ok(())
}

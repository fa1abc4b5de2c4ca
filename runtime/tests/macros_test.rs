//! `#[conductor::test]`: current-thread by default, the arguments of `#[conductor::main]`, and
//! the standard test attributes beside it.

use std::thread;

use conductor::runtime::Handle;

#[conductor::test]
async fn default_is_current_thread_on_the_test_thread() {
    let test_thread = thread::current().id();
    let task = conductor::spawn(async { thread::current().id() })
        .await
        .unwrap();
    assert_eq!(task, test_thread);
    assert_eq!(Handle::current().metrics().num_workers(), 1);
}

#[conductor::test(flavor = "multi_thread", worker_threads = 3)]
async fn multi_thread_with_three_workers() {
    assert_eq!(Handle::current().metrics().num_workers(), 3);
    let mut set = conductor::task::JoinSet::new();
    for i in 0..30u32 {
        set.spawn(async move { i });
    }
    let mut sum = 0;
    while let Some(res) = set.join_next().await {
        sum += res.unwrap();
    }
    assert_eq!(sum, 435);
}

#[conductor::test]
#[should_panic]
async fn should_panic_works() {
    panic!("expected");
}

#[conductor::test]
#[should_panic(expected = "the message")]
async fn should_panic_checks_the_message() {
    conductor::spawn(async {}).await.unwrap();
    panic!("this is the message from the body");
}

#[should_panic(expected = "attribute order does not matter")]
#[conductor::test(flavor = "multi_thread", worker_threads = 1)]
async fn should_panic_before_the_macro() {
    panic!("attribute order does not matter");
}

#[conductor::test]
#[ignore = "checks that #[ignore] is kept: this test would fail if it ran"]
async fn ignore_is_kept() {
    panic!("an ignored test ran");
}

#[conductor::test]
async fn result_ok() -> Result<(), conductor::task::JoinError> {
    let n = conductor::spawn(async { 21 * 2 }).await?;
    assert_eq!(n, 42);
    Ok(())
}

#[conductor::test]
async fn question_mark_with_boxed_errors() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = "42".parse()?;
    conductor::task::spawn_blocking(move || assert_eq!(n, 42)).await?;
    Ok(())
}

mod reexport {
    pub use conductor::runtime;
}

#[conductor::test(crate = "crate::reexport", thread_name = "via-reexport")]
async fn crate_and_thread_name() {
    let name = conductor::task::spawn_blocking(|| thread::current().name().map(str::to_owned));
    assert_eq!(name.await.unwrap().as_deref(), Some("via-reexport"));
}

#[conductor::test(start_paused = true)]
async fn start_paused_runs_timers_without_waiting() {
    let start = conductor::time::Instant::now();
    conductor::time::sleep(std::time::Duration::from_secs(3600)).await;
    assert!(start.elapsed() >= std::time::Duration::from_secs(3600));
}

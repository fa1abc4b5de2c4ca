//! `#[conductor::main]`: each argument builds the runtime it names, return types pass through,
//! and the attribute works on functions other than `main` (called here from plain tests).

use std::error::Error;
use std::io;
use std::thread;

use conductor::runtime::Handle;

#[conductor::main(worker_threads = 3)]
async fn three_workers() -> usize {
    Handle::current().metrics().num_workers()
}

#[test]
fn worker_threads_sets_the_worker_count() {
    assert_eq!(three_workers(), 3);
}

#[conductor::main]
async fn default_workers() -> usize {
    Handle::current().metrics().num_workers()
}

#[test]
fn default_is_multi_thread_with_one_worker_per_core() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(default_workers(), cores);
}

#[conductor::main(flavor = "current_thread")]
async fn spawned_task_thread() -> (thread::ThreadId, thread::ThreadId) {
    let body = thread::current().id();
    let task = conductor::spawn(async { thread::current().id() })
        .await
        .unwrap();
    (body, task)
}

#[test]
fn current_thread_runs_on_the_calling_thread() {
    let (body, task) = spawned_task_thread();
    assert_eq!(body, thread::current().id());
    assert_eq!(task, thread::current().id());
}

#[conductor::main(
    flavor = "multi_thread",
    worker_threads = 2,
    thread_name = "macro-pool"
)]
async fn worker_thread_name() -> Option<String> {
    conductor::spawn(async { thread::current().name().map(str::to_owned) })
        .await
        .unwrap()
}

#[test]
fn thread_name_names_the_workers() {
    // The task may run on a worker or, as a guest, on the thread inside `block_on`.
    let name = worker_thread_name();
    let caller = thread::current().name().map(str::to_owned);
    assert!(
        name.as_deref() == Some("macro-pool") || name == caller,
        "{name:?}"
    );
}

#[conductor::main(
    thread_name = "macro-blocking",
    max_blocking_threads = 1,
    thread_stack_size = 1048576
)]
async fn blocking_pool() -> (Option<String>, usize) {
    let name = conductor::task::spawn_blocking(|| thread::current().name().map(str::to_owned));
    let name = name.await.unwrap();
    for _ in 0..4 {
        conductor::task::spawn_blocking(|| ()).await.unwrap();
    }
    (name, Handle::current().metrics().num_blocking_threads())
}

#[test]
fn blocking_pool_arguments() {
    let (name, threads) = blocking_pool();
    assert_eq!(name.as_deref(), Some("macro-blocking"));
    assert!(
        threads <= 1,
        "max_blocking_threads = 1 but {threads} threads"
    );
}

#[conductor::main(flavor = "current_thread")]
async fn io_result(fail: bool) -> io::Result<u32> {
    let value = conductor::spawn(async move {
        if fail {
            Err(io::Error::other("failed"))
        } else {
            Ok(7)
        }
    });
    let n = value.await.map_err(io::Error::other)??;
    Ok(n * 6)
}

#[conductor::main]
async fn boxed_error() -> Result<(), Box<dyn Error>> {
    let n: u8 = "300".parse()?;
    println!("{n}");
    Ok(())
}

#[test]
fn result_return_types_pass_through() {
    assert_eq!(io_result(false).unwrap(), 42);
    assert_eq!(io_result(true).unwrap_err().to_string(), "failed");
    let err = boxed_error().unwrap_err();
    assert!(err.to_string().contains("too large"), "{err}");
}

#[conductor::main(flavor = "current_thread")]
async fn generic<T: Send + 'static>(value: T) -> T {
    conductor::spawn(async move { value }).await.unwrap()
}

struct Service {
    base: u64,
}

impl Service {
    #[conductor::main(flavor = "current_thread")]
    async fn add(&self, n: u64) -> u64 {
        let base = self.base;
        conductor::spawn(async move { base + n }).await.unwrap()
    }
}

#[test]
fn parameters_generics_and_methods() {
    assert_eq!(generic("moved"), "moved");
    assert_eq!(generic(vec![1, 2]), vec![1, 2]);
    assert_eq!(Service { base: 40 }.add(2), 42);
}

#[conductor::main(flavor = "current_thread")]
async fn panics() {
    conductor::spawn(async {}).await.unwrap();
    panic!("the body panicked");
}

#[test]
#[should_panic(expected = "the body panicked")]
fn a_panicking_body_panics_the_caller() {
    panics();
}

/// A crate that re-exports conductor's `runtime` module under another path.
mod reexport {
    pub use conductor::runtime;
}

#[conductor::main(crate = "crate::reexport", worker_threads = 2)]
async fn through_reexport() -> usize {
    Handle::current().metrics().num_workers()
}

#[test]
fn crate_argument_names_the_path() {
    assert_eq!(through_reexport(), 2);
}

#[conductor::main(flavor = "current_thread")]
async fn inner_attributes() -> u32 {
    #![allow(clippy::let_and_return)]
    let x = 5;
    x
}

#[test]
fn inner_attributes_are_kept() {
    assert_eq!(inner_attributes(), 5);
}

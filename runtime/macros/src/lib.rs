//! The `#[conductor::main]` and `#[conductor::test]` attributes.
//!
//! Use them through the `conductor` crate, which re-exports both; this crate only holds the
//! proc-macro code. `config.rs` parses and validates the arguments, `entry.rs` writes the
//! `Builder` chain and the `block_on` call around the function body.
//!
//! ```
//! #[conductor::main(worker_threads = 2)]
//! async fn main() {
//!     let answer = conductor::spawn(async { 42 }).await.unwrap();
//!     assert_eq!(answer, 42);
//! }
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

mod config;
mod entry;

use proc_macro::TokenStream;

/// Runs an `async fn` on a new conductor runtime: the program's entry point, or any function
/// that a synchronous caller should be able to call.
///
/// The attribute turns `async fn f() -> R { body }` into `fn f() -> R`, which builds a runtime
/// with `conductor::runtime::Builder` and returns `block_on(async { body })`. The body stays one `async` block, so
/// errors in it point at your code. The return type passes through: `()`, `Result<(), E>` and
/// any other [`Termination`](std::process::Termination) type work for `main`, and any type works
/// for other functions. The runtime is shut down when the function returns.
///
/// # Arguments
///
/// All optional, as `name = literal`:
///
/// | argument | default | `Builder` method |
/// |---|---|---|
/// | `flavor = "multi_thread"` or `"current_thread"` | `"multi_thread"` | `new_multi_thread` / `new_current_thread` |
/// | `worker_threads = N` (multi-thread only, `N >= 1`) | one per core | `worker_threads` |
/// | `thread_name = "..."` | `conductor-worker-{n}`... | `thread_name` |
/// | `thread_stack_size = N` (bytes, `N >= 1`) | std's | `thread_stack_size` |
/// | `max_blocking_threads = N` (`N >= 1`) | 512 | `max_blocking_threads` |
/// | `start_paused = true` (current-thread only) | `false` | `start_paused` |
/// | `blocking_threshold_ms = N` (`N >= 1`) | 100 | `blocking_threshold` |
/// | `crate = "path"` | `::conductor` | the path the generated code names |
///
/// `start_paused = true` builds the runtime with `Builder::start_paused(true)`: its clock is
/// paused before the body runs. `blocking_threshold_ms = N` builds it with
/// `Builder::blocking_threshold(Duration::from_millis(N))`: a poll longer than that is reported
/// (and the worker's queue handed to a replacement) by the multi-thread runtime's monitor.
///
/// `crate` is for crates that re-export conductor: `#[my_crate::main(crate = "my_crate::rt")]`
/// makes the generated code name `my_crate::rt::runtime::Builder` instead of
/// `::conductor::runtime::Builder`.
///
/// # Compile errors
///
/// Each spanned at the offending token, with the function still expanded so errors in its body
/// keep showing: a function without `async`; a `main` with parameters; an unknown argument (the
/// message lists the known ones); an unknown flavor (the message lists the flavors); a value of
/// the wrong kind or 0 where at least 1 is needed; `worker_threads` with the current-thread
/// flavor; `start_paused` with the multi-thread flavor; an argument given twice.
///
/// # Panics
///
/// The generated function panics when the runtime cannot be built (a thread could not be
/// started), and with the body's own panic when the body panics.
///
/// # Examples
///
/// ```
/// #[conductor::main]
/// async fn main() -> Result<(), conductor::task::JoinError> {
///     let sum = conductor::spawn(async { 1 + 2 }).await?;
///     assert_eq!(sum, 3);
///     Ok(())
/// }
/// ```
///
/// On a function that is not `main`, with a current-thread runtime:
///
/// ```
/// #[conductor::main(flavor = "current_thread")]
/// async fn start(n: u64) -> u64 {
///     conductor::task::spawn_blocking(move || n * 2).await.unwrap()
/// }
///
/// fn main() {
///     assert_eq!(start(21), 42);
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::main(args.into(), item.into()).into()
}

/// Runs an `async fn` test on a new conductor runtime, one runtime per test.
///
/// Like [`macro@main`], but the function also gets `#[test]`, and the default flavor is
/// `current_thread` (as with tokio): the test body and every task it spawns run on the test's
/// own thread unless the test asks for `flavor = "multi_thread"`. The arguments, their checks
/// and their errors are those of [`macro@main`].
///
/// Other attributes keep working: `#[should_panic]`, `#[should_panic(expected = "...")]`,
/// `#[ignore]`. A body that panics fails the test with the panic's message, and a test may
/// return a `Result` as a plain `#[test]` can. Do not add `#[test]` as well: that is a compile
/// error.
///
/// # Examples
///
/// ```
/// #[conductor::test]
/// async fn spawns_and_joins() {
///     let handle = conductor::spawn(async { "done" });
///     assert_eq!(handle.await.unwrap(), "done");
/// }
///
/// #[conductor::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn on_two_workers() -> Result<(), conductor::task::JoinError> {
///     let workers = conductor::runtime::Handle::current().metrics().num_workers();
///     assert_eq!(conductor::spawn(async move { workers }).await?, 2);
///     Ok(())
/// }
///
/// #[conductor::test]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     panic!("boom");
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(args.into(), item.into()).into()
}

//! Compile-time checks of the auto traits and common traits of the public types (tokio's
//! `async_send_sync.rs`). If one of these stops holding, this file stops compiling.

use std::fmt::Debug;
use std::hash::Hash;

use conductor::runtime::{Builder, EnterGuard, Handle, Runtime, RuntimeMetrics, TryCurrentError};
use conductor::task::{AbortHandle, Id, JoinError, JoinHandle, JoinSet};

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}
fn clone<T: Clone>() {}
fn debug<T: Debug>() {}
fn error<T: std::error::Error + Send + Sync + 'static>() {}
fn id_like<T: Copy + Eq + Hash + Debug + std::fmt::Display + Send + Sync>() {}

/// Something that is `Send` but not `Sync`.
type SendOnly = std::cell::Cell<u8>;

#[test]
fn runtime_types() {
    send::<Runtime>();
    sync::<Runtime>();
    send::<Handle>();
    sync::<Handle>();
    clone::<Handle>();
    send::<Builder>();
    send::<RuntimeMetrics>();
    sync::<RuntimeMetrics>();
    error::<TryCurrentError>();
    unpin::<EnterGuard<'static>>();
}

#[test]
fn task_types() {
    send::<JoinHandle<u8>>();
    sync::<JoinHandle<u8>>();
    unpin::<JoinHandle<u8>>();
    // A JoinHandle hands its output to one owner at a time: Sync even if the output is not.
    send::<JoinHandle<SendOnly>>();
    sync::<JoinHandle<SendOnly>>();
    send::<AbortHandle>();
    sync::<AbortHandle>();
    send::<JoinSet<u8>>();
    sync::<JoinSet<u8>>();
    error::<JoinError>();
    id_like::<Id>();
}

#[test]
fn debug_impls() {
    debug::<Runtime>();
    debug::<Handle>();
    debug::<Builder>();
    debug::<JoinHandle<u8>>();
    debug::<AbortHandle>();
    debug::<JoinSet<u8>>();
    debug::<JoinError>();
    debug::<RuntimeMetrics>();
}

/// Only `Send + 'static` is required of a task's future and output, not `Sync`. Compiled, never
/// run.
#[allow(dead_code)]
fn spawned_futures_and_outputs_need_not_be_sync() {
    let cell = std::cell::Cell::new(1u8);
    let handle: JoinHandle<SendOnly> = conductor::spawn(async move {
        let out = std::cell::Cell::new(cell.get());
        conductor::task::yield_now().await;
        out
    });
    drop(handle);
    drop(conductor::task::spawn_blocking(|| {
        std::cell::Cell::new(2u8)
    }));
    let mut set: JoinSet<SendOnly> = JoinSet::new();
    set.spawn(async { std::cell::Cell::new(3u8) });
}

//! [`HyperExecutor`]: hyper's `Executor` on conductor tasks.

use std::future::Future;

use crate::runtime::Handle;

/// Spawns hyper's background futures as conductor tasks (`hyper::rt::Executor`).
///
/// [`new`](HyperExecutor::new) spawns on the runtime current when hyper calls it (hyper calls
/// it from inside the connection future, so from a task); [`with_handle`](Self::with_handle)
/// pins one runtime, for executors built outside of it.
///
/// # Examples
///
/// ```
/// use conductor::hyper_compat::HyperExecutor;
/// use hyper::rt::Executor;
///
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, rx) = futures::channel::oneshot::channel();
/// HyperExecutor::new().execute(async move { tx.send(7).unwrap() });
/// assert_eq!(rx.await.unwrap(), 7);
/// # });
/// ```
#[derive(Clone, Debug, Default)]
pub struct HyperExecutor {
    handle: Option<Handle>,
}

impl HyperExecutor {
    /// An executor that spawns on the current runtime (panics outside one when it is used).
    ///
    /// # Examples
    ///
    /// ```
    /// let _exec = conductor::hyper_compat::HyperExecutor::new();
    /// ```
    pub fn new() -> HyperExecutor {
        HyperExecutor { handle: None }
    }

    /// An executor that spawns on `handle`'s runtime, from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor::hyper_compat::HyperExecutor;
    /// use hyper::rt::Executor;
    ///
    /// let rt = conductor::runtime::Runtime::new().unwrap();
    /// let exec = HyperExecutor::with_handle(rt.handle().clone());
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// exec.execute(async move { tx.send(1).unwrap() }); // from outside the runtime
    /// assert_eq!(rx.recv().unwrap(), 1);
    /// ```
    pub fn with_handle(handle: Handle) -> HyperExecutor {
        HyperExecutor {
            handle: Some(handle),
        }
    }
}

impl<F> hyper::rt::Executor<F> for HyperExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[track_caller]
    fn execute(&self, future: F) {
        // hyper keeps no handle to the task: its futures report through their own channels,
        // so the JoinHandle is dropped (detaching the task).
        match &self.handle {
            Some(handle) => drop(handle.spawn(future)),
            None => drop(crate::spawn(future)),
        }
    }
}

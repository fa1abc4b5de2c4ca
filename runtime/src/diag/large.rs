//! The large-future report: a spawn whose future is over `Builder::large_future_threshold`
//! is reported once per spawn location, to the `Builder::on_large_future` hook or as one
//! line on stderr.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// Default `Builder::large_future_threshold`: 16 KiB.
pub(crate) const DEFAULT_LARGE_FUTURE_THRESHOLD: usize = 16 * 1024;

/// The user's `on_large_future` hook.
pub(crate) type LargeFutureHook = Arc<dyn Fn(&LargeFutureReport) + Send + Sync + 'static>;

/// A spawn location whose future is larger than the runtime's
/// [`large_future_threshold`](crate::runtime::Builder::large_future_threshold), given to the
/// [`on_large_future`](crate::runtime::Builder::on_large_future) hook once per location.
///
/// A large future is copied on every spawn (it is moved into the task's allocation) and
/// makes every task from that location use that much memory. The fix is to box the large
/// part once (`Box::pin` the big inner future, or `Box` the big buffer) or to keep less
/// state across `.await`s.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use conductor::runtime::{Builder, LargeFutureReport};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let rt = Builder::new_current_thread()
///     .large_future_threshold(1024)
///     .on_large_future(move |r: &LargeFutureReport| {
///         log.lock().unwrap().push((r.location().line(), r.size(), r.threshold()));
///     })
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let buf = [1u8; 4096];
///     conductor::spawn(async move {
///         conductor::task::yield_now().await;
///         buf.len()
///     })
///     .await
///     .unwrap();
/// });
/// let seen = seen.lock().unwrap();
/// assert_eq!(seen.len(), 1);
/// assert!(seen[0].1 >= 4096);
/// assert_eq!(seen[0].2, 1024);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LargeFutureReport {
    pub(crate) location: &'static Location<'static>,
    pub(crate) size: usize,
    pub(crate) threshold: usize,
}

impl LargeFutureReport {
    /// Where the future was spawned.
    ///
    /// ```
    /// # let rt = conductor::runtime::Builder::new_current_thread()
    /// #     .large_future_threshold(16)
    /// #     .on_large_future(|r| assert!(r.location().file().ends_with(".rs")))
    /// #     .build().unwrap();
    /// # let big = [0u8; 64];
    /// # drop(rt.spawn(async move { big.len() }));
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The future's size in bytes, as spawned.
    ///
    /// ```
    /// # let rt = conductor::runtime::Builder::new_current_thread()
    /// #     .large_future_threshold(16)
    /// #     .on_large_future(|r| assert!(r.size() > 16))
    /// #     .build().unwrap();
    /// # let big = [0u8; 64];
    /// # drop(rt.spawn(async move { big.len() }));
    /// ```
    pub fn size(&self) -> usize {
        self.size
    }

    /// The runtime's threshold the size went over.
    ///
    /// ```
    /// # let rt = conductor::runtime::Builder::new_current_thread()
    /// #     .large_future_threshold(16)
    /// #     .on_large_future(|r| assert_eq!(r.threshold(), 16))
    /// #     .build().unwrap();
    /// # let big = [0u8; 64];
    /// # drop(rt.spawn(async move { big.len() }));
    /// ```
    pub fn threshold(&self) -> usize {
        self.threshold
    }
}

/// The default report: one line naming the location, the size and the fix.
impl fmt::Display for LargeFutureReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "conductor: the future spawned at {} is {} bytes (over the {}-byte \
             large_future_threshold); every spawn copies it and every such task holds that \
             much memory: box the large part once (Box::pin the big inner future or Box the \
             buffer) or keep less state across .await",
            self.location, self.size, self.threshold
        )
    }
}

/// Sends `report` to `hook`, or to stderr without one. Called on the spawning thread with no
/// lock held.
#[cold]
#[inline(never)]
pub(crate) fn emit(hook: Option<&LargeFutureHook>, report: &LargeFutureReport) {
    match hook {
        Some(hook) => hook(report),
        None => eprintln!("{report}"),
    }
}

//! The runtime: [`Runtime`], its [`Builder`], the [`Handle`] that reaches it from anywhere,
//! and its [`RuntimeMetrics`].

mod blocking_report;
mod builder;
pub(crate) mod context;
mod handle;
mod metrics;
#[allow(clippy::module_inception)]
mod runtime;

pub use self::blocking_report::BlockingReport;
pub use self::builder::Builder;
pub use self::handle::{EnterGuard, Handle, TryCurrentError};
pub use self::metrics::RuntimeMetrics;
pub use self::runtime::Runtime;

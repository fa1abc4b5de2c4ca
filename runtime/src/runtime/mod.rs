//! The runtime: [`Runtime`], its [`Builder`], the [`Handle`] that reaches it from anywhere,
//! its [`RuntimeMetrics`], and its diagnostics: the [`TaskDump`], the [`SpawnNotes`] and the
//! [`LargeFutureReport`] (see `docs/diagnostics.md`).

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
pub use crate::diag::{LargeFutureReport, SpawnNotes, SpawnSite, TaskDump, TaskInfo, TaskState};

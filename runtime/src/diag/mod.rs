//! Diagnostics the runtime gives about itself: the task dump (`dump.rs`), spawn notes per
//! spawn location (`notes.rs`), the large-future report (`large.rs`) and the coarse clock
//! that dates tasks at no cost to the spawn path (`clock.rs`).
//!
//! The public types are re-exported from [`crate::runtime`]; `docs/diagnostics.md` is the
//! user's guide.

pub(crate) mod clock;
mod dump;
mod large;
mod notes;

pub use self::dump::{TaskDump, TaskInfo, TaskState};
pub use self::large::LargeFutureReport;
pub(crate) use self::large::{DEFAULT_LARGE_FUTURE_THRESHOLD, LargeFutureHook};
pub(crate) use self::notes::SpawnTable;
pub use self::notes::{SpawnNotes, SpawnSite};

//! `tracing` integration (the `tracing` cargo feature): a `spawn` event per task, a `poll`
//! span around every poll, and a `blocking` event per blocking report. Without the feature
//! none of this is compiled.
//!
//! Targets: `conductor::task` for spawns and polls (TRACE level), `conductor::blocking` for
//! blocking reports (WARN when detected, INFO when the poll returned).

use std::panic::Location;

use crate::runtime::BlockingReport;
use crate::task::Id;
use crate::task::raw::Header;

/// A task was spawned.
pub(crate) fn spawned(id: Id, location: &'static Location<'static>, size: usize) {
    tracing::trace!(
        target: "conductor::task",
        task_id = id.as_u64(),
        spawn_location = %location,
        future_size = size,
        "spawn"
    );
}

/// The span a task's poll runs in.
pub(crate) fn poll_span(header: &Header) -> tracing::Span {
    tracing::trace_span!(
        target: "conductor::task",
        "poll",
        task_id = header.id.as_u64(),
        spawn_location = %header.location,
    )
}

/// A blocking report.
pub(crate) fn blocking(report: &BlockingReport) {
    let ms = report.duration().as_secs_f64() * 1e3;
    if report.is_finished() {
        tracing::info!(
            target: "conductor::blocking",
            task_id = report.task_id().as_u64(),
            spawn_location = %report.spawn_location(),
            worker = report.worker(),
            duration_ms = ms,
            finished = true,
            "a blocking poll returned"
        );
    } else {
        tracing::warn!(
            target: "conductor::blocking",
            task_id = report.task_id().as_u64(),
            spawn_location = %report.spawn_location(),
            worker = report.worker(),
            duration_ms = ms,
            handed_off = report.was_handed_off(),
            "a task is blocking its worker"
        );
    }
}

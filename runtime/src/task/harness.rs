//! Polling, completing and cancelling one typed task: the functions behind its vtable.
//!
//! # Who may touch `stage`
//!
//! - The thread that moved the state word to RUNNING (`transition_to_running`, or
//!   `transition_to_shutdown` returning `true`), until it sets COMPLETE.
//! - After COMPLETE: the JoinHandle if JOIN_INTEREST was set at completion (it reads the
//!   output or drops it when dropped); otherwise the completing thread, which drops the output
//!   at once.
//! - The last reference, in `dealloc`.
//!
//! Panics from the future's `poll` or `drop` and from the output's `drop` are caught here: a
//! panicking task never takes its worker down.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll, Waker};

use super::raw::{Cell, Header, RawTask, Stage, Vtable};
use super::state::{ToIdle, ToRunning};
use super::{JoinError, Notified, Schedule, waker};
use crate::runtime::context;

/// The vtable of `Cell<F, S>`; `O` is the future as spawned (see `Vtable::future_size`).
pub(super) fn vtable<F, S, O>() -> &'static Vtable
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // An associated constant, so the reference is promoted to a `'static` (a `size_of` call
    // written inline would not be).
    &VtableOf::<F, S, O>::VTABLE
}

struct VtableOf<F, S, O>(PhantomData<(F, S, O)>);

impl<F, S, O> VtableOf<F, S, O>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    const VTABLE: Vtable = Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle: drop_join_handle::<F, S>,
        shutdown: shutdown::<F, S>,
        future_size: std::mem::size_of::<O>(),
    };
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>`.
unsafe fn cell<'a, F: Future, S>(ptr: NonNull<Header>) -> &'a Cell<F, S> {
    // SAFETY: `header` is the first field of the repr(C) cell, so the pointers coincide; the
    // caller guarantees the cell type and that it is alive.
    unsafe { ptr.cast::<Cell<F, S>>().as_ref() }
}

unsafe fn poll<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the vtable is only built for `Cell<F, S>`; the caller's Notified keeps it alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    let raw = RawTask::from_raw(ptr);
    let state = &cell.header.state;
    match state.transition_to_running() {
        ToRunning::Success => {}
        ToRunning::Cancelled => {
            cancel(cell);
            complete::<F, S>(ptr);
            return;
        }
        ToRunning::Failed => {
            raw.drop_reference();
            return;
        }
    }

    // Only the RUNNING thread writes the counter, so a load and a store suffice (no RMW);
    // Relaxed: it orders nothing, a dump reads it as a statistic.
    let polls = &cell.header.polls;
    polls.store(polls.load(Relaxed).wrapping_add(1), Relaxed);

    // The waker borrows the caller's Notified reference: it is valid for the whole poll, and
    // `Waker::clone` takes a reference of its own.
    let waker = ManuallyDrop::new(waker::waker_ref(ptr));
    let mut cx = Context::from_waker(&waker);
    let _id = context::set_current_task_id(Some(cell.header.id));
    let res = catch_unwind(AssertUnwindSafe(|| {
        cell.stage.with_mut(|stage| {
            // SAFETY: we hold RUNNING, so `stage` is ours; the future is never moved while
            // `Running` (the cell is heap-pinned until dealloc).
            let Stage::Running(future) = (unsafe { &mut *stage }) else {
                unreachable!("a RUNNING task always holds its future")
            };
            // SAFETY: see above: the future lives in the cell and is not moved until dropped.
            unsafe { std::pin::Pin::new_unchecked(future) }.poll(&mut cx)
        })
    }));
    match res {
        Ok(Poll::Ready(output)) => {
            // Drop the finished future before publishing its output.
            let output = match drop_future(cell) {
                None => Ok(output),
                Some(payload) => Err(JoinError::panic(cell.header.id, payload)),
            };
            store(cell, output);
            complete::<F, S>(ptr);
        }
        Err(payload) => {
            // The future panicked: drop it (catching a second panic) and keep the first payload.
            let _ = drop_future(cell);
            store(cell, Err(JoinError::panic(cell.header.id, payload)));
            complete::<F, S>(ptr);
        }
        Ok(Poll::Pending) => match state.transition_to_idle() {
            ToIdle::Ok => raw.drop_reference(),
            ToIdle::OkNotified => {
                // Woken during its own poll: that is a yield, so it goes to the back.
                cell.scheduler.yield_now(Notified::from_raw(raw));
                raw.drop_reference();
            }
            ToIdle::Cancelled => {
                cancel(cell);
                complete::<F, S>(ptr);
            }
        },
    }
}

/// Drops the future (we own `stage`). Returns the panic payload if its destructor panicked.
fn drop_future<F: Future, S>(cell: &Cell<F, S>) -> Option<Box<dyn Any + Send>> {
    let _id = context::set_current_task_id(Some(cell.header.id));
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller holds RUNNING, so `stage` is ours.
        cell.stage
            .with_mut(|stage| unsafe { *stage = Stage::Consumed });
    }))
    .err()
}

/// Stores the result; the future was already dropped (`stage` is `Consumed`).
fn store<F: Future, S>(cell: &Cell<F, S>, output: Result<F::Output, JoinError>) {
    // SAFETY: the caller holds RUNNING, so `stage` is ours.
    cell.stage.with_mut(|stage| unsafe {
        debug_assert!(matches!(*stage, Stage::Consumed));
        *stage = Stage::Finished(output);
    });
}

/// Drops the future of a task we hold RUNNING on and stores `Cancelled` (or the panic its
/// destructor raised).
fn cancel<F: Future, S>(cell: &Cell<F, S>) {
    let id = cell.header.id;
    let result = match drop_future(cell) {
        None => JoinError::cancelled(id),
        Some(payload) => JoinError::panic(id, payload),
    };
    store(cell, Err(result));
}

/// RUNNING -> COMPLETE, then notify the JoinHandle, leave the owned list and drop the
/// caller's reference (plus the list's, if the task was still in it). Takes a pointer, not a
/// reference, because it may free the cell.
fn complete<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the caller's reference keeps the cell alive until the `ref_dec_n` below.
    let cell = unsafe { cell::<F, S>(ptr) };
    let header = &cell.header;
    let snapshot = header.state.transition_to_complete();
    // Nothing here may unwind into the worker: an output's or waker's destructor could panic.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !snapshot.is_join_interested() {
            // The JoinHandle is gone and will never read the output; it is ours to drop.
            // SAFETY: COMPLETE without JOIN_INTEREST: no JoinHandle can touch `stage`.
            cell.stage
                .with_mut(|stage| unsafe { *stage = Stage::Consumed });
        } else if snapshot.is_join_waker_set() {
            // SAFETY: JOIN_WAKER is set, so the cell is the runtime's to read.
            header.join_waker.with(|w| match unsafe { &*w } {
                Some(waker) => wake_join_waker(waker),
                None => unreachable!("JOIN_WAKER set without a waker"),
            });
            let after = header.state.unset_join_waker_after_complete();
            if !after.is_join_interested() {
                // The handle was dropped while we were waking: the waker is ours to drop.
                // SAFETY: JOIN_WAKER is now clear and there is no JoinHandle.
                header.join_waker.with_mut(|w| unsafe { *w = None });
            }
        }
    }));
    let raw = RawTask::from_raw(ptr);
    let released = match cell.scheduler.owned() {
        // A JoinHandle will read (or drop) the output: the task stays in the owned list,
        // completed-not-joined, so a task dump shows it; the handle unlinks it (see
        // `release_joined`). Our snapshot decides, and the handle's own transition tells it
        // whether it came after this one, so exactly one side unlinks.
        Some(owned) if snapshot.is_join_interested() => {
            owned.note_completed(raw);
            false
        }
        Some(owned) => owned.remove(raw),
        None => false,
    };
    let refs = if released { 2 } else { 1 };
    if header.state.ref_dec_n(refs) {
        raw.dealloc();
    }
}

/// Wakes the JoinHandle's waker. A user's `Waker` may panic in `wake`: catch it here, so the
/// join-waker state still moves on (the handle may drop the waker), and report it.
fn wake_join_waker(waker: &Waker) {
    if catch_unwind(AssertUnwindSafe(|| waker.wake_by_ref())).is_err() {
        eprintln!(
            "conductor: a Waker panicked in wake() when a task completed and woke its \
             JoinHandle; the panic was caught and the runtime carries on"
        );
    }
}

/// The JoinHandle of a completed task took its output or is being dropped: unlink the task,
/// which `complete` left in the owned list, dropping the list's reference. The caller holds a
/// reference of its own, so the cell stays alive. Idempotent.
fn release_joined<F: Future, S: Schedule>(cell: &Cell<F, S>, raw: RawTask) {
    if let Some(owned) = cell.scheduler.owned() {
        if owned.remove_completed(raw) {
            let last = cell.header.state.ref_dec();
            debug_assert!(!last, "the JoinHandle still holds a reference");
        }
    }
}

unsafe fn schedule<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the caller holds the reference that the new Notified takes over.
    let cell = unsafe { cell::<F, S>(ptr) };
    cell.scheduler
        .schedule(Notified::from_raw(RawTask::from_raw(ptr)));
}

unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the reference count reached zero; the cell came from `Box::new` in
    // `RawTask::new` with this exact type. Destructors here (the scheduler handle, a leftover
    // output) run on whatever thread dropped the last reference.
    let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
        drop(Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()));
    }));
}

unsafe fn try_read_output<F, S>(ptr: NonNull<Header>, dst: *mut (), waker: &Waker)
where
    F: Future + Send + 'static,
    S: Schedule,
{
    // SAFETY: the JoinHandle's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    if can_read_output(&cell.header, waker) {
        // SAFETY: COMPLETE with JOIN_INTEREST (ours): the JoinHandle owns `stage`.
        let stage = cell
            .stage
            .with_mut(|stage| unsafe { std::mem::replace(&mut *stage, Stage::Consumed) });
        let Stage::Finished(output) = stage else {
            panic!("JoinHandle polled after it returned the output")
        };
        let dst = dst.cast::<Poll<Result<F::Output, JoinError>>>();
        // SAFETY: the caller guarantees `dst` has this type; the old value is Pending.
        unsafe { *dst = Poll::Ready(output) };
        release_joined(cell, RawTask::from_raw(ptr));
    }
}

/// The JoinHandle side of the join-waker protocol. Returns `true` when the task is complete
/// and the output can be taken; otherwise `waker` is stored and will be woken on completion.
fn can_read_output(header: &Header, waker: &Waker) -> bool {
    let snapshot = header.state.load();
    if snapshot.is_complete() {
        return true;
    }
    if snapshot.is_join_waker_set() {
        // SAFETY: JOIN_WAKER set: the runtime may read the cell concurrently, we only read.
        let same = header
            .join_waker
            .with(|w| unsafe { (*w).as_ref() }.is_some_and(|w| w.will_wake(waker)));
        if same {
            return false;
        }
        if header.state.unset_join_waker().is_err() {
            return true; // completed meanwhile
        }
    }
    // JOIN_WAKER is clear: the cell is ours.
    // SAFETY: as stated.
    header
        .join_waker
        .with_mut(|w| unsafe { *w = Some(waker.clone()) });
    if header.state.set_join_waker().is_err() {
        // Completed before we could hand it over; the cell stays ours, clear it.
        // SAFETY: JOIN_WAKER still clear.
        header.join_waker.with_mut(|w| unsafe { *w = None });
        return true;
    }
    false
}

unsafe fn drop_join_handle<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    S: Schedule,
{
    // SAFETY: the JoinHandle's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    let dropped = cell.header.state.transition_to_join_handle_dropped();
    if dropped.drop_output {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: COMPLETE and we were the JoinHandle: `stage` is ours.
            cell.stage
                .with_mut(|stage| unsafe { *stage = Stage::Consumed });
        }));
    }
    if dropped.drop_waker {
        // SAFETY: JOIN_WAKER is clear, so the cell is the handle's.
        let waker = cell.header.join_waker.with_mut(|w| unsafe { (*w).take() });
        drop(waker);
    }
    if dropped.drop_output {
        // Complete before we cleared JOIN_INTEREST: `complete` saw the interest and left the
        // task in the owned list for us.
        release_joined(cell, RawTask::from_raw(ptr));
    }
    RawTask::from_raw(ptr).drop_reference();
}

unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the owned list's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    if cell.header.state.transition_to_shutdown() {
        // We claimed RUNNING: drop the future here, on the shutting-down thread, then
        // complete, which consumes the list's reference we were handed.
        cancel(cell);
        complete::<F, S>(ptr);
    } else {
        // Running elsewhere (it sees CANCELLED when it returns) or already complete.
        RawTask::from_raw(ptr).drop_reference();
    }
}

//! The task's `Waker`: a pointer to its header with a hand-written vtable. Cloning adds a
//! reference; waking a task that is already scheduled, running or complete is one atomic
//! operation; nothing here allocates.

use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::raw::{Header, RawTask};
use super::state::ToNotified;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker that borrows the caller's reference: the result must not be dropped (wrap it in
/// `ManuallyDrop`), only cloned or woken by reference.
pub(super) fn waker_ref(ptr: NonNull<Header>) -> Waker {
    // SAFETY: the vtable's functions uphold the RawWaker contract for a header pointer whose
    // reference the waker owns; the caller does not drop this one (see above).
    unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) }
}

fn raw(data: *const ()) -> RawTask {
    // SAFETY: every RawWaker with our VTABLE was made from a non-null header pointer.
    RawTask::from_raw(unsafe { NonNull::new_unchecked(data as *mut Header) })
}

unsafe fn clone(data: *const ()) -> RawWaker {
    raw(data).state().ref_inc();
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // Wake by reference, then drop ours. Handing our reference to the new `Notified` directly
    // would save one atomic, but the scheduler still touches its shared state (which the task
    // cell's `Arc` may be the last to keep alive) after it queued the task; holding our
    // reference until it returns keeps the cell, and so that state, alive.
    // SAFETY: `data` carries this waker's reference, which the two calls use and consume.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    let task = raw(data);
    match task.state().transition_to_notified_by_ref() {
        ToNotified::Submit => task.schedule(),
        ToNotified::DoNothing => {}
    }
}

unsafe fn drop_waker(data: *const ()) {
    raw(data).drop_reference();
}

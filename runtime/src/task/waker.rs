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
    let task = raw(data);
    match task.state().transition_to_notified_by_val() {
        ToNotified::Submit => task.schedule(),
        ToNotified::Dealloc => task.dealloc(),
        ToNotified::DoNothing => {}
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    let task = raw(data);
    match task.state().transition_to_notified_by_ref() {
        ToNotified::Submit => task.schedule(),
        ToNotified::Dealloc => unreachable!("wake_by_ref never drops a reference"),
        ToNotified::DoNothing => {}
    }
}

unsafe fn drop_waker(data: *const ()) {
    raw(data).drop_reference();
}

//! The task cell's memory layout, its type-erased vtable, and `RawTask`, the untyped pointer
//! that every reference type (`Task`, `Notified`, `JoinHandle`, `Waker`) wraps.
//!
//! One heap allocation per task holds everything:
//!
//! ```text
//! Cell<F, S> (repr(C))
//! ├─ Header      state word, vtable, owned-list links, id, spawn location, join waker,
//! │             poll count and spawn time (for the task dump)
//! ├─ scheduler   S: the runtime's handle, used by wakers to reschedule
//! └─ stage       the future, then its output, then nothing
//! ```
//!
//! The cell has the natural alignment of its fields: no cache-line padding. A 128-byte
//! aligned allocation costs glibc several times a plain one (see `docs/benchmarks.md`), and
//! the header is written by one thread at a time, so false sharing buys little.

use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;
// A plain std atomic even under loom: the poll counter is a diagnostic that carries no
// synchronization (see `Header::polls`), so there is nothing for loom to explore in it.
use std::sync::atomic::AtomicU32;
use std::task::Waker;

use super::Schedule;
use super::harness;
use super::id::Id;
use super::state::State;
use crate::loom_sync::UnsafeCell;

/// The untyped part of every task. Changing this layout requires no offsets elsewhere: all
/// typed access goes through `Cell<F, S>` in the vtable functions.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    /// Links of the owned-task list. Only touched with that list's shard lock held.
    pub(crate) owned: UnsafeCell<Links>,
    pub(crate) id: Id,
    pub(crate) location: &'static Location<'static>,
    /// The JoinHandle's waker. Owned by the JoinHandle while JOIN_WAKER is clear, read by the
    /// runtime while it is set (see `state.rs`).
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
    /// Polls so far, for the task dump. Written only by the thread holding RUNNING, as a
    /// relaxed load and store (no read-modify-write on the hot path); read relaxed by a dump,
    /// which may see a count one behind.
    pub(crate) polls: AtomicU32,
    /// Spawn time in milliseconds of the coarse diagnostics clock (`diag::clock`); immutable.
    pub(crate) spawned_ms: u32,
}

/// Owned-task list links.
pub(crate) struct Links {
    pub(crate) prev: Option<NonNull<Header>>,
    pub(crate) next: Option<NonNull<Header>>,
}

/// The whole allocation. `header` must stay first: a `NonNull<Header>` is cast to the cell.
#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    /// Owned by the thread holding RUNNING, or by the JoinHandle / runtime once COMPLETE
    /// (see `harness.rs`).
    pub(crate) stage: UnsafeCell<Stage<F>>,
}

/// The future, its output, or neither.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, super::JoinError>),
    Consumed,
}

/// The type-specific operations of one `Cell<F, S>`.
pub(crate) struct Vtable {
    /// Poll the task, consuming one `Notified` reference.
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Hand a new `Notified` (its reference already counted) to the scheduler.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Free the cell; the reference count is zero.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Move the output into `*dst` (a `Poll<Result<T, JoinError>>`) if complete, else store
    /// the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// The JoinHandle is being dropped.
    pub(crate) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Runtime shutdown, consuming the owned-list reference.
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
    /// `size_of` the future as the user spawned it (before any boxing), for the task dump:
    /// kept here, per type, so it costs no task any memory.
    pub(crate) future_size: usize,
}

/// An untyped, counted-by-convention pointer to a task. It does not manage the count itself:
/// each typed wrapper decides what its reference means.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

// SAFETY: a RawTask is only a pointer; every access through it follows the state word's
// protocol, which is what makes the shared fields thread-safe.
unsafe impl Send for RawTask {}
// SAFETY: as above.
unsafe impl Sync for RawTask {}

impl RawTask {
    /// Allocates a task with `refs` references (2 or 3, see `new_task`). `O` is the future's
    /// type as spawned (`F` itself, or what `F` boxes), whose size the vtable records.
    pub(crate) fn new<F, S, O>(
        future: F,
        scheduler: S,
        id: Id,
        location: &'static Location<'static>,
        refs: usize,
    ) -> RawTask
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        S: Schedule,
    {
        let cell = Box::new(Cell {
            header: Header {
                state: State::new(refs),
                vtable: harness::vtable::<F, S, O>(),
                owned: UnsafeCell::new(Links {
                    prev: None,
                    next: None,
                }),
                id,
                location,
                join_waker: UnsafeCell::new(None),
                polls: AtomicU32::new(0),
                spawned_ms: crate::diag::clock::coarse_now_ms(),
            },
            scheduler,
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }

    pub(crate) fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: whoever holds a RawTask holds a reference, so the cell is alive.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn state(&self) -> &State {
        &self.header().state
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id
    }

    /// Polls the task, consuming the caller's `Notified` reference.
    pub(crate) fn poll(self) {
        // SAFETY: the vtable matches the cell it was built with; the caller passes a
        // `Notified` reference, which `poll` consumes.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    pub(crate) fn schedule(self) {
        // SAFETY: the caller counted a reference for the new `Notified`.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    pub(crate) fn dealloc(self) {
        // SAFETY: the reference count is zero, so nobody else can reach the cell.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    ///
    /// - `dst` points to a `Poll<Result<T, JoinError>>` where `T` is the task's output type.
    /// - The caller is the task's JoinHandle.
    pub(crate) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded from the caller's obligations.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    pub(crate) fn drop_join_handle(self) {
        // SAFETY: only JoinHandle::drop calls this, once, with its reference.
        unsafe { (self.header().vtable.drop_join_handle)(self.ptr) }
    }

    pub(crate) fn shutdown(self) {
        // SAFETY: only the owned-task list calls this, with the reference it held.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    /// Drops one reference, freeing the task if it was the last.
    pub(crate) fn drop_reference(self) {
        if self.state().ref_dec() {
            self.dealloc();
        }
    }
}

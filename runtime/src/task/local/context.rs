//! Which `LocalSet` is running (or entered) on this thread, for `spawn_local`.

use std::cell::RefCell;
use std::rc::Rc;

use super::tasks::Inner;

// A plain `std` thread-local even under loom: a `LocalSet` is bound to one OS thread and no
// loom model runs one.
std::thread_local! {
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// Makes a set the current one until dropped, then restores the previous one (sets nest).
pub(super) struct Entered {
    prev: Option<Rc<Inner>>,
}

pub(super) fn enter(inner: &Rc<Inner>) -> Entered {
    let prev = CURRENT
        .try_with(|current| current.replace(Some(inner.clone())))
        .ok()
        .flatten();
    Entered { prev }
}

impl Drop for Entered {
    fn drop(&mut self) {
        let prev = self.prev.take();
        // Replaced, then dropped outside the borrow: dropping the last reference to a set's
        // inner state runs no user code, but keep the borrow short on principle.
        let old = CURRENT.try_with(|current| current.replace(prev));
        drop(old);
    }
}

/// The current set, if any.
pub(super) fn current() -> Option<Rc<Inner>> {
    CURRENT
        .try_with(|current| current.borrow().clone())
        .ok()
        .flatten()
}

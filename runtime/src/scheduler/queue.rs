//! Run queues: thin wrappers that rename crossbeam-deque's types (`Worker` -> `Local`,
//! `Stealer` -> `Steal`, `Injector` -> `Inject`) so "worker" means only a thread here.
//!
//! crossbeam-deque is not loom-aware; under `cfg(conductor_loom)` the same interface is backed
//! by a mutex-protected `VecDeque` (see `docs/architecture.md` for what that leaves to
//! crossbeam's own tests).

#[cfg(not(conductor_loom))]
mod imp {
    use crossbeam_deque::{Injector, Steal as Stolen, Stealer, Worker};

    /// A worker's own queue (FIFO). Only its worker pushes and pops.
    pub(crate) struct Local<T>(Worker<T>);
    /// The other workers' view of a `Local`: they take half of it.
    pub(crate) struct Steal<T>(Stealer<T>);
    /// The global queue: spawns from outside the runtime and overflow from full local queues.
    pub(crate) struct Inject<T>(Injector<T>);

    impl<T> Local<T> {
        pub(crate) fn new() -> Local<T> {
            Local(Worker::new_fifo())
        }
        pub(crate) fn stealer(&self) -> Steal<T> {
            Steal(self.0.stealer())
        }
        pub(crate) fn push(&self, task: T) {
            self.0.push(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.pop()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }

    fn retry<T>(mut f: impl FnMut() -> Stolen<T>) -> Option<T> {
        loop {
            match f() {
                Stolen::Success(t) => return Some(t),
                Stolen::Empty => return None,
                Stolen::Retry => std::hint::spin_loop(),
            }
        }
    }

    impl<T> Steal<T> {
        /// Moves about half of the victim's tasks into `dest` and returns one of them.
        pub(crate) fn steal_half_and_pop(&self, dest: &Local<T>) -> Option<T> {
            retry(|| self.0.steal_batch_and_pop(&dest.0))
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }

    impl<T> Inject<T> {
        pub(crate) fn new() -> Inject<T> {
            Inject(Injector::new())
        }
        pub(crate) fn push(&self, task: T) {
            self.0.push(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            retry(|| self.0.steal())
        }
        /// Moves a batch into `dest` and returns one task.
        pub(crate) fn pop_batch_into(&self, dest: &Local<T>) -> Option<T> {
            retry(|| self.0.steal_batch_and_pop(&dest.0))
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }
}

#[cfg(conductor_loom)]
mod imp {
    use std::collections::VecDeque;

    use crate::loom_sync::{Arc, Mutex};

    pub(crate) struct Local<T>(Arc<Mutex<VecDeque<T>>>);
    pub(crate) struct Steal<T>(Arc<Mutex<VecDeque<T>>>);
    pub(crate) struct Inject<T>(Mutex<VecDeque<T>>);

    impl<T> Local<T> {
        pub(crate) fn new() -> Local<T> {
            Local(Arc::new(Mutex::new(VecDeque::new())))
        }
        pub(crate) fn stealer(&self) -> Steal<T> {
            Steal(self.0.clone())
        }
        pub(crate) fn push(&self, task: T) {
            self.0.lock().push_back(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.lock().pop_front()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }

    impl<T> Steal<T> {
        pub(crate) fn steal_half_and_pop(&self, dest: &Local<T>) -> Option<T> {
            if Arc::ptr_eq(&self.0, &dest.0) {
                return None;
            }
            let mut src = self.0.lock();
            let first = src.pop_front()?;
            let n = src.len() / 2;
            let mut dst = dest.0.lock();
            for _ in 0..n {
                dst.push_back(src.pop_front().expect("counted above"));
            }
            Some(first)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }

    impl<T> Inject<T> {
        pub(crate) fn new() -> Inject<T> {
            Inject(Mutex::new(VecDeque::new()))
        }
        pub(crate) fn push(&self, task: T) {
            self.0.lock().push_back(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.lock().pop_front()
        }
        pub(crate) fn pop_batch_into(&self, dest: &Local<T>) -> Option<T> {
            let mut src = self.0.lock();
            let first = src.pop_front()?;
            let n = (src.len() / 2).min(4);
            let mut dst = dest.0.lock();
            for _ in 0..n {
                dst.push_back(src.pop_front().expect("counted above"));
            }
            Some(first)
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }
}

pub(crate) use imp::{Inject, Local, Steal};

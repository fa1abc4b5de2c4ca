//! The wait list every channel keeps under its lock: wakers in arrival order, each under an id
//! its future remembers, so a re-poll updates its entry in place and a dropped future removes
//! exactly its own entry (that is what makes the waiting futures cancel-safe).
//!
//! Entries are few (one per task waiting on one channel) and usually near the front, so the
//! list is a `VecDeque` searched linearly: no allocation per waiter once it has grown, and no
//! unsafe intrusive links.

use std::collections::VecDeque;
use std::task::Waker;

/// Wakers waiting on one condition, oldest first. Lives inside the channel's lock.
#[derive(Debug, Default)]
pub(crate) struct WaitList {
    entries: VecDeque<(u64, Waker)>,
    next_id: u64,
}

impl WaitList {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Stores `waker` under the future's id (`slot`): updates the entry if it is still listed,
    /// otherwise appends a new one at the back and writes its id to `slot`.
    pub(crate) fn register(&mut self, slot: &mut Option<u64>, waker: &Waker) {
        if let Some(id) = *slot {
            if let Some((_, w)) = self.entries.iter_mut().find(|(i, _)| *i == id) {
                if !w.will_wake(waker) {
                    w.clone_from(waker);
                }
                return;
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push_back((id, waker.clone()));
        *slot = Some(id);
    }

    /// Removes the entry `id` if it is still listed; returns whether it was.
    pub(crate) fn remove(&mut self, id: u64) -> bool {
        match self.entries.iter().position(|(i, _)| *i == id) {
            Some(pos) => {
                self.entries.remove(pos);
                true
            }
            None => false,
        }
    }

    /// Takes the oldest entry.
    pub(crate) fn pop_front(&mut self) -> Option<(u64, Waker)> {
        self.entries.pop_front()
    }

    /// Takes every entry, to be woken once the lock is released.
    pub(crate) fn take_all(&mut self) -> WakeList {
        WakeList(self.entries.drain(..).map(|(_, w)| w).collect())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Wakers taken out under a lock, woken after it is released (a waker may run user code, even
/// a poll on this very channel).
#[derive(Debug, Default)]
#[must_use = "wake the list after releasing the lock"]
pub(crate) struct WakeList(Vec<Waker>);

impl WakeList {
    pub(crate) fn push(&mut self, waker: Waker) {
        self.0.push(waker);
    }

    pub(crate) fn extend(&mut self, other: WakeList) {
        self.0.extend(other.0);
    }

    pub(crate) fn wake(self) {
        for w in self.0 {
            w.wake();
        }
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn register_updates_in_place_and_remove_is_exact() {
        let mut list = WaitList::new();
        let (mut a, mut b) = (None, None);
        list.register(&mut a, Waker::noop());
        list.register(&mut b, Waker::noop());
        list.register(&mut a, Waker::noop());
        assert_eq!(list.entries.len(), 2);
        assert!(list.remove(a.unwrap()));
        assert!(!list.remove(a.unwrap()));
        assert_eq!(list.pop_front().map(|(id, _)| id), b);
        assert!(list.is_empty());
    }
}

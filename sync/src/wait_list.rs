//! The FIFO wait-list every waiting primitive queues its futures on: a doubly linked list whose
//! nodes live in a slab (`Vec` of slots, linked by index), so it is safe code with O(1) push,
//! pop and removal from the middle (a cancelled waiter), and no allocation per wait once the
//! slab has grown to the high-water mark of waiters.
//!
//! Ownership rule: a slot belongs to the future that inserted it, from [`WaitList::insert`]
//! until that future calls [`WaitList::free`] (when it completes or is dropped). The side that
//! grants the waiter (a release, a notify, a close) only *unlinks* the slot and writes the
//! outcome into its value; the slot stays allocated so the future can read that outcome. So a
//! [`Key`] is never reused while its future still holds it, and needs no generation counter.
//!
//! The list is plain data: the primitives keep it inside their facade `Mutex`.

/// Names one slot of a [`WaitList`]; held by the future that inserted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(u32);

const NIL: u32 = u32::MAX;

#[derive(Debug)]
struct Slot<T> {
    /// `None` while the slot is on the free list.
    value: Option<T>,
    prev: u32,
    next: u32,
    /// On the FIFO (waiting), as opposed to granted-and-unlinked or free.
    linked: bool,
}

/// A FIFO of waiters with O(1) removal; see the module docs for who owns a slot.
#[derive(Debug)]
pub(crate) struct WaitList<T> {
    slots: Vec<Slot<T>>,
    head: u32,
    tail: u32,
    /// Head of the free list, threaded through `next`.
    free: u32,
    len: usize,
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> Self {
        Self {
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
            len: 0,
        }
    }

    /// Waiters currently linked (waiting).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Allocates a slot for `value` and links it at the back of the queue.
    pub(crate) fn insert(&mut self, value: T) -> Key {
        let idx = if self.free != NIL {
            let idx = self.free;
            let slot = &mut self.slots[idx as usize];
            self.free = slot.next;
            slot.value = Some(value);
            idx
        } else {
            let idx = u32::try_from(self.slots.len())
                .ok()
                .filter(|&i| i != NIL)
                .expect("more than u32::MAX - 1 simultaneous waiters on one primitive");
            self.slots.push(Slot {
                value: Some(value),
                prev: NIL,
                next: NIL,
                linked: false,
            });
            idx
        };
        self.link_back(idx);
        Key(idx)
    }

    fn link_back(&mut self, idx: u32) {
        let tail = self.tail;
        let slot = &mut self.slots[idx as usize];
        slot.prev = tail;
        slot.next = NIL;
        slot.linked = true;
        if tail == NIL {
            self.head = idx;
        } else {
            self.slots[tail as usize].next = idx;
        }
        self.tail = idx;
        self.len += 1;
    }

    /// Whether the waiter is still queued (not yet granted, notified or closed out).
    pub(crate) fn is_linked(&self, key: Key) -> bool {
        self.slots[key.0 as usize].linked
    }

    /// Takes the waiter off the queue, keeping its slot (and value) for its future to read.
    /// A no-op if it is not linked.
    pub(crate) fn unlink(&mut self, key: Key) {
        let slot = &mut self.slots[key.0 as usize];
        if !slot.linked {
            return;
        }
        slot.linked = false;
        let (prev, next) = (slot.prev, slot.next);
        slot.prev = NIL;
        slot.next = NIL;
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next as usize].prev = prev;
        }
        self.len -= 1;
    }

    /// The first queued waiter.
    pub(crate) fn front(&self) -> Option<Key> {
        (self.head != NIL).then_some(Key(self.head))
    }

    /// The value of an allocated slot.
    pub(crate) fn get_mut(&mut self, key: Key) -> &mut T {
        self.slots[key.0 as usize]
            .value
            .as_mut()
            .expect("wait-list key used after free")
    }

    /// Unlinks (if needed) and releases the slot, returning its value. Only the future that
    /// owns `key` calls this, once.
    pub(crate) fn free(&mut self, key: Key) -> T {
        self.unlink(key);
        let free = self.free;
        let slot = &mut self.slots[key.0 as usize];
        let value = slot.value.take().expect("wait-list slot freed twice");
        slot.next = free;
        self.free = key.0;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(list: &WaitList<u32>) -> Vec<u32> {
        let mut out = Vec::new();
        let mut idx = list.head;
        while idx != NIL {
            out.push(*list.slots[idx as usize].value.as_ref().unwrap());
            idx = list.slots[idx as usize].next;
        }
        out
    }

    #[test]
    fn fifo_with_removal_from_the_middle_and_slot_reuse() {
        let mut list = WaitList::new();
        let a = list.insert(1);
        let b = list.insert(2);
        let c = list.insert(3);
        assert_eq!(order(&list), [1, 2, 3]);
        assert_eq!(list.free(b), 2);
        assert_eq!(order(&list), [1, 3]);
        list.unlink(a);
        assert!(!list.is_linked(a));
        assert_eq!(*list.get_mut(a), 1, "an unlinked slot keeps its value");
        assert_eq!(order(&list), [3]);
        assert_eq!(list.front(), Some(c));
        let d = list.insert(4);
        assert_eq!(d, b, "the freed slot is reused");
        assert_eq!(order(&list), [3, 4]);
        assert_eq!(list.len(), 2);
        assert_eq!(list.free(a), 1);
        assert_eq!(list.free(c), 3);
        assert_eq!(list.free(d), 4);
        assert!(list.is_empty());
        assert_eq!(list.front(), None);
    }
}

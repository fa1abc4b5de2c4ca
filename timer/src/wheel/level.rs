//! One level of the wheel: 64 slots, each an intrusive list, and a 64-bit occupancy mask.
//!
//! Level `l` covers `64^(l+1)` ticks in 64 slots of `64^l` ticks each. Bit `s` of `occupied`
//! is set exactly when slot `s` holds at least one entry, so the next non-empty slot after the
//! current one is one `rotate_right` and one `trailing_zeros` away.

use std::ptr::NonNull;

use super::{Link, List, SLOTS, Slot};

pub(super) struct Level<T> {
    level: usize,
    occupied: u64,
    slots: [List<T>; SLOTS],
}

/// The next non-empty slot of a level and the tick at which it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Expiration {
    pub(super) level: usize,
    pub(super) slot: usize,
    /// The first tick of the slot: when the wheel reaches it the slot is processed.
    pub(super) deadline: u64,
}

/// Ticks covered by one slot of `level`.
pub(super) const fn slot_range(level: usize) -> u64 {
    1 << (6 * level)
}

/// Ticks covered by the whole of `level`.
pub(super) const fn level_range(level: usize) -> u64 {
    1 << (6 * (level + 1))
}

impl<T: Link> Level<T> {
    pub(super) fn new(level: usize) -> Level<T> {
        Level {
            level,
            occupied: 0,
            slots: std::array::from_fn(|_| List::new()),
        }
    }

    /// The slot `tick` falls in at this level.
    pub(super) fn slot_for(&self, tick: u64) -> usize {
        ((tick >> (6 * self.level)) % SLOTS as u64) as usize
    }

    /// The first non-empty slot after the slot holding `now` (wrapping round to it last), with
    /// its start tick.
    pub(super) fn next_expiration(&self, now: u64) -> Option<Expiration> {
        if self.occupied == 0 {
            return None;
        }
        // Search from the slot after `now`'s: the current slot comes last. Below the top
        // level it is never occupied (its entries would be at a lower level); at the top
        // level an entry there was clamped and is a whole rotation ahead.
        let start = (self.slot_for(now) as u32 + 1) % SLOTS as u32;
        let zeros = self.occupied.rotate_right(start).trailing_zeros();
        let slot = ((zeros + start) % SLOTS as u32) as usize;
        let range = level_range(self.level);
        let level_start = now & !(range - 1);
        let mut deadline = level_start + slot as u64 * slot_range(self.level);
        if deadline <= now {
            // Only the top level wraps: entries past its span are clamped into its slots,
            // which then act as a ring (see `Wheel::place`). A slot "before" now is one
            // rotation ahead.
            debug_assert_eq!(self.level, super::NUM_LEVELS - 1, "a lower level wrapped");
            deadline += range;
        }
        Some(Expiration {
            level: self.level,
            slot,
            deadline,
        })
    }

    /// # Safety
    ///
    /// As [`List::push_front`].
    pub(super) unsafe fn push(&mut self, slot: usize, item: NonNull<T>) {
        // SAFETY: forwarded to the caller.
        unsafe { self.slots[slot].push_front(item, Slot::level(self.level, slot)) };
        self.occupied |= 1 << slot;
    }

    /// # Safety
    ///
    /// `item` is linked in `slot` of this level.
    pub(super) unsafe fn remove(&mut self, slot: usize, item: NonNull<T>) {
        // SAFETY: forwarded to the caller.
        unsafe { self.slots[slot].remove(item) };
        if self.slots[slot].is_empty() {
            self.occupied &= !(1 << slot);
        }
    }

    pub(super) fn pop(&mut self, slot: usize) -> Option<NonNull<T>> {
        let item = self.slots[slot].pop_front();
        if self.slots[slot].is_empty() {
            self.occupied &= !(1 << slot);
        }
        item
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(slot_range(0), 1);
        assert_eq!(level_range(0), 64);
        assert_eq!(slot_range(1), 64);
        assert_eq!(level_range(5), 1 << 36);
    }
}

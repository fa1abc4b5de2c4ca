//! The hierarchical timing wheel: a plain data structure with its own clock input.
//!
//! It knows nothing of threads, wakers or `Instant::now`: entries are intrusive nodes (the
//! [`Link`] trait finds the [`Node`] inside an entry), times are `u64` nanoseconds since an
//! origin the owner chooses, and [`Wheel::advance`] moves its clock. That is what lets
//! `wheel/tests.rs` test it deterministically, against a `BTreeMap` model too.
//!
//! ```text
//!  level 5  [64 slots x 64^5 ms = 12.7 days]   span 2.2 years (later deadlines are clamped)
//!  level 4  [64 slots x 64^4 ms = 4.7 h    ]   span 12.7 days
//!  level 3  [64 slots x 64^3 ms = 4.4 min  ]   span 4.7 h
//!  level 2  [64 slots x 4 096 ms           ]   span 4.4 min
//!  level 1  [64 slots x 64 ms              ]   span 4.1 s
//!  level 0  [64 slots x 1 ms               ]   span 64 ms
//!  pending  entries of the current ms whose exact deadline is still ahead
//!  ready    entries due, waiting to be popped and fired
//! ```
//!
//! # Ticks and exact deadlines
//!
//! Slots bucket by tick (one millisecond, [`TICK_NS`]), but each node keeps its exact
//! deadline in nanoseconds. An entry lives at the level where its tick first differs from the
//! wheel's current tick (`level_for`), so a slot at level `l > 0` is *cascaded* when the wheel
//! reaches it: its entries move to lower levels. When a level-0 slot comes round its entries
//! are either due (exact deadline <= now: moved to `ready`) or due later in the same
//! millisecond (moved to `pending`, which [`Wheel::next_expiration`] reports exactly). So a
//! timer never fires early, and the owner can park until the exact deadline: the wheel's
//! O(1) bookkeeping with a heap's precision.
//!
//! # Invariants
//!
//! - `elapsed == now / TICK_NS` outside `advance`.
//! - An entry in level `l`, slot `s` has `level_for(elapsed, clamp(tick)) == l` and
//!   `slot_for(clamp(tick)) == s`, and its tick is greater than `elapsed`.
//! - `pending` holds entries with tick `== elapsed` and exact deadline `> now`; `ready` holds
//!   entries with exact deadline `<= now`.
//! - Each node's `slot` names the one list it is in (or `Unlinked`).

mod level;
#[cfg(all(test, not(conductor_loom)))]
mod tests;

use std::ptr::NonNull;

use level::Level;

/// Levels in the wheel.
pub(crate) const NUM_LEVELS: usize = 6;
/// Slots per level.
const SLOTS: usize = 64;
/// Ticks the wheel spans (64^6 ms, about 2.2 years); later ticks are clamped to the top level.
pub(crate) const MAX_TICKS: u64 = 1 << (6 * NUM_LEVELS);
/// One tick, the resolution of the slots, in nanoseconds.
pub(crate) const TICK_NS: u64 = 1_000_000;

/// Which list a node is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// In no list.
    Unlinked,
    /// In `levels[level].slots[slot]`.
    Level(u8, u8),
    /// In the current millisecond, not due yet.
    Pending,
    /// Due; waiting for `pop_ready`.
    Ready,
}

impl Slot {
    fn level(level: usize, slot: usize) -> Slot {
        Slot::Level(level as u8, slot as u8)
    }
}

/// The intrusive part of an entry: links, exact deadline, and where it is linked. Owned by
/// the wheel while linked.
#[derive(Debug)]
pub(crate) struct Node<T> {
    prev: Option<NonNull<T>>,
    next: Option<NonNull<T>>,
    when: u64,
    slot: Slot,
}

impl<T> Node<T> {
    /// An unlinked node.
    pub(crate) const fn new() -> Node<T> {
        Node {
            prev: None,
            next: None,
            when: 0,
            slot: Slot::Unlinked,
        }
    }
}

/// Finds the [`Node`] inside an entry.
///
/// # Safety
///
/// `node` returns a pointer to a `Node<Self>` stored inside `*this`, valid for as long as
/// `*this` is, and used by nothing but the wheel.
pub(crate) unsafe trait Link: Sized {
    /// The node of `this`.
    fn node(this: NonNull<Self>) -> NonNull<Node<Self>>;
}

/// # Safety
///
/// `item` is valid, and no other reference to its node is live.
unsafe fn node<'a, T: Link>(item: NonNull<T>) -> &'a mut Node<T> {
    // SAFETY: the caller's contract; `Link` promises the pointer is into `*item`.
    unsafe { &mut *T::node(item).as_ptr() }
}

/// An intrusive doubly-linked list (head only; order does not matter to the wheel).
struct List<T> {
    head: Option<NonNull<T>>,
}

impl<T: Link> List<T> {
    const fn new() -> List<T> {
        List { head: None }
    }

    fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// # Safety
    ///
    /// `item` is valid, unlinked, and stays valid until it is removed or popped.
    unsafe fn push_front(&mut self, item: NonNull<T>, slot: Slot) {
        // SAFETY: `item` is valid and in no list, so nothing else borrows its node.
        let n = unsafe { node(item) };
        debug_assert_eq!(n.slot, Slot::Unlinked);
        n.prev = None;
        n.next = self.head;
        n.slot = slot;
        if let Some(head) = self.head {
            // SAFETY: `head` is linked here, hence valid; it is not `item` (unlinked).
            unsafe { node(head) }.prev = Some(item);
        }
        self.head = Some(item);
    }

    /// # Safety
    ///
    /// `item` is linked in this list.
    unsafe fn remove(&mut self, item: NonNull<T>) {
        let (prev, next) = {
            // SAFETY: linked entries are valid (push_front's contract).
            let n = unsafe { node(item) };
            let links = (n.prev.take(), n.next.take());
            n.slot = Slot::Unlinked;
            links
        };
        match prev {
            // SAFETY: neighbours are linked in this list, hence valid, and distinct from item.
            Some(p) => unsafe { node(p) }.next = next,
            None => self.head = next,
        }
        if let Some(nx) = next {
            // SAFETY: as above.
            unsafe { node(nx) }.prev = prev;
        }
    }

    fn pop_front(&mut self) -> Option<NonNull<T>> {
        let head = self.head?;
        // SAFETY: `head` is linked in this list.
        unsafe { self.remove(head) };
        Some(head)
    }
}

/// The wheel. See the module docs for the picture and the invariants.
pub(crate) struct Wheel<T> {
    /// The current tick: `now / TICK_NS`.
    elapsed: u64,
    /// The current time in nanoseconds, as last given to `advance`.
    now: u64,
    levels: Box<[Level<T>; NUM_LEVELS]>,
    pending: List<T>,
    ready: List<T>,
    len: usize,
}

// SAFETY: the wheel only stores pointers; the owner (the timer handle) guarantees the entries
// they point to are `Sync` and only touched under the lock that owns the wheel.
unsafe impl<T: Sync> Send for Wheel<T> {}

impl<T: Link> Wheel<T> {
    /// An empty wheel at time 0.
    pub(crate) fn new() -> Wheel<T> {
        Wheel {
            elapsed: 0,
            now: 0,
            levels: Box::new(std::array::from_fn(Level::new)),
            pending: List::new(),
            ready: List::new(),
            len: 0,
        }
    }

    /// The wheel's time (nanoseconds), as last advanced to.
    #[cfg(test)]
    pub(crate) fn now(&self) -> u64 {
        self.now
    }

    /// Entries linked (in a slot, pending or ready).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Links `item` to fire at `when` (nanoseconds). Returns `Err(item)`, unlinked, when
    /// `when` is not after the wheel's time: the caller fires it at once.
    ///
    /// # Safety
    ///
    /// `item` is valid, linked in no wheel, and stays valid and in place until it is
    /// [removed](Self::remove) or [popped](Self::pop_ready).
    pub(crate) unsafe fn insert(&mut self, item: NonNull<T>, when: u64) -> Result<(), NonNull<T>> {
        if when <= self.now {
            return Err(item);
        }
        // SAFETY: the caller's contract: valid and unlinked.
        unsafe { node(item) }.when = when;
        // SAFETY: as above.
        unsafe { self.place(item) };
        self.len += 1;
        Ok(())
    }

    /// Unlinks `item` wherever it is; a no-op for an unlinked node.
    ///
    /// # Safety
    ///
    /// `item` is valid, and linked in this wheel or in none.
    pub(crate) unsafe fn remove(&mut self, item: NonNull<T>) {
        // SAFETY: valid (the caller's contract); the borrow ends before the list is touched.
        let slot = unsafe { node(item) }.slot;
        // SAFETY: `slot` names the list `item` is linked in (invariant).
        unsafe {
            match slot {
                Slot::Unlinked => return,
                Slot::Level(l, s) => self.levels[l as usize].remove(s as usize, item),
                Slot::Pending => self.pending.remove(item),
                Slot::Ready => self.ready.remove(item),
            }
        }
        self.len -= 1;
    }

    /// When something is next due, in nanoseconds: the wheel's time if entries are ready, the
    /// exact earliest deadline of the pending entries, or else the first tick of the next
    /// non-empty slot (processing it may cascade rather than fire). `None`: no entries.
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        if !self.ready.is_empty() {
            return Some(self.now);
        }
        if !self.pending.is_empty() {
            let mut min = u64::MAX;
            let mut cur = self.pending.head;
            while let Some(item) = cur {
                // SAFETY: linked entries are valid; only read here.
                let n = unsafe { node(item) };
                min = min.min(n.when);
                cur = n.next;
            }
            return Some(min);
        }
        self.next_slot()
            .map(|exp| exp.deadline.saturating_mul(TICK_NS))
    }

    /// Moves the wheel's time to `now` (nanoseconds; an earlier time is ignored), cascading
    /// the slots it passes and moving every entry whose deadline is `<= now` to the ready
    /// list, from which [`pop_ready`](Self::pop_ready) takes them.
    pub(crate) fn advance(&mut self, now: u64) {
        if now <= self.now {
            return;
        }
        self.now = now;
        let now_tick = now / TICK_NS;
        // Pending entries belong to the old tick; move the ones now due.
        let mut cur = self.pending.head;
        while let Some(item) = cur {
            let (next, when) = {
                // SAFETY: linked entries are valid; the borrow ends before the lists change.
                let n = unsafe { node(item) };
                (n.next, n.when)
            };
            if when <= now {
                // SAFETY: `item` is in `pending`, then unlinked.
                unsafe {
                    self.pending.remove(item);
                    self.ready.push_front(item, Slot::Ready);
                }
            }
            cur = next;
        }
        while let Some(exp) = self.next_slot() {
            if exp.deadline > now_tick {
                break;
            }
            // Entries re-placed below are placed relative to the slot being processed.
            self.elapsed = exp.deadline;
            while let Some(item) = self.levels[exp.level].pop(exp.slot) {
                // SAFETY: popped entries are valid and now unlinked.
                unsafe {
                    if node(item).when <= now {
                        self.ready.push_front(item, Slot::Ready);
                    } else {
                        self.place(item);
                    }
                }
            }
        }
        self.elapsed = now_tick;
    }

    /// Takes one due entry (unlinked), or `None` when nothing is due at the wheel's time.
    pub(crate) fn pop_ready(&mut self) -> Option<NonNull<T>> {
        let item = self.ready.pop_front()?;
        self.len -= 1;
        Some(item)
    }

    /// Unlinks and returns any entry (for shutdown).
    pub(crate) fn pop_any(&mut self) -> Option<NonNull<T>> {
        if let Some(item) = self.pop_ready() {
            return Some(item);
        }
        let item = self.pending.pop_front().or_else(|| {
            let exp = self.next_slot()?;
            self.levels[exp.level].pop(exp.slot)
        })?;
        self.len -= 1;
        Some(item)
    }

    fn next_slot(&self) -> Option<level::Expiration> {
        // A lower level's entries all come before a higher level's (they share the current
        // block of the higher level), so the first non-empty level is the answer.
        self.levels
            .iter()
            .find_map(|level| level.next_expiration(self.elapsed))
    }

    /// Puts an unlinked entry whose deadline is after `now` into its list, relative to
    /// `elapsed`.
    ///
    /// # Safety
    ///
    /// As [`insert`](Self::insert).
    unsafe fn place(&mut self, item: NonNull<T>) {
        // SAFETY: the caller's contract.
        let tick = unsafe { node(item) }.when / TICK_NS;
        if tick <= self.elapsed {
            debug_assert_eq!(tick, self.elapsed);
            // SAFETY: unlinked and valid.
            unsafe { self.pending.push_front(item, Slot::Pending) };
            return;
        }
        // Past the top level's span: park it in the top level one rotation ahead at most;
        // when that slot comes round it is placed again.
        let tick = tick.min(self.elapsed + MAX_TICKS - 1);
        let level = level_for(self.elapsed, tick);
        let slot = self.levels[level].slot_for(tick);
        // SAFETY: unlinked and valid.
        unsafe { self.levels[level].push(slot, item) };
    }
}

/// The level for an entry due at `when` (a tick) when the wheel is at `elapsed`: the level
/// whose digit (6 bits) is the highest one in which the two differ.
fn level_for(elapsed: u64, when: u64) -> usize {
    const SLOT_MASK: u64 = (1 << 6) - 1;
    let masked = ((elapsed ^ when) | SLOT_MASK).min(MAX_TICKS - 1);
    let significant = 63 - masked.leading_zeros() as usize;
    significant / 6
}

impl<T> std::fmt::Debug for Wheel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wheel")
            .field("now", &self.now)
            .field("elapsed", &self.elapsed)
            .field("len", &self.len)
            .finish()
    }
}

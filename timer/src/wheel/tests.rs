//! Deterministic tests of the wheel with a fake clock, and a property test against a
//! `BTreeMap` model.

use std::cell::UnsafeCell;
use std::collections::BTreeMap;
use std::ptr::NonNull;

use proptest::prelude::*;

use super::*;

struct TestEntry {
    node: UnsafeCell<Node<TestEntry>>,
    id: usize,
}

// SAFETY: the node is a field of the entry, and only the wheel uses it.
unsafe impl Link for TestEntry {
    fn node(this: NonNull<Self>) -> NonNull<Node<Self>> {
        // SAFETY: `this` is valid (the wheel's contract), so the field pointer is non-null.
        unsafe { NonNull::new_unchecked(UnsafeCell::raw_get(&raw const (*this.as_ptr()).node)) }
    }
}

/// A wheel plus boxed entries that outlive their links.
struct Harness {
    wheel: Wheel<TestEntry>,
    #[allow(clippy::vec_box)] // boxed: the wheel points into them while the Vec grows
    entries: Vec<Box<TestEntry>>,
}

const MS: u64 = TICK_NS;

impl Harness {
    fn new() -> Harness {
        Harness {
            wheel: Wheel::new(),
            entries: Vec::new(),
        }
    }

    fn entry(&mut self, id: usize) -> NonNull<TestEntry> {
        while self.entries.len() <= id {
            let id = self.entries.len();
            self.entries.push(Box::new(TestEntry {
                node: UnsafeCell::new(Node::new()),
                id,
            }));
        }
        NonNull::from(&*self.entries[id])
    }

    /// Inserts entry `id` (unlinked) at `when` ns; `false` when it was already due.
    fn insert(&mut self, id: usize, when: u64) -> bool {
        let e = self.entry(id);
        // SAFETY: boxed entries live as long as the harness, which drops the wheel first.
        unsafe { self.wheel.insert(e, when) }.is_ok()
    }

    fn cancel(&mut self, id: usize) {
        let e = self.entry(id);
        // SAFETY: as above; linked in this wheel or in none.
        unsafe { self.wheel.remove(e) };
    }

    /// Advances to `now` ns and returns the ids that fired, sorted.
    fn advance(&mut self, now: u64) -> Vec<usize> {
        self.wheel.advance(now);
        let mut fired = Vec::new();
        while let Some(e) = self.wheel.pop_ready() {
            // SAFETY: entries live as long as the harness.
            fired.push(unsafe { e.as_ref() }.id);
        }
        fired.sort_unstable();
        fired
    }

    /// Steps from expiration to expiration until `id` fires; returns the time it fired at
    /// and the number of steps, or panics after `max_steps`.
    fn run_until_fired(&mut self, max_steps: usize) -> (u64, Vec<usize>) {
        for _ in 0..max_steps {
            let next = self.wheel.next_expiration().expect("an entry is linked");
            assert!(next >= self.wheel.now(), "expiration in the past");
            let fired = self.advance(next.max(self.wheel.now() + 1));
            if !fired.is_empty() {
                return (self.wheel.now(), fired);
            }
        }
        panic!("not fired after {max_steps} steps");
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Unlink everything before the boxes go.
        while self.wheel.pop_any().is_some() {}
        assert_eq!(self.wheel.len(), 0);
    }
}

const BOUNDARIES_MS: &[u64] = &[
    1,
    2,
    63,
    64,
    65,
    127,
    128,
    4095,
    4096,
    4097,
    262_143,
    262_144,
    262_145,
    64 * 64 * 64 * 64,
    64 * 64 * 64 * 64 * 64 + 17,
    MAX_TICKS - 1,
    MAX_TICKS,
    MAX_TICKS + 1,
    MAX_TICKS * 3 + 12_345,
];

#[test]
fn level_for_boundaries() {
    assert_eq!(level_for(0, 1), 0);
    assert_eq!(level_for(0, 63), 0);
    assert_eq!(level_for(0, 64), 1);
    assert_eq!(level_for(0, 4095), 1);
    assert_eq!(level_for(0, 4096), 2);
    assert_eq!(level_for(0, MAX_TICKS - 1), NUM_LEVELS - 1);
    assert_eq!(level_for(0, MAX_TICKS * 10), NUM_LEVELS - 1);
    assert_eq!(level_for(63, 64), 1);
}

#[test]
fn fires_at_every_boundary_not_before() {
    for &ms in BOUNDARIES_MS {
        let mut h = Harness::new();
        assert!(h.insert(0, ms * MS));
        assert!(h.advance(ms * MS - 1).is_empty(), "{ms} ms fired early");
        assert_eq!(h.advance(ms * MS), vec![0], "{ms} ms did not fire on time");
        assert_eq!(h.wheel.len(), 0);
    }
}

#[test]
fn stepping_by_next_expiration_reaches_every_boundary() {
    for &ms in BOUNDARIES_MS {
        let mut h = Harness::new();
        assert!(h.insert(0, ms * MS));
        // At most one step per level per rotation, plus the clamped rotations.
        let (at, fired) = h.run_until_fired(64 * NUM_LEVELS * 4);
        assert_eq!(fired, vec![0]);
        assert_eq!(at, ms * MS, "{ms} ms fired at {at} ns");
    }
}

#[test]
fn boundaries_from_an_unaligned_start() {
    for &ms in BOUNDARIES_MS {
        let mut h = Harness::new();
        let start = 12_345 * MS + 678;
        h.advance(start);
        assert!(h.insert(0, start + ms * MS));
        assert!(h.advance(start + ms * MS - 1).is_empty());
        assert_eq!(h.advance(start + ms * MS), vec![0]);
    }
}

#[test]
fn cancel_at_every_level() {
    for &ms in BOUNDARIES_MS {
        let mut h = Harness::new();
        assert!(h.insert(0, ms * MS));
        assert!(h.insert(1, ms * MS));
        h.cancel(0);
        assert_eq!(h.wheel.len(), 1);
        assert_eq!(h.advance(ms * MS), vec![1]);
        // Cancelling an unlinked entry is a no-op.
        h.cancel(0);
        h.cancel(1);
        assert_eq!(h.wheel.len(), 0);
        assert_eq!(h.wheel.next_expiration(), None);
    }
}

#[test]
fn already_due_is_refused() {
    let mut h = Harness::new();
    h.advance(10 * MS);
    assert!(!h.insert(0, 10 * MS));
    assert!(!h.insert(0, 3 * MS));
    assert!(h.insert(0, 10 * MS + 1));
    assert_eq!(h.advance(10 * MS + 1), vec![0]);
}

#[test]
fn exact_deadline_within_the_millisecond() {
    let mut h = Harness::new();
    let when = 5 * MS + MS / 2;
    assert!(h.insert(0, when));
    assert_eq!(h.wheel.next_expiration(), Some(5 * MS));
    assert!(h.advance(5 * MS).is_empty());
    // Now pending: reported exactly.
    assert_eq!(h.wheel.next_expiration(), Some(when));
    assert!(h.advance(when - 1).is_empty());
    assert_eq!(h.advance(when), vec![0]);
}

#[test]
fn cascading_fires_each_in_its_own_tick() {
    let mut h = Harness::new();
    let whens: Vec<u64> = (0..300).map(|i| 1 + i * 37 % 5000).collect();
    for (id, &ms) in whens.iter().enumerate() {
        assert!(h.insert(id, ms * MS));
    }
    let mut fired_at = vec![0; whens.len()];
    for ms in 1..=5000 {
        for id in h.advance(ms * MS) {
            fired_at[id] = ms;
        }
    }
    assert_eq!(fired_at, whens);
}

#[test]
fn reset_across_levels() {
    let mut h = Harness::new();
    assert!(h.insert(0, 100_000 * MS));
    h.cancel(0);
    assert!(h.insert(0, 3 * MS));
    assert_eq!(h.advance(3 * MS), vec![0]);
    assert!(h.insert(0, 10 * MS));
    h.cancel(0);
    assert!(h.insert(0, 5_000_000 * MS));
    assert!(h.advance(4_999_999 * MS).is_empty());
    assert_eq!(h.advance(5_000_000 * MS), vec![0]);
}

#[test]
fn many_entries_in_one_slot() {
    let mut h = Harness::new();
    for id in 0..1000 {
        assert!(h.insert(id, 4096 * MS + (id as u64 % 7)));
    }
    for id in (0..1000).step_by(3) {
        h.cancel(id);
    }
    let mut all = Vec::new();
    for ms in 4090..4200 {
        all.extend(h.advance(ms * MS));
    }
    let expected: Vec<usize> = (0..1000).filter(|id| id % 3 != 0).collect();
    all.sort_unstable();
    assert_eq!(all, expected);
}

#[test]
fn far_future_never_overflows() {
    let mut h = Harness::new();
    assert!(h.insert(0, u64::MAX));
    assert!(h.advance(MAX_TICKS * 5 * MS).is_empty());
    assert!(h.wheel.next_expiration().unwrap() > h.wheel.now());
    assert_eq!(h.advance(u64::MAX), vec![0]);
}

#[derive(Debug, Clone)]
enum Op {
    Insert { id: usize, delay: u64 },
    Cancel { id: usize },
    Advance { by: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..32usize, prop_oneof![
            0..5 * MS,
            0..300 * MS,
            0..10_000 * MS,
            0..MAX_TICKS * 2 * MS,
        ]).prop_map(|(id, delay)| Op::Insert { id, delay }),
        2 => (0..32usize).prop_map(|id| Op::Cancel { id }),
        3 => prop_oneof![0..2 * MS, 0..100 * MS, 0..20_000 * MS, 0..MAX_TICKS * MS]
            .prop_map(|by| Op::Advance { by }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Same entries fire, in the same `advance` call, never early, as a `BTreeMap` model.
    #[test]
    fn matches_btreemap_model(ops in proptest::collection::vec(op(), 1..120)) {
        let mut h = Harness::new();
        let mut model: BTreeMap<usize, u64> = BTreeMap::new();
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Insert { id, delay } => {
                    h.cancel(id);
                    model.remove(&id);
                    let when = now + delay;
                    if h.insert(id, when) {
                        model.insert(id, when);
                    } else {
                        prop_assert!(when <= now);
                    }
                }
                Op::Cancel { id } => {
                    h.cancel(id);
                    model.remove(&id);
                }
                Op::Advance { by } => {
                    now += by;
                    let fired = h.advance(now);
                    let expected: Vec<usize> =
                        model.iter().filter(|&(_, &w)| w <= now).map(|(&id, _)| id).collect();
                    for id in &expected {
                        model.remove(id);
                    }
                    prop_assert_eq!(fired, expected);
                }
            }
            prop_assert_eq!(h.wheel.len(), model.len());
            if let Some(&earliest) = model.values().min() {
                let next = h.wheel.next_expiration().unwrap();
                prop_assert!(next <= earliest, "next {} after earliest {}", next, earliest);
            } else {
                prop_assert_eq!(h.wheel.next_expiration(), None);
            }
        }
    }
}

//! Spawn notes: per spawn location, how many tasks were spawned there and how large their
//! future is; and the large-future check on the same path.
//!
//! # The table
//!
//! A fixed-capacity open-addressing hash table keyed by the `&'static Location` pointer,
//! without locks: a spawn hashes the pointer, probes (linearly) for its slot, claiming an
//! empty one with a CAS, then bumps the slot's counter with one relaxed `fetch_add`. The
//! future's size is a constant of the spawned type, so the slot's maximum is only written when
//! a larger future shows up at the same location (a generic function spawning several types).
//! When the table is (nearly) full, a spawn gives up after `MAX_PROBES` slots and counts in
//! one "other" bucket.
//!
//! Every access is `Relaxed`: the key is the only datum a slot publishes, it points to a
//! `'static` location, and the counters are independent statistics read by snapshots that
//! may be a spawn behind.
//!
//! Two equal locations may be distinct statics (the compiler can duplicate one per
//! monomorphized caller), so a snapshot merges slots whose locations compare equal.

use std::fmt;
use std::panic::Location;
// Plain std atomics even under loom: statistics, not a protocol.
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::Relaxed};

use super::large::{self, LargeFutureHook, LargeFutureReport};

/// Slots in a runtime's table (a power of two): distinct spawn locations it tracks by name.
const CAPACITY: usize = 512;

/// Slots a spawn looks at before it counts in the "other" bucket: bounds the cost of a spawn
/// at a new location once the table is nearly full.
const MAX_PROBES: usize = 64;

/// One spawn location's counters.
struct Slot {
    key: AtomicPtr<Location<'static>>,
    spawns: AtomicU64,
    max_size: AtomicUsize,
    /// The large-future report went out for this location.
    reported: AtomicBool,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            key: AtomicPtr::new(std::ptr::null_mut()),
            spawns: AtomicU64::new(0),
            max_size: AtomicUsize::new(0),
            reported: AtomicBool::new(false),
        }
    }

    #[inline]
    fn note(&self, size: usize) {
        self.spawns.fetch_add(1, Relaxed);
        if size > self.max_size.load(Relaxed) {
            self.max_size.fetch_max(size, Relaxed);
        }
    }
}

/// One runtime's spawn notes and large-future settings.
pub(crate) struct SpawnTable {
    slots: Box<[Slot]>,
    /// Spawns at locations that found the table full.
    other: Slot,
    threshold: usize,
    hook: Option<LargeFutureHook>,
}

impl SpawnTable {
    pub(crate) fn new(threshold: usize, hook: Option<LargeFutureHook>) -> SpawnTable {
        SpawnTable {
            slots: (0..CAPACITY).map(|_| Slot::new()).collect(),
            other: Slot::new(),
            threshold,
            hook,
        }
    }

    /// Notes one spawn of a future of type `F` at `location` (before any boxing), and reports
    /// it if `F` is over the threshold and this location was not reported yet.
    #[inline]
    pub(crate) fn record<F>(&self, location: &'static Location<'static>) {
        let size = std::mem::size_of::<F>();
        let slot = self.slot(location);
        slot.note(size);
        // `size` is a constant here: this is one compare with the runtime's threshold.
        if size > self.threshold {
            self.large(slot, location, size);
        }
    }

    #[cold]
    #[inline(never)]
    fn large(&self, slot: &Slot, location: &'static Location<'static>, size: usize) {
        // Load first: after the first report this stays a read of a shared line.
        if slot.reported.load(Relaxed) || slot.reported.swap(true, Relaxed) {
            return;
        }
        let report = LargeFutureReport {
            location,
            size,
            threshold: self.threshold,
        };
        large::emit(self.hook.as_ref(), &report);
    }

    /// The slot of `location`, claiming one if needed; the "other" bucket when full.
    #[inline]
    fn slot(&self, location: &'static Location<'static>) -> &Slot {
        let key = location as *const Location<'static> as *mut Location<'static>;
        // Fibonacci hashing of the address: locations are 8-aligned statics, so the low bits
        // alone would cluster.
        let hash = (key as usize as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mask = CAPACITY - 1;
        let start = (hash >> (64 - CAPACITY.trailing_zeros())) as usize;
        for i in 0..MAX_PROBES {
            let slot = &self.slots[(start + i) & mask];
            let current = slot.key.load(Relaxed);
            if current == key {
                return slot;
            }
            if current.is_null() {
                match slot
                    .key
                    .compare_exchange(std::ptr::null_mut(), key, Relaxed, Relaxed)
                {
                    Ok(_) => return slot,
                    Err(actual) if actual == key => return slot,
                    Err(_) => {} // another location took it first: keep probing
                }
            }
        }
        &self.other
    }

    /// A snapshot of the table.
    pub(crate) fn snapshot(&self) -> SpawnNotes {
        let mut sites: Vec<SpawnSite> = Vec::new();
        for slot in self.slots.iter() {
            let key = slot.key.load(Relaxed);
            if key.is_null() {
                continue;
            }
            // SAFETY: keys are only ever `&'static Location<'static>` pointers (see `slot`).
            let location: &'static Location<'static> = unsafe { &*key };
            let spawns = slot.spawns.load(Relaxed);
            let future_size = slot.max_size.load(Relaxed);
            match sites.iter_mut().find(|s| *s.location == *location) {
                Some(site) => {
                    site.spawns += spawns;
                    site.future_size = site.future_size.max(future_size);
                }
                None => sites.push(SpawnSite {
                    location,
                    spawns,
                    future_size,
                }),
            }
        }
        // The slot was claimed before its first count: skip locations not counted yet.
        sites.retain(|s| s.spawns > 0);
        sites.sort_by(|a, b| {
            b.spawns
                .cmp(&a.spawns)
                .then_with(|| a.location.file().cmp(b.location.file()))
                .then_with(|| a.location.line().cmp(&b.location.line()))
                .then_with(|| a.location.column().cmp(&b.location.column()))
        });
        SpawnNotes {
            sites,
            other_spawns: self.other.spawns.load(Relaxed),
            other_max_size: self.other.max_size.load(Relaxed),
        }
    }
}

/// A snapshot of a runtime's spawn notes: for each spawn location, how many tasks were
/// spawned there and how large their future is. `spawn_blocking` closures are not counted.
/// See [`Handle::spawn_notes`](crate::runtime::Handle::spawn_notes).
///
/// `Display` prints one line per location, most spawns first.
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// let line = line!(); for _ in 0..3 { drop(rt.spawn(async {})); }
/// let notes = rt.handle().spawn_notes();
/// let site = notes.sites().find(|s| s.location().line() == line).unwrap();
/// assert_eq!(site.spawns(), 3);
/// println!("{notes}");
/// ```
#[derive(Debug, Clone)]
pub struct SpawnNotes {
    sites: Vec<SpawnSite>,
    other_spawns: u64,
    other_max_size: usize,
}

impl SpawnNotes {
    /// Every spawn location, most spawns first.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// drop(rt.spawn(async {}));
    /// assert_eq!(rt.handle().spawn_notes().sites().map(|s| s.spawns()).sum::<u64>(), 1);
    /// ```
    pub fn sites(&self) -> impl Iterator<Item = &SpawnSite> {
        self.sites.iter()
    }

    /// Spawns at locations that found the table full (it holds about 512 distinct locations
    /// per runtime), counted together. A large future at such a location is reported once for
    /// all of them.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// drop(rt.spawn(async {}));
    /// assert_eq!(rt.handle().spawn_notes().other_spawns(), 0);
    /// ```
    pub fn other_spawns(&self) -> u64 {
        self.other_spawns
    }
}

impl fmt::Display for SpawnNotes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:>10}  {:>10}  location", "spawns", "size")?;
        for site in &self.sites {
            writeln!(
                f,
                "{:>10}  {:>10}  {}",
                site.spawns,
                super::dump::human_size(site.future_size),
                site.location
            )?;
        }
        if self.other_spawns > 0 {
            writeln!(
                f,
                "{:>10}  {:>10}  (other locations: the table is full)",
                self.other_spawns,
                super::dump::human_size(self.other_max_size)
            )?;
        }
        Ok(())
    }
}

/// One spawn location in [`SpawnNotes`].
///
/// # Examples
///
/// ```
/// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
/// drop(rt.spawn(async {}));
/// let notes = rt.handle().spawn_notes();
/// let site = notes.sites().next().unwrap();
/// assert_eq!(site.location().file(), file!());
/// assert_eq!(site.spawns(), 1);
/// assert!(site.future_size() < 64);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SpawnSite {
    location: &'static Location<'static>,
    spawns: u64,
    future_size: usize,
}

impl SpawnSite {
    /// The spawn location (the caller of `spawn`, `Handle::spawn`, `JoinSet::spawn`...).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let line = line!(); drop(rt.spawn(async {}));
    /// let notes = rt.handle().spawn_notes();
    /// assert_eq!(notes.sites().next().unwrap().location().line(), line);
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// Tasks spawned at this location so far.
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// for _ in 0..2 { drop(rt.spawn(async {})); }
    /// assert_eq!(rt.handle().spawn_notes().sites().next().unwrap().spawns(), 2);
    /// ```
    pub fn spawns(&self) -> u64 {
        self.spawns
    }

    /// The largest future spawned at this location, in bytes, as spawned (before the runtime
    /// boxes a large one).
    ///
    /// ```
    /// let rt = conductor::runtime::Builder::new_current_thread().build().unwrap();
    /// let buf = [0u8; 100];
    /// drop(rt.spawn(async move { buf.len() }));
    /// assert!(rt.handle().spawn_notes().sites().next().unwrap().future_size() >= 100);
    /// ```
    pub fn future_size(&self) -> usize {
        self.future_size
    }
}

//! Spawn notes (`Handle::spawn_notes`) and the large-future report
//! (`Builder::large_future_threshold`, `Builder::on_large_future`), on both flavors.

#[macro_use]
mod support;

use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Mutex};

use conductor::runtime::{Builder, Handle, LargeFutureReport, Runtime, SpawnNotes};
use conductor::task::{JoinHandle, JoinSet};
use support::{Flavor, with_timeout};

/// `conductor::spawn`, also returning the spawn location the runtime records (the caller's).
#[track_caller]
fn spawn<F>(future: F) -> (JoinHandle<F::Output>, &'static Location<'static>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    (conductor::spawn(future), Location::caller())
}

fn spawns_at(notes: &SpawnNotes, location: &Location<'_>) -> u64 {
    notes
        .sites()
        .filter(|s| s.location() == location)
        .map(|s| s.spawns())
        .sum()
}

rt_test! {
    async fn counts_per_location_are_exact() {
        let mut a = None;
        for _ in 0..3 {
            let (h, at) = spawn(async {});
            h.await.unwrap();
            a = Some(at);
        }
        let mut b = None;
        for i in 0..5u32 {
            let (h, at) = spawn(async move { i });
            h.await.unwrap();
            b = Some(at);
        }
        let (a, b) = (a.unwrap(), b.unwrap());

        let notes = Handle::current().spawn_notes();
        assert_eq!(spawns_at(&notes, a), 3, "{notes}");
        assert_eq!(spawns_at(&notes, b), 5, "{notes}");
        assert_eq!(notes.other_spawns(), 0);
        let table = notes.to_string();
        assert!(table.contains(&a.to_string()), "{table}");
    }
}

rt_test! {
    async fn join_set_spawns_are_noted_and_spawn_blocking_is_not() {
        let mut set = JoinSet::new();
        for _ in 0..4 {
            set.spawn(async {});
        }
        while let Some(r) = set.join_next().await {
            r.unwrap();
        }
        for _ in 0..2 {
            conductor::task::spawn_blocking(|| ()).await.unwrap();
        }
        let notes = Handle::current().spawn_notes();
        let counts: Vec<u64> = notes.sites().map(|s| s.spawns()).collect();
        // The JoinSet's four spawns, at one location; the blocking closures are not futures.
        // (The test harness spawns nothing of its own: its body runs in `block_on`.)
        assert_eq!(counts, [4], "{notes}");
        let site = notes.sites().next().unwrap();
        assert_eq!(site.location().file(), file!());
    }
}

rt_test! {
    async fn future_size_is_recorded_per_location() {
        let buf = [7u8; 3000];
        let (h, at) = spawn(async move { buf[2999] });
        assert_eq!(h.await.unwrap(), 7);
        let notes = Handle::current().spawn_notes();
        let site = notes
            .sites()
            .find(|s| s.location() == at)
            .expect("the location is noted");
        assert!(site.future_size() >= 3000, "{}", site.future_size());
        assert_eq!(site.spawns(), 1);
    }
}

type Seen = Arc<Mutex<Vec<(u32, usize, usize)>>>;

fn runtime_with_hook(flavor: Flavor, threshold: Option<usize>) -> (Runtime, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let mut builder = match flavor {
        Flavor::MultiThread => Builder::new_multi_thread(),
        Flavor::CurrentThread => Builder::new_current_thread(),
    };
    if flavor == Flavor::MultiThread {
        builder.worker_threads(2);
    }
    if let Some(t) = threshold {
        builder.large_future_threshold(t);
    }
    builder.on_large_future(move |r: &LargeFutureReport| {
        log.lock()
            .unwrap()
            .push((r.location().line(), r.size(), r.threshold()));
    });
    (builder.build().unwrap(), seen)
}

#[test]
fn large_future_is_reported_once_per_location() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let (rt, seen) = runtime_with_hook(flavor, Some(1024));
            let (a, b) = rt.block_on(async {
                let big = [1u8; 4096];
                let (mut a, mut b) = (None, None);
                for _ in 0..3 {
                    let (h, at) = spawn(async move { big.len() });
                    assert_eq!(h.await.unwrap(), 4096);
                    a = Some(at);
                }
                for _ in 0..4 {
                    let (h, at) = spawn(async move { big[0] });
                    assert_eq!(h.await.unwrap(), 1);
                    b = Some(at);
                }
                // Small futures are never reported.
                for _ in 0..5 {
                    conductor::spawn(async {}).await.unwrap();
                }
                (a.unwrap(), b.unwrap())
            });
            // From outside the runtime, at a third location, twice.
            let medium = [2u8; 2048];
            for _ in 0..2 {
                let h = rt.spawn(async move { medium.len() });
                assert_eq!(rt.block_on(h).unwrap(), 2048);
            }
            let seen = seen.lock().unwrap().clone();
            let mut lines: Vec<u32> = seen.iter().map(|s| s.0).collect();
            lines.sort();
            assert_eq!(lines.len(), 3, "{flavor:?}: {seen:?}");
            assert!(
                lines.contains(&a.line()) && lines.contains(&b.line()),
                "{seen:?}"
            );
            assert!(
                seen.iter()
                    .all(|&(_, size, threshold)| size > 1024 && threshold == 1024)
            );
            let size_at = |line| seen.iter().find(|s| s.0 == line).unwrap().1;
            assert!(
                size_at(a.line()) >= 4096 && size_at(b.line()) >= 4096,
                "{seen:?}"
            );
        });
    }
}

#[test]
fn default_threshold_is_16_kib() {
    with_timeout(|| {
        let (rt, seen) = runtime_with_hook(Flavor::CurrentThread, None);
        rt.block_on(async {
            let medium = [0u8; 8 * 1024];
            conductor::spawn(async move { medium.len() }).await.unwrap();
            assert!(seen.lock().unwrap().is_empty());
            let huge = vec![0u8; 32 * 1024];
            let huge: [u8; 32 * 1024] = huge.try_into().unwrap();
            let (h, at) = spawn(async move { huge.len() });
            assert_eq!(h.await.unwrap(), 32 * 1024);
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert_eq!(seen[0].0, at.line());
            assert_eq!(seen[0].2, 16 * 1024);
        });
    });
}

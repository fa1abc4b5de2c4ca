//! Blocking detection: the monitor reports a task that blocks its worker (naming its spawn
//! location), hands the worker's queue to a replacement so other tasks keep running, rescues
//! an unattended driver, and leaves no thread behind.

use std::io::{Read as _, Write as _};
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use conductor::io::AsyncReadExt;
use conductor::runtime::{BlockingReport, Builder, Runtime};

const BLOCK: Duration = Duration::from_millis(500);

#[derive(Clone, Debug)]
struct Seen {
    line: u32,
    file: &'static str,
    finished: bool,
    handed_off: bool,
    duration: Duration,
}

fn runtime_with_hook(handoff: bool, name: &str) -> (Runtime, Arc<Mutex<Vec<Seen>>>) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .blocking_threshold(Duration::from_millis(100))
        .blocking_handoff(handoff)
        .on_blocking(move |r: &BlockingReport| {
            sink.lock().unwrap().push(Seen {
                line: r.spawn_location().line(),
                file: r.spawn_location().file(),
                finished: r.is_finished(),
                handed_off: r.was_handed_off(),
                duration: r.duration(),
            })
        })
        .build()
        .unwrap();
    (rt, reports)
}

/// Names of this process's threads (truncated to 15 bytes by the kernel).
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .map(|s| s.trim().to_owned())
        .collect()
}

/// The blocker spawns 100 short tasks onto its own worker and then blocks it for 500 ms; all
/// 100 must finish while it is still asleep, and the report must name the blocker's spawn
/// line.
fn blocker_and_short_tasks(handoff: bool, name: &str) -> Vec<Seen> {
    let (rt, reports) = runtime_with_hook(handoff, name);
    let blocker_done = Arc::new(AtomicBool::new(false));
    let finished_before_blocker = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let done = blocker_done.clone();
    let before = finished_before_blocker.clone();
    let blocker_line = line!() + 1;
    let blocker = rt.spawn(async move {
        for _ in 0..100 {
            let done = done.clone();
            let before = before.clone();
            let tx = tx.clone();
            conductor::spawn(async move {
                conductor::task::yield_now().await;
                if !done.load(SeqCst) {
                    before.fetch_add(1, SeqCst);
                }
                let _ = tx.send(());
            });
        }
        std::thread::sleep(BLOCK); // the bug under test: blocking inside poll
        done.store(true, SeqCst);
    });
    for _ in 0..100 {
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    rt.block_on(blocker).unwrap();
    drop(rt);
    assert_eq!(
        finished_before_blocker.load(SeqCst),
        100,
        "every short task completes while the blocker still sleeps"
    );
    let reports = reports.lock().unwrap().clone();
    let first = reports
        .iter()
        .find(|r| !r.finished)
        .expect("a blocking report");
    assert_eq!(first.line, blocker_line);
    assert_eq!(first.file, file!());
    assert_eq!(first.handed_off, handoff);
    assert!(first.duration >= Duration::from_millis(100));
    let last = reports
        .iter()
        .find(|r| r.finished)
        .expect("a report when the poll returns");
    assert_eq!(last.line, blocker_line);
    assert!(last.duration >= first.duration);
    reports
}

#[test]
fn blocking_task_is_reported_and_its_queue_handed_off() {
    blocker_and_short_tasks(true, "diag-handoff");
    // Everything the runtime started (workers, monitor, the replacement) is gone.
    assert!(
        thread_names()
            .iter()
            .all(|n| !n.starts_with("diag-handoff")),
        "{:?}",
        thread_names()
    );
}

#[test]
fn without_handoff_the_report_still_comes() {
    blocker_and_short_tasks(false, "diag-nohand");
}

/// Spawns a task that blocks for `d` and waits for it without `block_on` (so a worker, not the
/// waiting thread, runs it).
fn block_a_worker(rt: &Runtime, d: Duration) {
    let (tx, rx) = mpsc::channel();
    rt.spawn(async move {
        std::thread::sleep(d);
        tx.send(()).unwrap();
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
}

#[test]
fn metrics_count_detection_and_handoff() {
    let (rt, _reports) = runtime_with_hook(true, "diag-metrics");
    block_a_worker(&rt, Duration::from_millis(300));
    let m = rt.metrics();
    assert_eq!(m.blocking_detected_count(), 1);
    assert_eq!(m.handoff_count(), 1);
    // The runtime still works with its replacement worker, and hands off again.
    let sum = rt.block_on(async {
        let mut handles = Vec::new();
        for i in 0..1000u64 {
            handles.push(conductor::spawn(async move { i }));
        }
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, 999 * 1000 / 2);
    block_a_worker(&rt, Duration::from_millis(300));
    assert_eq!(rt.metrics().blocking_detected_count(), 2);
    assert_eq!(rt.metrics().handoff_count(), 2);
    assert_eq!(rt.metrics().num_workers(), 2);
}

#[test]
fn short_polls_are_not_reported() {
    let (rt, reports) = runtime_with_hook(true, "diag-quiet");
    rt.block_on(async {
        for _ in 0..20 {
            conductor::spawn(async {
                for _ in 0..10 {
                    std::thread::sleep(Duration::from_millis(2));
                    conductor::task::yield_now().await;
                }
            })
            .await
            .unwrap();
        }
    });
    assert_eq!(rt.metrics().blocking_detected_count(), 0);
    drop(rt);
    assert!(reports.lock().unwrap().is_empty());
}

#[test]
fn disabled_detection_starts_no_monitor() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("diag-off")
        .disable_blocking_detection()
        .build()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut names = thread_names();
    while names.iter().filter(|n| n.as_str() == "diag-off").count() < 2 {
        assert!(std::time::Instant::now() < deadline, "{names:?}");
        std::thread::sleep(Duration::from_millis(5));
        names = thread_names();
    }
    assert!(!names.iter().any(|n| n.starts_with("diag-off-monitor")));
    block_a_worker(&rt, Duration::from_millis(250));
    assert_eq!(rt.metrics().blocking_detected_count(), 0);

    let on = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("diag-on")
        .build()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !thread_names().iter().any(|n| n == "diag-on-monitor") {
        assert!(std::time::Instant::now() < deadline, "{:?}", thread_names());
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(on);
    assert!(!thread_names().iter().any(|n| n.starts_with("diag-on")));
}

/// A worker wakes from the driver to run a task that then blocks; the other worker sleeps
/// outside the driver. A timer and a TCP read in other tasks must still complete while the
/// blocker sleeps: the monitor rescues the driver.
#[test]
fn unattended_driver_is_rescued() {
    for _ in 0..3 {
        let (rt, _reports) = runtime_with_hook(false, "diag-rescue");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let blocker_done = Arc::new(AtomicBool::new(false));
        let order = Arc::new(Mutex::new(Vec::new()));
        let (o1, o2, d1, d2) = (
            order.clone(),
            order.clone(),
            blocker_done.clone(),
            blocker_done.clone(),
        );
        let reader = rt.spawn(async move {
            let mut stream = conductor::net::TcpStream::connect(addr).await.unwrap();
            let mut buf = [0u8; 5];
            stream.read_exact(&mut buf).await.unwrap();
            o1.lock().unwrap().push(("read", d1.load(SeqCst)));
            buf
        });
        let (mut peer, _) = listener.accept().unwrap();
        // Let every worker park (one of them in the driver).
        std::thread::sleep(Duration::from_millis(50));
        let blocker = rt.spawn(async move {
            // Woken by the driver's timer: runs on the worker that held the driver.
            conductor::time::sleep(Duration::from_millis(1)).await;
            std::thread::sleep(BLOCK);
            d2.store(true, SeqCst);
        });
        let sleeper = rt.spawn(async move {
            conductor::time::sleep(Duration::from_millis(30)).await;
            o2.lock()
                .unwrap()
                .push(("sleep", blocker_done.load(SeqCst)));
        });
        std::thread::sleep(Duration::from_millis(60));
        peer.write_all(b"hello").unwrap();
        assert_eq!(&rt.block_on(reader).unwrap(), b"hello");
        rt.block_on(sleeper).unwrap();
        rt.block_on(blocker).unwrap();
        let order = order.lock().unwrap().clone();
        assert_eq!(order.len(), 2);
        assert!(
            order.iter().all(|&(_, blocker_done)| !blocker_done),
            "timer and read completed while the blocker slept: {order:?}"
        );
        let mut unused = [0u8; 1];
        peer.set_nonblocking(true).unwrap();
        let _ = peer.read(&mut unused);
    }
}

#[test]
#[should_panic(expected = "blocking_threshold")]
fn zero_threshold_panics() {
    Builder::new_multi_thread().blocking_threshold(Duration::ZERO);
}

#[test]
fn report_display_names_the_fix() {
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .blocking_threshold(Duration::from_millis(50))
        .on_blocking(move |r| {
            if !r.is_finished() {
                *sink.lock().unwrap() = r.to_string();
            }
        })
        .build()
        .unwrap();
    let here = Location::caller();
    rt.block_on(rt.spawn(async { std::thread::sleep(Duration::from_millis(200)) }))
        .unwrap();
    drop(rt);
    let line = seen.lock().unwrap().clone();
    assert!(line.contains("spawn_blocking"), "{line}");
    assert!(line.contains(here.file()), "{line}");
}

/// A task that blocks the thread inside `block_on` (it runs tasks it spawns) is reported too,
/// with a worker index past the workers'.
#[test]
fn blocking_on_the_block_on_thread_is_reported() {
    let (rt, reports) = runtime_with_hook(true, "diag-guest");
    rt.block_on(async {
        conductor::spawn(async { std::thread::sleep(Duration::from_millis(300)) })
            .await
            .unwrap();
    });
    drop(rt);
    let reports = reports.lock().unwrap().clone();
    assert!(reports.iter().any(|r| !r.finished), "{reports:?}");
    assert!(reports.iter().any(|r| r.finished), "{reports:?}");
}

/// With one worker, only the hand-off can run anything while that worker blocks: its queued
/// tasks complete before the blocker wakes with hand-off on, and after it without.
#[test]
fn single_worker_handoff_keeps_tasks_running() {
    for handoff in [true, false] {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .blocking_threshold(Duration::from_millis(50))
            .blocking_handoff(handoff)
            .on_blocking(|_| {})
            .build()
            .unwrap();
        let blocker_done = Arc::new(AtomicBool::new(false));
        let finished_before = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        let (done, before) = (blocker_done.clone(), finished_before.clone());
        rt.spawn(async move {
            for _ in 0..10 {
                let (done, before, tx) = (done.clone(), before.clone(), tx.clone());
                conductor::spawn(async move {
                    if !done.load(SeqCst) {
                        before.fetch_add(1, SeqCst);
                    }
                    tx.send(()).unwrap();
                });
            }
            std::thread::sleep(Duration::from_millis(400));
            done.store(true, SeqCst);
        });
        for _ in 0..10 {
            rx.recv_timeout(Duration::from_secs(10)).unwrap();
        }
        let expected = if handoff { 10 } else { 0 };
        assert_eq!(
            finished_before.load(SeqCst),
            expected,
            "handoff = {handoff}"
        );
        assert_eq!(rt.metrics().handoff_count(), u64::from(handoff));
    }
}

/// Regression (review finding): a task the monitor reported (hand-off off) spawns B and waits
/// for it synchronously; B must not sit in the blocked worker's LIFO slot, out of everyone's
/// reach. Same for a task run by the `block_on` thread, and with hand-off on.
#[test]
fn tasks_woken_by_a_reported_poll_are_not_stranded() {
    for handoff in [false, true] {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .blocking_threshold(Duration::from_millis(20))
            .blocking_handoff(handoff)
            .on_blocking(|_| {})
            .build()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        rt.spawn(async move {
            std::thread::sleep(Duration::from_millis(150)); // reported by now
            let (btx, brx) = mpsc::channel();
            conductor::spawn(async move {
                let _ = btx.send(());
            });
            let _ = tx.send(brx.recv_timeout(Duration::from_secs(5)).is_ok());
        });
        assert!(
            rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            "handoff = {handoff}"
        );
    }
}

#[test]
fn tasks_woken_by_a_reported_guest_poll_are_not_stranded() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .blocking_threshold(Duration::from_millis(20))
        .on_blocking(|_| {})
        .build()
        .unwrap();
    let ok = rt.block_on(async {
        conductor::spawn(async {
            std::thread::sleep(Duration::from_millis(100));
            let (btx, brx) = mpsc::channel();
            conductor::spawn(async move {
                let _ = btx.send(());
            });
            brx.recv_timeout(Duration::from_secs(5)).is_ok()
        })
        .await
        .unwrap()
    });
    assert!(ok);
}

/// Regression (review finding): the monitor's driver rescue must never leave the driver with
/// no owner. One worker alternates a 1.5 ms busy poll with a short sleep (a tight threshold,
/// so the monitor ticks every millisecond and keeps finding the driver free); every timer must
/// fire.
#[test]
fn driver_rescue_never_orphans_the_driver() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .blocking_threshold(Duration::from_millis(8))
        .on_blocking(|_| {})
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    const ROUNDS: u32 = 1500;
    rt.spawn(async move {
        for i in 0..ROUNDS {
            let t = std::time::Instant::now();
            while t.elapsed() < Duration::from_micros(1500) {}
            conductor::time::sleep(Duration::from_micros(300)).await;
            let _ = tx.send(i);
        }
    });
    for expected in 0..ROUNDS {
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(i) => assert_eq!(i, expected),
            Err(e) => panic!("timer never fired after round {expected}: {e:?}"),
        }
    }
}

//! Soak test: an echo server, clients that connect, echo and hang up over and over, timers and
//! blocking calls, for a given time. Every second it prints throughput, RSS and the thread
//! count; at the end it checks that every byte came back intact and that RSS stayed flat
//! after warm-up, and exits non-zero otherwise.
//!
//! ```sh
//! cargo run --release --example soak -- 300          # 5 minutes, 32 clients
//! cargo run --release --example soak -- 30 64        # 30 s, 64 clients
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{TcpListener, TcpStream};
use conductor::runtime::Runtime;

/// Bytes per echo message.
const MSG: usize = 4096;
/// Round trips per connection before the client hangs up and reconnects.
const TRIPS_PER_CONN: u64 = 100;
/// Timer tasks.
const TIMERS: u64 = 256;
/// RSS may grow by this fraction of its warm-up value, plus `RSS_SLACK_KIB`, and still count
/// as flat (allocator caches and buffers settle in slowly).
const RSS_GROWTH: f64 = 0.1;
const RSS_SLACK_KIB: u64 = 1024;

#[derive(Default)]
struct Counters {
    bytes: AtomicU64,
    trips: AtomicU64,
    conns: AtomicU64,
    timer_fires: AtomicU64,
    blocking: AtomicU64,
    errors: AtomicU64,
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

async fn serve(listener: TcpListener, c: Arc<Counters>) {
    loop {
        let Ok((mut s, _)) = listener.accept().await else {
            c.errors.fetch_add(1, Relaxed);
            continue;
        };
        conductor::spawn(async move {
            let mut buf = vec![0u8; MSG];
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if s.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
}

async fn client(id: u64, addr: std::net::SocketAddr, stop: Arc<AtomicBool>, c: Arc<Counters>) {
    let mut seq = 0u64;
    while !stop.load(Relaxed) {
        let Ok(mut s) = TcpStream::connect(addr).await else {
            c.errors.fetch_add(1, Relaxed);
            continue;
        };
        c.conns.fetch_add(1, Relaxed);
        let mut back = vec![0u8; MSG];
        for _ in 0..TRIPS_PER_CONN {
            if stop.load(Relaxed) {
                break;
            }
            seq += 1;
            let msg: Vec<u8> = (0..MSG as u64).map(|k| (k ^ seq ^ id) as u8).collect();
            if s.write_all(&msg).await.is_err() || s.read_exact(&mut back).await.is_err() {
                c.errors.fetch_add(1, Relaxed);
                break;
            }
            if back != msg {
                eprintln!("client {id}: echo mismatch");
                c.errors.fetch_add(1, Relaxed);
                break;
            }
            c.bytes.fetch_add(MSG as u64, Relaxed);
            c.trips.fetch_add(1, Relaxed);
        }
    }
}

async fn timer(i: u64, stop: Arc<AtomicBool>, c: Arc<Counters>) {
    let mut n = 0u64;
    while !stop.load(Relaxed) {
        n += 1;
        // 1 to 20 ms, varying per task and per round; every 8th round also a blocking call.
        let ms = 1 + (i * 7 + n * 13) % 20;
        conductor::time::sleep(Duration::from_millis(ms)).await;
        c.timer_fires.fetch_add(1, Relaxed);
        if n % 8 == 0 {
            let _ = conductor::task::spawn_blocking(|| std::hint::black_box(1 + 1)).await;
            c.blocking.fetch_add(1, Relaxed);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args
        .next()
        .map_or(10, |a| a.parse().expect("duration in seconds"));
    let clients: u64 = args.next().map_or(32, |a| a.parse().expect("client count"));
    let rt = Runtime::new().expect("runtime");
    let c = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let addr = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        conductor::spawn(serve(listener, c.clone()));
        addr
    });
    let mut tasks = Vec::new();
    for id in 0..clients {
        tasks.push(rt.spawn(client(id, addr, stop.clone(), c.clone())));
    }
    for i in 0..TIMERS {
        tasks.push(rt.spawn(timer(i, stop.clone(), c.clone())));
    }
    println!(
        "soak: {secs} s, {clients} clients, {TIMERS} timers, {} threads at start",
        threads()
    );
    println!("  t   MiB/s   trips/s  conns/s  timers/s  RSS KiB  threads  tasks");
    let start = Instant::now();
    let warm_up = (secs / 5).clamp(1, 30);
    let mut rss_warm = None;
    let mut rss_max_after_warm = 0;
    let (mut last_bytes, mut last_trips, mut last_conns, mut last_fires) = (0, 0, 0, 0);
    for t in 1..=secs {
        let next = start + Duration::from_secs(t);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        let (bytes, trips) = (c.bytes.load(Relaxed), c.trips.load(Relaxed));
        let (conns, fires) = (c.conns.load(Relaxed), c.timer_fires.load(Relaxed));
        let rss = rss_kib();
        println!(
            "{t:>3} {:>7.1} {:>9} {:>8} {:>9} {:>8} {:>8} {:>6}",
            (bytes - last_bytes) as f64 / (1 << 20) as f64,
            trips - last_trips,
            conns - last_conns,
            fires - last_fires,
            rss,
            threads(),
            rt.metrics().num_alive_tasks(),
        );
        (last_bytes, last_trips, last_conns, last_fires) = (bytes, trips, conns, fires);
        if t == warm_up {
            rss_warm = Some(rss);
        } else if t > warm_up {
            rss_max_after_warm = rss_max_after_warm.max(rss);
        }
    }
    stop.store(true, Relaxed);
    rt.block_on(async {
        for t in tasks {
            t.await.expect("a soak task panicked");
        }
    });
    let elapsed = start.elapsed();
    let rss_end = rss_kib();
    drop(rt);
    let errors = c.errors.load(Relaxed);
    println!(
        "total: {:.1} s, {} MiB echoed, {} round trips, {} connections, {} timer fires, {} \
         blocking calls, {errors} errors",
        elapsed.as_secs_f64(),
        c.bytes.load(Relaxed) >> 20,
        c.trips.load(Relaxed),
        c.conns.load(Relaxed),
        c.timer_fires.load(Relaxed),
        c.blocking.load(Relaxed),
    );
    let rss_warm = rss_warm.unwrap_or(rss_end);
    let limit = (rss_warm as f64 * (1.0 + RSS_GROWTH)) as u64 + RSS_SLACK_KIB;
    println!(
        "RSS: {rss_warm} KiB after {warm_up} s warm-up, max {rss_max_after_warm} KiB after it, \
         {rss_end} KiB at the end (flat limit {limit} KiB); {} threads after shutdown",
        threads()
    );
    let mut ok = true;
    if errors != 0 {
        eprintln!("soak: FAILED: {errors} errors");
        ok = false;
    }
    if rss_max_after_warm.max(rss_end) > limit {
        eprintln!("soak: FAILED: RSS grew after warm-up");
        ok = false;
    }
    if c.trips.load(Relaxed) == 0 || c.timer_fires.load(Relaxed) == 0 {
        eprintln!("soak: FAILED: no progress");
        ok = false;
    }
    if !ok {
        std::process::exit(1);
    }
    println!("soak: ok");
}

//! The `tcp_echo` round-trip workload once, for counting system calls per round trip:
//!
//! ```text
//! cargo build --release -p conductor-benches --example tcp_syscalls
//! strace -f -c -o /tmp/c.txt target/release/examples/tcp_syscalls conductor 2000
//! strace -f -c -o /tmp/t.txt target/release/examples/tcp_syscalls tokio 2000
//! ```
//!
//! 16 connections to an echo server, each doing `N` round trips of a 64-byte message (as
//! `benches/benches/tcp_echo.rs`), on a 2-worker runtime. Setup costs a fixed few hundred
//! calls; run two `N`s and subtract to get the per-round-trip figure.
//!
//! `tcp_syscalls conductor-accept N` (or `tokio-accept`): the `tcp_accept` workload, `N`
//! rounds of 16 clients connecting at once to a server task that accepts and drops them.

use std::time::{Duration, Instant};

/// CPU time (user + system, all threads) this process has used, from `/proc/self/stat`
/// (clock ticks of 10 ms): a figure less sensitive to other load than wall time.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

const CONNECTIONS: usize = 16;
const MESSAGE: usize = 64;

macro_rules! workload {
    ($name:ident, $rt:expr, $spawn:path, $listener:ty, $stream:ty, $read:path, $read_exact:path, $write_all:path) => {
        fn $name(round_trips: usize) {
            let rt = $rt;
            rt.block_on(async move {
                let listener = <$listener>::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = $spawn(async move {
                    for _ in 0..CONNECTIONS {
                        let (mut s, _) = listener.accept().await.unwrap();
                        drop($spawn(async move {
                            let mut buf = [0u8; 4096];
                            loop {
                                match $read(&mut s, &mut buf).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => {
                                        if $write_all(&mut s, &buf[..n]).await.is_err() {
                                            break;
                                        }
                                    }
                                }
                            }
                        }));
                    }
                });
                let mut clients = Vec::new();
                for _ in 0..CONNECTIONS {
                    let s = <$stream>::connect(addr).await.unwrap();
                    s.set_nodelay(true).unwrap();
                    clients.push(s);
                }
                server.await.unwrap();
                let (start, cpu) = (Instant::now(), cpu_time());
                let tasks: Vec<_> = clients
                    .into_iter()
                    .map(|mut s| {
                        $spawn(async move {
                            let msg = [7u8; MESSAGE];
                            let mut buf = [0u8; MESSAGE];
                            for _ in 0..round_trips {
                                $write_all(&mut s, &msg).await.unwrap();
                                $read_exact(&mut s, &mut buf).await.unwrap();
                                assert_eq!(buf, msg);
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
                let (took, cpu) = (start.elapsed(), cpu_time() - cpu);
                let n = (CONNECTIONS * round_trips) as f64;
                eprintln!(
                    "{} x {round_trips} round trips in {took:?}: {:.0} round trips/s, \
                     {:.2} µs of CPU per round trip",
                    CONNECTIONS,
                    n / took.as_secs_f64(),
                    cpu.as_secs_f64() * 1e6 / n
                );
            });
        }
    };
}

workload!(
    conductor_run,
    conductor::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap(),
    conductor::spawn,
    conductor::net::TcpListener,
    conductor::net::TcpStream,
    conductor::io::AsyncReadExt::read,
    conductor::io::AsyncReadExt::read_exact,
    conductor::io::AsyncWriteExt::write_all
);

async fn tokio_read_exact(s: &mut tokio::net::TcpStream, buf: &mut [u8]) -> std::io::Result<()> {
    tokio::io::AsyncReadExt::read_exact(s, buf)
        .await
        .map(|_| ())
}

workload!(
    tokio_run,
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap(),
    tokio::spawn,
    tokio::net::TcpListener,
    tokio::net::TcpStream,
    tokio::io::AsyncReadExt::read,
    tokio_read_exact,
    tokio::io::AsyncWriteExt::write_all
);

macro_rules! accept_workload {
    ($name:ident, $rt:expr, $spawn:path, $listener:ty, $stream:ty) => {
        fn $name(rounds: usize) {
            let rt = $rt;
            rt.block_on(async move {
                let listener = <$listener>::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let (tx, mut rx) = futures::channel::mpsc::unbounded::<()>();
                drop($spawn(async move {
                    loop {
                        let (s, _) = listener.accept().await.unwrap();
                        drop(s);
                        if tx.unbounded_send(()).is_err() {
                            break;
                        }
                    }
                }));
                let (start, cpu) = (Instant::now(), cpu_time());
                for _ in 0..rounds {
                    let clients: Vec<_> = (0..CONNECTIONS)
                        .map(|_| {
                            $spawn(async move {
                                let s = <$stream>::connect(addr).await.unwrap();
                                s.set_nodelay(true).unwrap();
                                socket2::SockRef::from(&s)
                                    .set_linger(Some(std::time::Duration::ZERO))
                                    .unwrap();
                                s
                            })
                        })
                        .collect();
                    for _ in 0..CONNECTIONS {
                        futures::StreamExt::next(&mut rx).await.unwrap();
                    }
                    for c in clients {
                        drop(c.await.unwrap());
                    }
                }
                let (took, cpu) = (start.elapsed(), cpu_time() - cpu);
                let n = (CONNECTIONS * rounds) as f64;
                eprintln!(
                    "{} x {rounds} accepts in {took:?}: {:.0} accepts/s, \
                     {:.2} µs of CPU per accept",
                    CONNECTIONS,
                    n / took.as_secs_f64(),
                    cpu.as_secs_f64() * 1e6 / n
                );
            });
        }
    };
}

accept_workload!(
    conductor_accept,
    conductor::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap(),
    conductor::spawn,
    conductor::net::TcpListener,
    conductor::net::TcpStream
);

accept_workload!(
    tokio_accept,
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap(),
    tokio::spawn,
    tokio::net::TcpListener,
    tokio::net::TcpStream
);

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "conductor".into());
    let n: usize = args
        .next()
        .map_or(1000, |s| s.parse().expect("N: a number"));
    match which.as_str() {
        "conductor" => conductor_run(n),
        "tokio" => tokio_run(n),
        "conductor-accept" => conductor_accept(n),
        "tokio-accept" => tokio_accept(n),
        other => {
            panic!("unknown workload {other:?}: conductor, tokio, conductor-accept or tokio-accept")
        }
    }
}

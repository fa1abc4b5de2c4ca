//! `tcp_echo`: TCP over loopback.
//!
//! - `tcp_echo_round_trips`: 16 connections to an echo server, each doing 100 round trips of
//!   a 64-byte message per iteration (1 600 round trips), all connections at once.
//! - `tcp_accept`: 16 clients connect at once; an iteration ends when the server has accepted
//!   all of them (clients close with `SO_LINGER 0`, so no TIME_WAIT piles up).
//!
//! The networking calls differ between the runtimes, so a small [`Net`] trait next to the
//! shared [`Executor`] gives both the same workload.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use conductor_benches::{Conductor, Executor, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;
use futures::channel::mpsc;

const CONNECTIONS: usize = 16;
const ROUND_TRIPS: usize = 100;
const MESSAGE: usize = 64;

/// The TCP operations the benchmark needs from a runtime.
trait Net: Executor {
    type Listener: Send + Sync + 'static;
    type Stream: Send + 'static;
    fn bind() -> impl Future<Output = Self::Listener>;
    fn local_addr(l: &Self::Listener) -> SocketAddr;
    fn accept(l: &Self::Listener) -> impl Future<Output = Self::Stream> + Send;
    fn connect(addr: SocketAddr) -> impl Future<Output = Self::Stream> + Send;
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    fn zero_linger(s: &Self::Stream);
}

impl Net for Conductor {
    type Listener = conductor::net::TcpListener;
    type Stream = conductor::net::TcpStream;
    async fn bind() -> Self::Listener {
        conductor::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
    }
    fn local_addr(l: &Self::Listener) -> SocketAddr {
        l.local_addr().unwrap()
    }
    async fn accept(l: &Self::Listener) -> Self::Stream {
        l.accept().await.unwrap().0
    }
    async fn connect(addr: SocketAddr) -> Self::Stream {
        let s = conductor::net::TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        s
    }
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        conductor::io::AsyncReadExt::read(s, buf)
    }
    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        conductor::io::AsyncReadExt::read_exact(s, buf)
    }
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        conductor::io::AsyncWriteExt::write_all(s, buf)
    }
    fn zero_linger(s: &Self::Stream) {
        socket2::SockRef::from(s)
            .set_linger(Some(std::time::Duration::ZERO))
            .unwrap();
    }
}

impl Net for Tokio {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;
    async fn bind() -> Self::Listener {
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
    }
    fn local_addr(l: &Self::Listener) -> SocketAddr {
        l.local_addr().unwrap()
    }
    async fn accept(l: &Self::Listener) -> Self::Stream {
        l.accept().await.unwrap().0
    }
    async fn connect(addr: SocketAddr) -> Self::Stream {
        let s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        s
    }
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        tokio::io::AsyncReadExt::read(s, buf)
    }
    async fn read_exact(s: &mut Self::Stream, buf: &mut [u8]) -> io::Result<()> {
        tokio::io::AsyncReadExt::read_exact(s, buf)
            .await
            .map(|_| ())
    }
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        tokio::io::AsyncWriteExt::write_all(s, buf)
    }
    fn zero_linger(s: &Self::Stream) {
        socket2::SockRef::from(s)
            .set_linger(Some(std::time::Duration::ZERO))
            .unwrap();
    }
}

fn round_trips<E: Net>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    let clients = E::block_on(&rt, async {
        let listener = Arc::new(E::bind().await);
        let addr = E::local_addr(&listener);
        let server = {
            let listener = listener.clone();
            E::spawn(async move {
                for _ in 0..CONNECTIONS {
                    let mut s = E::accept(&listener).await;
                    drop(E::spawn(async move {
                        let mut buf = [0u8; 4096];
                        loop {
                            match E::read(&mut s, &mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    if E::write_all(&mut s, &buf[..n]).await.is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                    }));
                }
            })
        };
        let mut clients = Vec::new();
        for _ in 0..CONNECTIONS {
            clients.push(E::connect(addr).await);
        }
        server.await;
        Mutex::new(clients)
    });
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            let streams = std::mem::take(&mut *clients.lock().unwrap());
            let back = E::block_on(&rt, async move {
                let tasks: Vec<_> = streams
                    .into_iter()
                    .map(|mut s| {
                        E::spawn(async move {
                            let msg = [7u8; MESSAGE];
                            let mut buf = [0u8; MESSAGE];
                            for _ in 0..ROUND_TRIPS {
                                E::write_all(&mut s, &msg).await.unwrap();
                                E::read_exact(&mut s, &mut buf).await.unwrap();
                            }
                            s
                        })
                    })
                    .collect();
                let mut back = Vec::with_capacity(CONNECTIONS);
                for t in tasks {
                    back.push(t.await);
                }
                back
            });
            *clients.lock().unwrap() = back;
        })
    });
    drop(clients);
}

fn accept_rate<E: Net>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = E::runtime();
    let (addr, accepted) = E::block_on(&rt, async {
        let listener = E::bind().await;
        let addr = E::local_addr(&listener);
        let (tx, rx) = mpsc::unbounded::<()>();
        drop(E::spawn(async move {
            loop {
                let s = E::accept(&listener).await;
                drop(s);
                if tx.unbounded_send(()).is_err() {
                    break;
                }
            }
        }));
        (addr, Mutex::new(rx))
    });
    group.bench_function(E::NAME, |b| {
        b.iter(|| {
            let mut rx = accepted.lock().unwrap();
            E::block_on(&rt, async {
                let clients: Vec<_> = (0..CONNECTIONS)
                    .map(|_| {
                        E::spawn(async move {
                            let s = E::connect(addr).await;
                            E::zero_linger(&s);
                            s
                        })
                    })
                    .collect();
                for _ in 0..CONNECTIONS {
                    rx.next().await.unwrap();
                }
                for c in clients {
                    drop(c.await);
                }
            })
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("tcp_echo_round_trips");
    group.throughput(Throughput::Elements((CONNECTIONS * ROUND_TRIPS) as u64));
    round_trips::<Conductor>(&mut group);
    round_trips::<Tokio>(&mut group);
    group.finish();

    let mut group = c.benchmark_group("tcp_accept");
    group.throughput(Throughput::Elements(CONNECTIONS as u64));
    accept_rate::<Conductor>(&mut group);
    accept_rate::<Tokio>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);

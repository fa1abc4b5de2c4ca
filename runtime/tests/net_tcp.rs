//! TCP over loopback: echo under load, bulk transfer, half-close, split halves, and the faults
//! (each an `io::Error` unchanged from the OS, never a panic, never lost data).

#[macro_use]
mod support;

use std::future::Future as _;
use std::io::ErrorKind;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{TcpListener, TcpSocket, TcpStream};
use conductor::task::JoinSet;
use support::Flavor;

const CLIENTS: usize = 64;
const ROUND_TRIPS: usize = 1_000;
const MESSAGE: usize = 64;

async fn echo_server(listener: TcpListener, connections: usize) {
    let mut set = JoinSet::new();
    for _ in 0..connections {
        let (mut stream, _) = listener.accept().await.unwrap();
        set.spawn(async move {
            let mut buf = [0u8; 4096];
            loop {
                let n = stream.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                stream.write_all(&buf[..n]).await.unwrap();
            }
        });
    }
    while let Some(res) = set.join_next().await {
        res.unwrap();
    }
}

fn echo_many(flavor: Flavor) {
    support::run(flavor, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = conductor::spawn(echo_server(listener, CLIENTS));
        let mut clients = JoinSet::new();
        for c in 0..CLIENTS {
            clients.spawn(async move {
                let mut stream = TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let mut out = [0u8; MESSAGE];
                let mut back = [0u8; MESSAGE];
                for i in 0..ROUND_TRIPS {
                    for (j, b) in out.iter_mut().enumerate() {
                        *b = (c * 31 + i * 7 + j) as u8;
                    }
                    stream.write_all(&out).await.unwrap();
                    stream.read_exact(&mut back).await.unwrap();
                    assert_eq!(out, back, "client {c} round trip {i}");
                }
            });
        }
        while let Some(res) = clients.join_next().await {
            res.unwrap();
        }
        server.await.unwrap();
    });
}

#[test]
fn echo_64_clients_1000_round_trips_multi_thread() {
    echo_many(Flavor::MultiThread);
}

#[test]
fn echo_64_clients_1000_round_trips_current_thread() {
    echo_many(Flavor::CurrentThread);
}

fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash = (*hash ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
}

#[test]
fn sixty_four_mib_through_one_connection_checksummed() {
    const TOTAL: usize = 64 << 20;
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = conductor::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let (mut hash, mut total) = (0xcbf2_9ce4_8422_2325u64, 0usize);
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                fnv(&mut hash, &buf[..n]);
                total += n;
            }
            (hash, total)
        });
        let mut s = TcpStream::connect(addr).await.unwrap();
        let mut chunk = vec![0u8; 256 * 1024];
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut seed = 0x1234_5678u32;
        for _ in 0..TOTAL / chunk.len() {
            for b in chunk.iter_mut() {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *b = (seed >> 24) as u8;
            }
            fnv(&mut hash, &chunk);
            s.write_all(&chunk).await.unwrap();
        }
        s.close().await.unwrap();
        let (their_hash, total) = receiver.await.unwrap();
        assert_eq!(total, TOTAL);
        assert_eq!(their_hash, hash);
    });
}

#[test]
fn half_close_lets_the_peer_finish_replying() {
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = conductor::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut all = Vec::new();
            s.read_to_end(&mut all).await.unwrap(); // ends at the client's half-close
            s.write_all(&all).await.unwrap();
            s.write_all(b"!").await.unwrap();
        });
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.write_all(b"request").await.unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        c.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"request!");
        // Reading again after the peer's shutdown keeps returning 0.
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0);
        server.await.unwrap();
    });
}

#[test]
fn owned_halves_used_from_two_tasks() {
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = conductor::spawn(echo_server(listener, 1));
        let (mut r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
        const N: usize = 10_000;
        let writer = conductor::spawn(async move {
            for i in 0..N {
                w.write_all(&(i as u32).to_le_bytes()).await.unwrap();
            }
            w // dropped by the test after the reader is done: drop shuts writing down
        });
        let reader = conductor::spawn(async move {
            let mut buf = [0u8; 4];
            for i in 0..N {
                r.read_exact(&mut buf).await.unwrap();
                assert_eq!(u32::from_le_bytes(buf), i as u32);
            }
            r
        });
        let w = writer.await.unwrap();
        let r = reader.await.unwrap();
        let s = r.reunite(w).unwrap();
        drop(s); // closes: the echo server sees EOF and ends
        server.await.unwrap();
    });
}

#[test]
fn borrowed_halves_in_one_task() {
    support::run(Flavor::CurrentThread, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = conductor::spawn(echo_server(listener, 1));
        let mut s = TcpStream::connect(addr).await.unwrap();
        // `s.split()` would pick `AsyncReadExt::split` (by-value receivers win method lookup).
        let (mut r, mut w) = TcpStream::split(&mut s);
        let data = vec![7u8; 1 << 20]; // more than the socket buffers: needs both at once
        let write = async {
            w.write_all(&data).await.unwrap();
        };
        let read = async {
            let mut got = vec![0u8; data.len()];
            r.read_exact(&mut got).await.unwrap();
            got
        };
        let ((), got) = futures::join!(write, read);
        assert_eq!(got, data);
        drop(s);
        server.await.unwrap();
    });
}

#[test]
fn readable_writable_try_read_try_write_and_peek() {
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("[::1]:0")
            .await
            .or_else(|_| std::net::TcpListener::bind("127.0.0.1:0").and_then(TcpListener::from_std))
            .unwrap();
        let c = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (s, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, c.local_addr().unwrap());
        assert_eq!(
            c.try_read(&mut [0u8; 4]).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        c.writable().await.unwrap();
        assert_eq!(c.try_write(b"abc").unwrap(), 3);
        let mut buf = [0u8; 3];
        assert_eq!(s.peek(&mut buf).await.unwrap(), 3);
        s.readable().await.unwrap();
        assert_eq!(s.try_read(&mut buf).unwrap(), 3);
        assert_eq!(&buf, b"abc");
        // Nothing more: WouldBlock, and readiness is cleared so readable() waits again.
        assert_eq!(
            s.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}

#[test]
fn tcp_socket_options_then_connect_and_listen() {
    support::run(Flavor::MultiThread, || async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        assert!(socket.reuseaddr().unwrap());
        socket.set_recv_buffer_size(128 * 1024).unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(64).unwrap();
        listener.set_ttl(64).unwrap();
        assert_eq!(listener.ttl().unwrap(), 64);
        let client = TcpSocket::new_v4().unwrap();
        client.set_nodelay(true).unwrap();
        let mut c = client
            .connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        assert!(c.nodelay().unwrap());
        let (mut s, _) = listener.accept().await.unwrap();
        c.write_all(b"via socket2").await.unwrap();
        let mut buf = [0u8; 11];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"via socket2");
        let std = c.into_std().unwrap();
        std.set_nonblocking(false).unwrap();
        let listener = listener.into_std().unwrap();
        assert!(listener.local_addr().is_ok());
    });
}

#[test]
fn names_resolve_on_the_blocking_pool() {
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("localhost:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let ip = listener.local_addr().unwrap().ip();
        let c = TcpStream::connect((ip.to_string().as_str(), port))
            .await
            .unwrap();
        drop(c);
        let c = TcpStream::connect(format!("localhost:{port}")).await;
        // localhost may resolve to ::1 first while we listen on 127.0.0.1 (or the reverse):
        // every address is tried, so one of them connects.
        c.unwrap();
    });
}

// ---- faults ----

#[test]
fn connection_refused() {
    support::run(Flavor::MultiThread, || async {
        // Bind then drop: the port is (almost certainly) closed now.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
    });
}

#[test]
fn bind_to_a_port_in_use() {
    support::run(Flavor::CurrentThread, || async {
        let a = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        let err = socket.bind(a.local_addr().unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        // mio sets SO_REUSEADDR, which on Linux still refuses a second *listener*.
        let err = TcpListener::bind(a.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

async fn connected_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let c = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (s, _) = listener.accept().await.unwrap();
    (c, s)
}

#[test]
fn peer_reset_mid_stream() {
    support::run(Flavor::MultiThread, || async {
        let (mut c, s) = connected_pair().await;
        c.write_all(b"partial").await.unwrap();
        s.set_linger(Some(Duration::ZERO)).unwrap();
        drop(s); // unread data + linger 0: RST
        let mut buf = [0u8; 16];
        let err = loop {
            match c.read(&mut buf).await {
                Ok(0) => panic!("a reset must be an error, not EOF"),
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    });
}

#[test]
fn write_after_peer_closed() {
    support::run(Flavor::MultiThread, || async {
        let (mut c, s) = connected_pair().await;
        drop(s);
        let mut result = Ok(());
        for _ in 0..1000 {
            result = c.write_all(&[0u8; 1024]).await;
            if result.is_err() {
                break;
            }
            conductor::task::yield_now().await;
        }
        let err = result.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
            ),
            "{err:?}"
        );
    });
}

#[test]
fn read_after_peer_shutdown_returns_zero() {
    support::run(Flavor::CurrentThread, || async {
        let (mut c, s) = connected_pair().await;
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0);
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0);
    });
}

#[test]
fn unroutable_connect_is_bounded_only_by_the_users_timeout() {
    // 10.255.255.1 is normally unroutable: the SYN goes nowhere and connect stays pending.
    // With no route at all, connect fails at once; both are fine, neither may hang the test.
    support::run(Flavor::MultiThread, || async {
        let connect = conductor::spawn(TcpStream::connect("10.255.255.1:9"));
        let deadline = std::time::Instant::now() + Duration::from_millis(200);
        while !connect.is_finished() && std::time::Instant::now() < deadline {
            conductor::task::yield_now().await;
        }
        if connect.is_finished() {
            // No route (an error at once), or a sandbox that answers every SYN: either way
            // the result came back on its own and nothing hung.
            let _ = connect.await.unwrap();
        } else {
            connect.abort(); // the user's timeout: dropping the future cancels the connect
            assert!(connect.await.unwrap_err().is_cancelled());
        }
    });
}

#[test]
#[should_panic(expected = "there is no reactor running")]
fn outside_a_runtime_panics_with_a_clear_message() {
    let _ = futures::executor::block_on(TcpListener::bind("127.0.0.1:0"));
}

#[test]
fn from_std_outside_a_runtime_panics_with_a_clear_message() {
    let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = std::panic::catch_unwind(move || TcpListener::from_std(std)).unwrap_err();
    let msg = support::panic_message(&*err).unwrap();
    assert_eq!(msg, conductor_reactor::error::NO_REACTOR);
}

/// `accept` under descriptor exhaustion: run in a child process (this test binary, filtered to
/// the ignored helper below) with a low `RLIMIT_NOFILE`.
#[test]
fn accept_under_emfile_returns_the_error_and_keeps_serving() {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "emfile_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CONDUCTOR_EMFILE_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("EMFILE-OK"), "{stdout}");
}

#[test]
#[ignore = "run by accept_under_emfile_returns_the_error_and_keeps_serving in a child process"]
fn emfile_child() {
    if std::env::var_os("CONDUCTOR_EMFILE_CHILD").is_none() {
        return;
    }
    let rt = support::current_thread();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Use up the descriptors: keep opening until the OS refuses.
        let lim = libc_rlimit(64);
        assert!(lim <= 64);
        let mut hog = Vec::new();
        while let Ok(f) = std::fs::File::open("/dev/null") {
            hog.push(f);
        }
        // A client connection from a plain thread (its socket needs a descriptor: free one).
        hog.pop();
        let client = std::thread::spawn(move || std::net::TcpStream::connect(addr).unwrap());
        let client = client.join().unwrap();
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err:?}");
        drop(hog);
        let (s, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        drop(s);
        println!("EMFILE-OK");
    });
}

fn libc_rlimit(n: u64) -> u64 {
    let lim = libc::rlimit {
        rlim_cur: n,
        rlim_max: n,
    };
    // SAFETY: a valid rlimit struct on the stack.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    assert_eq!(
        rc,
        0,
        "setrlimit failed: {}",
        std::io::Error::last_os_error()
    );
    n
}

// ---- lifecycle ----

struct CountWake(AtomicUsize);
impl Wake for CountWake {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn dropping_a_source_while_a_task_waits_wakes_nobody_and_frees_the_waker() {
    let rt = support::multi_thread(2);
    let _enter = rt.handle().enter();
    let (c, _s) = rt.block_on(connected_pair());
    let count = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(c.poll_peek(&mut cx, &mut [0u8; 1]).is_pending());
    assert_eq!(Arc::strong_count(&count), 3); // ours, `waker`, and the stored clone
    drop(c);
    assert_eq!(Arc::strong_count(&count), 2);
    assert_eq!(count.0.load(SeqCst), 0);
}

#[test]
fn aborting_a_task_blocked_in_accept_frees_the_listener() {
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let before = conductor_reactor::Handle::current().num_sources();
        let task = conductor::spawn(async move { listener.accept().await.map(|_| ()) });
        conductor::task::yield_now().await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(
            conductor_reactor::Handle::current().num_sources(),
            before - 1
        );
        // The port is free again.
        let again = TcpListener::bind(addr).await.unwrap();
        drop(again);
    });
}

#[test]
fn shutdown_wakes_pending_io_with_an_error() {
    let rt = support::multi_thread(1);
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    // Wait in accept on a plain thread (not a runtime thread), so the task is not dropped
    // by the shutdown: it must be woken and see the error.
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let res = futures::executor::block_on(async {
            let accept = listener.accept();
            let mut accept = std::pin::pin!(accept);
            futures::future::poll_fn(|cx| {
                let p = accept.as_mut().poll(cx);
                let _ = tx.send(());
                p
            })
            .await
        });
        res.map(|_| ())
    });
    rx.recv().unwrap(); // polled once: pending, waker stored
    drop(rt);
    let err = waiter.join().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(err.to_string(), conductor_reactor::error::SHUTDOWN);
}

#[test]
fn thousand_sockets_registered_and_dropped_from_many_threads() {
    let rt = support::multi_thread(2);
    let handle = rt.handle().clone();
    support::with_timeout(move || {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let handle = handle.clone();
                std::thread::spawn(move || {
                    let _enter = handle.enter();
                    for _ in 0..125 {
                        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                        let s = conductor::net::UdpSocket::from_std(s).unwrap();
                        drop(s);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let _enter = handle.enter();
        assert_eq!(conductor_reactor::Handle::current().num_sources(), 0);
    });
    // The reactor still works afterwards.
    rt.block_on(async {
        let (mut c, mut s) = connected_pair().await;
        c.write_all(b"ok").await.unwrap();
        let mut b = [0u8; 2];
        s.read_exact(&mut b).await.unwrap();
    });
}

/// A vectored call with more slices than one `writev`/`readv` takes comes back short with
/// room (or data) left: that must not clear the readiness the way a short transfer that
/// filled (or drained) the socket does, or the next call waits for an edge that never comes.
#[test]
fn vectored_io_with_more_slices_than_one_call_takes() {
    use std::io::{IoSlice, IoSliceMut};
    support::run(Flavor::MultiThread, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut c = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut s, _) = listener.accept().await.unwrap();
        for slices in [1024usize, 2000] {
            let data: Vec<u8> = (0..slices).map(|i| (i % 251) as u8).collect();
            let mut sent = 0;
            while sent < data.len() {
                let bufs: Vec<IoSlice<'_>> = data[sent..].chunks(1).map(IoSlice::new).collect();
                sent += c.write_vectored(&bufs).await.unwrap();
            }
            let mut got = vec![0u8; slices];
            let mut read = 0;
            while read < got.len() {
                let mut bufs: Vec<IoSliceMut<'_>> =
                    got[read..].chunks_mut(1).map(IoSliceMut::new).collect();
                read += s.read_vectored(&mut bufs).await.unwrap();
            }
            assert_eq!(got, data);
        }
    });
}

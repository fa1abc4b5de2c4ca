//! Unix domain sockets in a temporary directory: stream, listener, pair and datagram.

#[macro_use]
mod support;

use std::path::PathBuf;

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{UnixDatagram, UnixListener, UnixStream};
use support::Flavor;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("conductor-net-unix-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn listener_and_stream_echo() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let dir = TempDir::new("echo");
            let path = dir.0.join("echo.sock");
            let listener = UnixListener::bind(&path).unwrap();
            assert_eq!(
                listener.local_addr().unwrap().as_pathname(),
                Some(path.as_path())
            );
            let server = conductor::spawn(async move {
                for _ in 0..8 {
                    let (mut s, _) = listener.accept().await.unwrap();
                    conductor::spawn(async move {
                        let mut buf = [0u8; 256];
                        loop {
                            let n = s.read(&mut buf).await.unwrap();
                            if n == 0 {
                                break;
                            }
                            s.write_all(&buf[..n]).await.unwrap();
                        }
                    });
                }
            });
            let mut clients = conductor::task::JoinSet::new();
            for c in 0..8u8 {
                let path = path.clone();
                clients.spawn(async move {
                    let mut s = UnixStream::connect(&path).await.unwrap();
                    for i in 0..100u8 {
                        let msg = [c, i, c ^ i];
                        s.write_all(&msg).await.unwrap();
                        let mut back = [0u8; 3];
                        s.read_exact(&mut back).await.unwrap();
                        assert_eq!(back, msg);
                    }
                });
            }
            while let Some(r) = clients.join_next().await {
                r.unwrap();
            }
            server.await.unwrap();
            // Binding the same path again: the file exists.
            let err = UnixListener::bind(&path).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
        });
    }
}

#[test]
fn pair_half_close_and_try_ops() {
    support::run(Flavor::MultiThread, || async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        assert_eq!(
            b.try_read(&mut [0u8; 4]).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock
        );
        a.write_all(b"last words").await.unwrap();
        a.close().await.unwrap(); // shutdown(Write)
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"last words");
        b.writable().await.unwrap();
        b.try_write(b"reply").unwrap();
        a.readable().await.unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(a.try_read(&mut buf).unwrap(), 5);
    });
}

#[test]
fn connect_to_a_missing_path_fails() {
    support::run(Flavor::CurrentThread, || async {
        let dir = TempDir::new("missing");
        let err = UnixStream::connect(dir.0.join("nobody.sock"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    });
}

#[test]
fn datagrams_bound_unbound_and_pair() {
    support::run(Flavor::MultiThread, || async {
        let dir = TempDir::new("dgram");
        let path = dir.0.join("server.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        let client_path = dir.0.join("client.sock");
        let client = UnixDatagram::bind(&client_path).unwrap();
        for i in 0..100u8 {
            client.send_to(&[i], &path).await.unwrap();
            let mut buf = [0u8; 4];
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &[i]);
            assert_eq!(from.as_pathname(), Some(client_path.as_path()));
        }
        let unbound = UnixDatagram::unbound().unwrap();
        unbound.connect(&path).unwrap();
        unbound.send(b"c").await.unwrap();
        assert_eq!(server.recv(&mut [0u8; 4]).await.unwrap(), 1);
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"pair").await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(b.recv(&mut buf).await.unwrap(), 4);
        assert!(a.peer_addr().is_ok());
    });
}

#[test]
fn poll_evented_wraps_any_mio_source() {
    use conductor::io::PollEvented;
    use std::io::Write;
    support::run(Flavor::MultiThread, || async {
        let (a, b) = mio::net::UnixStream::pair().unwrap();
        let a = PollEvented::new(a).unwrap();
        let mut b = PollEvented::new(b).unwrap();
        let reader = conductor::spawn(async move {
            let mut got = Vec::new();
            b.read_to_end(&mut got).await.unwrap();
            got
        });
        for chunk in 0..100u8 {
            let buf = [chunk; 100];
            let mut off = 0;
            while off < buf.len() {
                off += a.write_with(|mut s| s.write(&buf[off..])).await.unwrap();
            }
        }
        let a = a.into_inner().unwrap();
        drop(a);
        let got = reader.await.unwrap();
        assert_eq!(got.len(), 100 * 100);
    });
}

#[test]
fn owned_halves_from_two_tasks_then_reunite() {
    support::run(Flavor::MultiThread, || async {
        let (s, mut peer) = UnixStream::pair().unwrap();
        let echo = conductor::spawn(async move {
            let mut buf = [0u8; 1024];
            loop {
                let n = peer.read(&mut buf).await.unwrap();
                if n == 0 {
                    break peer;
                }
                peer.write_all(&buf[..n]).await.unwrap();
            }
        });
        let (mut r, mut w) = s.into_split();
        const N: u32 = 10_000;
        let writer = conductor::spawn(async move {
            for i in 0..N {
                w.write_all(&i.to_le_bytes()).await.unwrap();
            }
            w
        });
        let reader = conductor::spawn(async move {
            let mut buf = [0u8; 4];
            for i in 0..N {
                r.read_exact(&mut buf).await.unwrap();
                assert_eq!(u32::from_le_bytes(buf), i);
            }
            r
        });
        let (w, r) = (writer.await.unwrap(), reader.await.unwrap());
        assert!(r.peer_addr().unwrap().is_unnamed());
        assert!(w.local_addr().unwrap().is_unnamed());
        // Reunited, the stream is whole again: dropping the write half did not shut it down.
        let mut s = r.reunite(w).unwrap();
        s.write_all(b"whole").await.unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"whole");
        // Dropping an owned write half shuts writing down: the echo task reads EOF.
        let (_r, w) = s.into_split();
        drop(w);
        let mut peer = echo.await.unwrap();
        assert_eq!(peer.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn halves_of_different_streams_do_not_reunite() {
    support::run(Flavor::CurrentThread, || async {
        let (a, b) = UnixStream::pair().unwrap();
        let (ra, wa) = a.into_split();
        let (rb, wb) = b.into_split();
        let err = ra.reunite(wb).unwrap_err();
        assert!(
            err.to_string().contains("not from the same socket"),
            "{err}"
        );
        let conductor::net::unix::ReuniteError(ra, wb) = err;
        // The halves came back intact and still pair up with their own.
        let mut a = wa.reunite(ra).unwrap();
        let mut b = rb.reunite(wb).unwrap();
        a.write_all(b"ok").await.unwrap();
        let mut buf = [0u8; 2];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ok");
    });
}

#[test]
fn borrowed_halves_in_one_task() {
    support::run(Flavor::CurrentThread, || async {
        let (mut s, mut peer) = UnixStream::pair().unwrap();
        let echo = conductor::spawn(async move {
            let mut buf = [0u8; 4096];
            loop {
                let n = peer.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                peer.write_all(&buf[..n]).await.unwrap();
            }
        });
        let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        {
            let (mut r, mut w) = UnixStream::split(&mut s);
            // More than the socket buffers hold: needs the reader and the writer at once.
            let write = async { w.write_all(&data).await.unwrap() };
            let read = async {
                let mut got = vec![0u8; data.len()];
                r.read_exact(&mut got).await.unwrap();
                got
            };
            let ((), got) = futures::join!(write, read);
            assert_eq!(got, data);
        }
        drop(s);
        echo.await.unwrap();
    });
}

#[test]
fn into_std_for_listener_stream_and_datagram() {
    use std::io::{Read, Write};
    support::run(Flavor::MultiThread, || async {
        let dir = TempDir::new("into-std");
        let path = dir.0.join("l.sock");
        // Listener: out to std and back in; it keeps serving.
        let std_listener = UnixListener::bind(&path).unwrap().into_std().unwrap();
        assert_eq!(
            std_listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let listener = UnixListener::from_std(std_listener).unwrap();
        let client = UnixStream::connect(&path).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        // Stream: a blocking std stream after the conversion.
        let mut std_client = client.into_std().unwrap();
        std_client.set_nonblocking(false).unwrap();
        std_client.write_all(b"std").unwrap();
        let mut server = server;
        let mut buf = [0u8; 3];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"std");
        server.write_all(b"back").await.unwrap();
        let mut buf = [0u8; 4];
        std_client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"back");
        // Datagram.
        let (a, b) = UnixDatagram::pair().unwrap();
        let a = a.into_std().unwrap();
        a.send(b"dgram").unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
        assert_eq!(&buf[..5], b"dgram");
    });
}

#[test]
fn datagram_peek_leaves_the_datagram_queued() {
    support::run(Flavor::MultiThread, || async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let peeker = conductor::spawn(async move {
            let mut buf = [0u8; 16];
            // Runs before the sends (and waits) or after them; the same either way.
            let n = b.peek(&mut buf).await.unwrap();
            let peeked = buf[..n].to_vec();
            let mut again = [0u8; 16];
            assert_eq!(b.peek(&mut again).await.unwrap(), n);
            let m = b.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..m], &peeked[..]);
            // A short buffer gets the start of the datagram.
            let mut two = [0u8; 2];
            assert_eq!(b.peek(&mut two).await.unwrap(), 2);
            assert_eq!(&two, b"se");
            assert_eq!(b.recv(&mut buf).await.unwrap(), 6);
            peeked
        });
        conductor::task::yield_now().await;
        a.send(b"first").await.unwrap();
        a.send(b"second").await.unwrap();
        assert_eq!(peeker.await.unwrap(), b"first");
    });
}

/// A short read or write clears the readiness without a `WouldBlock` call; what arrives (or
/// drains) afterwards must still wake the task. Many small messages with the reader's buffer
/// larger than each, and one large transfer through small socket buffers, every byte checked.
#[test]
fn short_reads_and_writes_lose_no_wake_up() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let (mut a, mut b) = UnixStream::pair().unwrap();
            const N: u32 = 5_000;
            let writer = conductor::spawn(async move {
                for i in 0..N {
                    a.write_all(&i.to_le_bytes()).await.unwrap();
                    if i % 7 == 0 {
                        conductor::task::yield_now().await;
                    }
                }
                let big: Vec<u8> = (0..4u32 << 20).map(|i| (i % 253) as u8).collect();
                a.write_all(&big).await.unwrap(); // many short writes: the buffer fills
                a.close().await.unwrap();
                big
            });
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = b.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            let big = writer.await.unwrap();
            let (small, rest) = got.split_at(4 * N as usize);
            for (i, chunk) in small.chunks(4).enumerate() {
                assert_eq!(u32::from_le_bytes(chunk.try_into().unwrap()), i as u32);
            }
            assert_eq!(rest, &big[..]);
        });
    }
}

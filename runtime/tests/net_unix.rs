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

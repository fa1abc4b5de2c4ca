//! A short stream read clears the readable readiness (a Linux optimization in the reactor):
//! the next read must still see data that arrives later, over TCP and Unix sockets, with no
//! lost wake-up.

#[macro_use]
mod support;

use std::time::Duration;

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{TcpListener, TcpStream, UnixStream};
use support::{Flavor, run};

async fn ping_pong<S>(mut a: S, mut b: S)
where
    S: conductor::io::AsyncRead + conductor::io::AsyncWrite + Unpin + Send + 'static,
{
    // Data that arrives after a short read is still read, once, in order.
    a.write_all(b"0123456789").await.unwrap();
    let mut buf = [0u8; 100];
    let n = b.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"0123456789");
    let writer = conductor::spawn(async move {
        conductor::time::sleep(Duration::from_millis(5)).await;
        a.write_all(b"later").await.unwrap();
        a
    });
    let n = b.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"later");
    let mut a = writer.await.unwrap();

    // Many small round trips, each read short: none may hang.
    let echo = conductor::spawn(async move {
        let mut buf = [0u8; 64];
        for _ in 0..1000 {
            let n = b.read(&mut buf).await.unwrap();
            b.write_all(&buf[..n]).await.unwrap();
        }
    });
    for i in 0..1000u32 {
        let msg = i.to_le_bytes();
        a.write_all(&msg).await.unwrap();
        let mut back = [0u8; 4];
        a.read_exact(&mut back).await.unwrap();
        assert_eq!(back, msg);
    }
    echo.await.unwrap();
}

#[test]
fn tcp_short_reads_do_not_lose_data() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        run(flavor, || async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let a = TcpStream::connect(addr).await.unwrap();
            let (b, _) = listener.accept().await.unwrap();
            ping_pong(a, b).await;
        });
    }
}

#[test]
fn unix_short_reads_do_not_lose_data() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        run(flavor, || async {
            let (a, b) = UnixStream::pair().unwrap();
            ping_pong(a, b).await;
        });
    }
}

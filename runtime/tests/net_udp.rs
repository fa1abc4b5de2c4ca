//! UDP over loopback: round trips, connected sockets, peek, try_* and options.

#[macro_use]
mod support;

use std::io::ErrorKind;

use conductor::net::UdpSocket;
use support::Flavor;

#[test]
fn round_trips_between_two_tasks() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let addr = server.local_addr().unwrap();
            const N: u32 = 1_000;
            let echo = conductor::spawn(async move {
                let mut buf = [0u8; 64];
                for _ in 0..N {
                    let (n, from) = server.recv_from(&mut buf).await.unwrap();
                    server.send_to(&buf[..n], from).await.unwrap();
                }
            });
            let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            client.connect(addr).await.unwrap();
            let mut buf = [0u8; 64];
            for i in 0..N {
                // Loopback UDP does not drop under this load; one datagram in flight at a time.
                client.send(&i.to_le_bytes()).await.unwrap();
                let n = client.recv(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], &i.to_le_bytes());
            }
            echo.await.unwrap();
        });
    }
}

#[test]
fn ipv6_peek_and_try_ops() {
    support::run(Flavor::MultiThread, || async {
        let Ok(a) = UdpSocket::bind("[::1]:0").await else {
            return; // no IPv6 loopback here
        };
        let b = UdpSocket::bind("[::1]:0").await.unwrap();
        assert_eq!(
            b.try_recv_from(&mut [0u8; 8]).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        a.send_to(b"peek", b.local_addr().unwrap()).await.unwrap();
        let mut buf = [0u8; 8];
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"peek"[..], a.local_addr().unwrap()));
        b.readable().await.unwrap();
        let (n, _) = b.try_recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"peek");
        a.writable().await.unwrap();
        a.try_send_to(b"x", b.local_addr().unwrap()).unwrap();
        assert_eq!(b.recv_from(&mut buf).await.unwrap().0, 1);
    });
}

#[test]
fn options_and_std_conversion() {
    support::run(Flavor::CurrentThread, || async {
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.set_broadcast(true).unwrap();
        assert!(s.broadcast().unwrap());
        s.set_multicast_loop_v4(false).unwrap();
        assert!(!s.multicast_loop_v4().unwrap());
        s.set_multicast_ttl_v4(3).unwrap();
        assert_eq!(s.multicast_ttl_v4().unwrap(), 3);
        s.set_ttl(17).unwrap();
        assert_eq!(s.ttl().unwrap(), 17);
        assert_eq!(s.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);
        let std = s.into_std().unwrap();
        let s = UdpSocket::from_std(std).unwrap();
        let err = UdpSocket::bind(s.local_addr().unwrap()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn connected_send_to_a_closed_port_reports_refused() {
    support::run(Flavor::MultiThread, || async {
        let closed = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect(closed).await.unwrap();
        s.send(b"anyone?").await.unwrap();
        // The ICMP port-unreachable comes back as an error on the next receive.
        let err = s.recv(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
    });
}

#[test]
fn connected_peek_and_peek_sender() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
            b.connect(a_addr).await.unwrap();
            let b = std::sync::Arc::new(b);
            let b2 = b.clone();
            // The peek may start before the datagram is sent (it waits) or after.
            let sender = conductor::spawn(async move { b2.peek_sender().await.unwrap() });
            conductor::task::yield_now().await;
            a.send_to(b"one", b_addr).await.unwrap();
            assert_eq!(sender.await.unwrap(), a_addr);
            let mut buf = [0u8; 8];
            assert_eq!(b.peek(&mut buf).await.unwrap(), 3);
            assert_eq!(&buf[..3], b"one");
            // Peeking again sees the same datagram; only recv takes it.
            assert_eq!(b.peek_sender().await.unwrap(), a_addr);
            let mut two = [0u8; 2];
            assert_eq!(b.peek(&mut two).await.unwrap(), 2);
            assert_eq!(b.recv(&mut buf).await.unwrap(), 3);
            assert_eq!(&buf[..3], b"one");
            assert_eq!(
                b.try_recv(&mut buf).unwrap_err().kind(),
                ErrorKind::WouldBlock
            );
        });
    }
}

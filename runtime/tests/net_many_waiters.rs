//! Several tasks awaiting one socket at once (`Arc<UdpSocket>` receivers, `Arc<TcpListener>`
//! acceptors, `readable()` on one stream): every one of them is woken. Before the reactor had a
//! waiter list for its `async` methods, the last task to wait replaced the others' wakers and
//! they slept forever. Each test bounds the wait for the waiting tasks, from another task,
//! with a timeout, so that shows as a failure rather than a hang. (A timeout inside the waiting
//! task would not do: its timer's wake-up re-polls the wait, which then finds the data.)

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use conductor::io::AsyncWriteExt;
use conductor::net::{TcpListener, TcpStream, UdpSocket};
use support::Flavor;

const TASKS: usize = 6;
const LIMIT: Duration = Duration::from_secs(10);

/// Joins `tasks`, failing if they do not all finish within `LIMIT`.
async fn join_all<T: Send + 'static>(tasks: Vec<conductor::task::JoinHandle<T>>) -> Vec<T> {
    conductor::time::timeout(LIMIT, async {
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    })
    .await
    .expect("a waiting task was never woken")
}

/// Lets every spawned task reach its wait.
async fn settle() {
    for _ in 0..10 {
        conductor::task::yield_now().await;
    }
    conductor::time::sleep(Duration::from_millis(20)).await;
}

#[test]
fn udp_receivers_sharing_a_socket_each_get_a_datagram() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
            let addr = socket.local_addr().unwrap();
            let receivers: Vec<_> = (0..TASKS)
                .map(|_| {
                    let socket = socket.clone();
                    conductor::spawn(async move {
                        let mut buf = [0u8; 8];
                        let (n, _) = socket.recv_from(&mut buf).await.unwrap();
                        assert_eq!(n, 1);
                        buf[0]
                    })
                })
                .collect();
            settle().await;
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            for i in 0..TASKS as u8 {
                sender.send_to(&[i], addr).await.unwrap();
                // One at a time, so that each event finds the others still waiting.
                conductor::time::sleep(Duration::from_millis(5)).await;
            }
            let got: BTreeSet<_> = join_all(receivers).await.into_iter().collect();
            assert_eq!(got, (0..TASKS as u8).collect());
        });
    }
}

#[test]
fn acceptors_sharing_a_listener_each_accept_a_connection() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
            let addr = listener.local_addr().unwrap();
            let acceptors: Vec<_> = (0..TASKS)
                .map(|_| {
                    let listener = listener.clone();
                    conductor::spawn(async move {
                        let (s, peer) = listener.accept().await.unwrap();
                        assert_eq!(s.peer_addr().unwrap(), peer);
                        peer
                    })
                })
                .collect();
            settle().await;
            let mut clients = Vec::new();
            for _ in 0..TASKS {
                clients.push(TcpStream::connect(addr).await.unwrap());
                conductor::time::sleep(Duration::from_millis(5)).await;
            }
            let peers: BTreeSet<_> = join_all(acceptors).await.into_iter().collect();
            let locals: BTreeSet<_> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
            assert_eq!(peers, locals);
        });
    }
}

#[test]
fn readable_waits_on_one_stream_are_all_woken_and_cancel_cleanly() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        support::run(flavor, || async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let server = Arc::new(server);
            // A wait that is dropped while pending leaves nothing behind to wake.
            let dropped = {
                let server = server.clone();
                conductor::spawn(async move { server.readable().await })
            };
            let waiters: Vec<_> = (0..TASKS)
                .map(|_| {
                    let server = server.clone();
                    conductor::spawn(async move { server.readable().await.unwrap() })
                })
                .collect();
            settle().await;
            dropped.abort();
            assert!(dropped.await.unwrap_err().is_cancelled());
            client.write_all(b"x").await.unwrap();
            assert_eq!(join_all(waiters).await.len(), TASKS);
            let mut buf = [0u8; 1];
            assert_eq!(server.try_read(&mut buf).unwrap(), 1);
        });
    }
}

//! The hyper adapters end to end: `examples/http_server.rs` on 127.0.0.1:0, driven by a hyper
//! client on the same multi-thread runtime (`--features hyper`).

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../examples/http_server.rs"]
mod http_server;

use std::time::Duration;

use conductor::hyper_compat::{HyperExecutor, HyperIo, HyperTimer};
use conductor::net::{TcpListener, TcpStream};
use conductor::runtime::Builder;
use conductor::time::timeout;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::rt::Executor;
use hyper::{Request, StatusCode};

/// Every test is bounded: a hang fails instead of stalling the suite.
const LIMIT: Duration = Duration::from_secs(20);

fn run<F: std::future::Future<Output = ()> + Send + 'static>(f: F) {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async move {
        timeout(LIMIT, conductor::spawn(f))
            .await
            .expect("test timed out")
            .unwrap();
    });
}

/// Starts the example's server on an ephemeral port and returns its address.
async fn start_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    conductor::spawn(http_server::serve(listener));
    addr
}

/// One client connection; its driver future runs as a task through `HyperExecutor`.
async fn connect<B>(addr: std::net::SocketAddr) -> SendRequest<B>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http1::Builder::new()
        .handshake(HyperIo::new(stream))
        .await
        .unwrap();
    HyperExecutor::new().execute(async move {
        conn.await.unwrap();
    });
    sender
}

#[test]
fn get_hello_world() {
    run(async {
        let addr = start_server().await;
        let mut sender = connect::<Empty<Bytes>>(addr).await;
        let req = Request::get("/")
            .header("host", "127.0.0.1")
            .body(Empty::new())
            .unwrap();
        let res = sender.send_request(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, "Hello, world!");
    });
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    run(async {
        let addr = start_server().await;
        let mut sender = connect::<Empty<Bytes>>(addr).await;
        for i in 0..50 {
            sender.ready().await.unwrap();
            let req = Request::get(format!("/{i}"))
                .header("host", "127.0.0.1")
                .body(Empty::new())
                .unwrap();
            let res = sender.send_request(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "request {i}");
            let body = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, "Hello, world!", "request {i}");
        }
        // Still the same connection: it was never closed under us.
        assert!(!sender.is_closed());
    });
}

#[test]
fn post_body_is_echoed() {
    run(async {
        let addr = start_server().await;
        let mut sender = connect::<Full<Bytes>>(addr).await;
        // A small body, then one larger than any single socket read, on one connection.
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for payload in [b"ping".to_vec(), big] {
            sender.ready().await.unwrap();
            let req = Request::post("/echo")
                .header("host", "127.0.0.1")
                .body(Full::new(Bytes::from(payload.clone())))
                .unwrap();
            let res = sender.send_request(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let body = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body.len(), payload.len());
            assert!(body == payload, "echoed body differs");
        }
    });
}

#[test]
fn concurrent_clients_each_get_their_answers() {
    run(async {
        let addr = start_server().await;
        let mut clients = Vec::new();
        for c in 0..8u32 {
            clients.push(conductor::spawn(async move {
                let mut sender = connect::<Full<Bytes>>(addr).await;
                for r in 0..10u32 {
                    sender.ready().await.unwrap();
                    let msg = format!("client {c} request {r}");
                    let req = Request::post("/echo")
                        .header("host", "127.0.0.1")
                        .body(Full::new(Bytes::from(msg.clone())))
                        .unwrap();
                    let res = sender.send_request(req).await.unwrap();
                    let body = res.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(body, msg);
                }
            }));
        }
        for client in clients {
            client.await.unwrap();
        }
    });
}

#[test]
fn unsupported_method_gets_405() {
    run(async {
        let addr = start_server().await;
        let mut sender = connect::<Empty<Bytes>>(addr).await;
        let req = Request::delete("/")
            .header("host", "127.0.0.1")
            .body(Empty::new())
            .unwrap();
        let res = sender.send_request(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    });
}

#[test]
fn hyper_timer_reset_moves_the_deadline() {
    use hyper::rt::Timer;
    run(async {
        let timer = HyperTimer::new();
        let mut sleep = timer.sleep(Duration::from_secs(3600));
        let target = timer.now() + Duration::from_millis(5);
        timer.reset(&mut sleep, target);
        sleep.await;
        assert!(timer.now() >= target);
    });
}

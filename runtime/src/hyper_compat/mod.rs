//! Adapters for [hyper] 1.x (the `hyper` feature): what `hyper::rt` asks of a runtime.
//!
//! - [`HyperExecutor`]: `hyper::rt::Executor`, spawns hyper's background futures (HTTP/2
//!   streams, client connections) as conductor tasks.
//! - [`HyperTimer`]: `hyper::rt::Timer`, hyper's timeouts (`header_read_timeout`, keep-alive)
//!   on conductor's timer wheel ([`crate::time::Sleep`]).
//! - [`HyperIo`]: `hyper::rt::Read` and `Write` for any `futures-io` stream, such as
//!   [`crate::net::TcpStream`] or [`crate::net::UnixStream`].
//!
//! An HTTP/1.1 server and client on one runtime, end to end:
//!
//! ```
//! use conductor::hyper_compat::{HyperExecutor, HyperIo, HyperTimer};
//! use conductor::net::{TcpListener, TcpStream};
//! use http_body_util::{BodyExt, Empty, Full};
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response};
//!
//! # conductor::runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! conductor::spawn(async move {
//!     let (stream, _) = listener.accept().await.unwrap();
//!     let service = hyper::service::service_fn(|_req: Request<Incoming>| async {
//!         Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from("hi"))))
//!     });
//!     hyper::server::conn::http1::Builder::new()
//!         .timer(HyperTimer::new())
//!         .serve_connection(HyperIo::new(stream), service)
//!         .await
//!         .unwrap();
//! });
//!
//! let stream = TcpStream::connect(addr).await?;
//! let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream)).await.unwrap();
//! hyper::rt::Executor::execute(&HyperExecutor::new(), async move { conn.await.unwrap() });
//! let req = Request::get("/").header("host", "localhost").body(Empty::<Bytes>::new()).unwrap();
//! let res = sender.send_request(req).await.unwrap();
//! let body = res.into_body().collect().await.unwrap().to_bytes();
//! assert_eq!(body, "hi");
//! # Ok::<_, std::io::Error>(())
//! # }).unwrap();
//! ```
//!
//! [hyper]: https://docs.rs/hyper/1

mod executor;
mod io;
mod timer;

pub use executor::HyperExecutor;
pub use io::HyperIo;
pub use timer::HyperTimer;

//! An HTTP/1.1 hello-world server on hyper and conductor (the `hyper` feature).
//!
//! `GET` anything answers `Hello, world!`; `POST /echo` answers with the request's body.
//!
//! ```sh
//! cargo run --release --features hyper --example http_server             # 127.0.0.1:3000
//! cargo run --release --features hyper --example http_server -- 127.0.0.1:8080
//! # in another terminal:
//! curl http://127.0.0.1:3000/
//! curl -d 'some data' http://127.0.0.1:3000/echo
//! ```
//!
//! `tests/hyper_http.rs` includes this file and drives [`serve`] with a hyper client.

use std::convert::Infallible;

use conductor::hyper_compat::{HyperIo, HyperTimer};
use conductor::net::TcpListener;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};

/// The body every response carries: a whole buffer, or the request's body streamed back.
type Body = BoxBody<Bytes, hyper::Error>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// The service: one request in, one response out.
async fn handle(req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let res = match (req.method(), req.uri().path()) {
        (&Method::POST, "/echo") => Response::new(req.into_body().boxed()),
        (&Method::GET, _) => Response::new(full("Hello, world!")),
        _ => {
            let mut res = Response::new(full("method not allowed"));
            *res.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            res
        }
    };
    Ok(res)
}

/// Accepts connections on `listener` forever, one task per connection.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        stream.set_nodelay(true)?;
        conductor::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(HyperTimer::new())
                .serve_connection(HyperIo::new(stream), hyper::service::service_fn(handle));
            if let Err(e) = conn.await {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    conductor::runtime::Runtime::new()?.block_on(async move {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!("listening on http://{}", listener.local_addr()?);
        serve(listener).await
    })
}

//! The HTTP benchmark's server: one hyper HTTP/1.1 hello-world service, on conductor or on
//! tokio, so `benches/http.sh` can load both with `wrk`.
//!
//! ```sh
//! http_server conductor 127.0.0.1:3000 [workers]
//! http_server tokio     127.0.0.1:3001 [workers]
//! ```
//!
//! Both runtimes run the same service (`hello`), the same hyper connection builder and a
//! plain accept loop; only the socket adapter differs (conductor's `HyperIo`, and a minimal
//! tokio adapter below that reads into hyper's uninitialized buffer, as `hyper-util` does).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

async fn hello(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, world!",
    ))))
}

fn http1() -> hyper::server::conn::http1::Builder {
    hyper::server::conn::http1::Builder::new()
}

fn run_conductor(addr: String, workers: usize) -> std::io::Result<()> {
    use conductor::hyper_compat::{HyperIo, HyperTimer};
    let rt = conductor::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()?;
    rt.block_on(async move {
        let listener = conductor::net::TcpListener::bind(addr.as_str()).await?;
        println!("conductor listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            conductor::spawn(async move {
                let _ = http1()
                    .timer(HyperTimer::new())
                    .serve_connection(HyperIo::new(stream), hyper::service::service_fn(hello))
                    .await;
            });
        }
    })
}

/// hyper's `Read`/`Write` over a tokio `TcpStream`.
struct TokioIo(tokio::net::TcpStream);

impl hyper::rt::Read for TokioIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        // SAFETY: tokio's `ReadBuf` never de-initializes bytes, and we hand it only the
        // unfilled part of hyper's buffer.
        let filled = unsafe {
            let mut tbuf = tokio::io::ReadBuf::uninit(buf.as_mut());
            ready!(tokio::io::AsyncRead::poll_read(
                Pin::new(&mut self.0),
                cx,
                &mut tbuf
            ))?;
            tbuf.filled().len()
        };
        // SAFETY: tokio initialized and filled `filled` bytes of the unfilled part.
        unsafe { buf.advance(filled) };
        Poll::Ready(Ok(()))
    }
}

impl hyper::rt::Write for TokioIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        tokio::io::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        tokio::io::AsyncWrite::poll_write_vectored(Pin::new(&mut self.0), cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        tokio::io::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        tokio::io::AsyncWrite::poll_shutdown(Pin::new(&mut self.0), cx)
    }
}

/// hyper's timer on tokio's.
#[derive(Clone)]
struct TokioTimer;

struct TokioSleep(Pin<Box<tokio::time::Sleep>>);

impl std::future::Future for TokioSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for TokioSleep {}

impl hyper::rt::Timer for TokioTimer {
    fn sleep(&self, d: std::time::Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(TokioSleep(Box::pin(tokio::time::sleep(d))))
    }

    fn sleep_until(&self, at: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(TokioSleep(Box::pin(tokio::time::sleep_until(at.into()))))
    }
}

fn run_tokio(addr: String, workers: usize) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
        println!("tokio listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let _ = http1()
                    .timer(TokioTimer)
                    .serve_connection(TokioIo(stream), hyper::service::service_fn(hello))
                    .await;
            });
        }
    })
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let runtime = args.next().unwrap_or_else(|| "conductor".to_owned());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let workers: usize = args
        .next()
        .map_or(2, |w| w.parse().expect("workers: a number"));
    match runtime.as_str() {
        "conductor" => run_conductor(addr, workers),
        "tokio" => run_tokio(addr, workers),
        other => {
            eprintln!("unknown runtime {other:?}: use `conductor` or `tokio`");
            std::process::exit(2)
        }
    }
}

//! TCP, UDP and Unix domain sockets on the reactor.
//!
//! Every type registers with the reactor current on the thread that creates it (a
//! conductor runtime's), waits for readiness instead of blocking, and returns the OS's
//! `io::Error`s unchanged. Streams implement `futures_io::AsyncRead` and `AsyncWrite`.
//!
//! ```
//! use conductor_reactor::net::{TcpListener, TcpStream};
//! use futures::{AsyncReadExt, AsyncWriteExt};
//! # conductor::runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = conductor::spawn(async move {
//!     let (mut s, _) = listener.accept().await?;
//!     let mut buf = [0u8; 5];
//!     s.read_exact(&mut buf).await?;
//!     s.write_all(&buf).await?;
//!     Ok::<_, std::io::Error>(())
//! });
//! let mut c = TcpStream::connect(addr).await?;
//! c.write_all(b"hello").await?;
//! let mut buf = [0u8; 5];
//! c.read_exact(&mut buf).await?;
//! assert_eq!(&buf, b"hello");
//! server.await.unwrap()?;
//! # Ok::<_, std::io::Error>(())
//! # }).unwrap();
//! ```

pub(crate) mod addr;
pub(crate) mod byte_stream;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::ToSocketAddrs;
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

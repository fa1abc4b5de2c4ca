//! [`TcpStream`].

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::PollEvented;
use crate::net::addr::{ToSocketAddrs, each_addr};
use crate::net::tcp::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

/// A TCP connection. Implements `futures_io`'s `AsyncRead` and `AsyncWrite` (also on
/// `&TcpStream`, so one task may read while another writes through a shared reference).
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::{TcpListener, TcpStream};
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = TcpStream::connect(listener.local_addr()?).await?;
/// let (mut server, _) = listener.accept().await?;
/// client.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// server.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct TcpStream {
    io: PollEvented<mio::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each of its addresses in turn.
    ///
    /// There is no built-in timeout: a connect to an unroutable address waits as long as the
    /// OS does; wrap it in your own timeout.
    ///
    /// # Errors
    ///
    /// The OS's error for the last address tried (`ConnectionRefused`, say), unchanged.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`TcpStream`].
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        each_addr(&addr, |a| async move {
            TcpStream::connect_mio(mio::net::TcpStream::connect(a)?).await
        })
        .await
    }

    /// Registers a socket whose non-blocking connect is in flight and waits for it.
    pub(crate) async fn connect_mio(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(stream)?;
        stream.writable().await?;
        if let Some(e) = stream.io.get_ref().take_error()? {
            return Err(e);
        }
        Ok(stream)
    }

    pub(crate) fn from_mio(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Wraps a connected std stream (made non-blocking here).
    ///
    /// # Errors
    ///
    /// The OS's error from `fcntl` or registration.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    /// let s = conductor_reactor::net::TcpStream::from_std(s).unwrap();
    /// # drop(s);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream (still non-blocking).
    ///
    /// # Errors
    ///
    /// The OS's error from deregistration.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let std = s.into_std().unwrap();
    /// # drop(std);
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        Ok(self.io.into_inner()?.into())
    }

    /// The local address of this connection.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`](super::TcpListener).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The OS's error from `getpeername` (`NotConnected`, say).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// assert_eq!(s.peer_addr().unwrap(), l.local_addr().unwrap());
    /// # });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when `true`).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// s.set_nodelay(true).unwrap();
    /// assert!(s.nodelay().unwrap());
    /// # });
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_nodelay`](Self::set_nodelay).
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `IP_TTL`.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// s.set_ttl(42).unwrap();
    /// assert_eq!(s.ttl().unwrap(), 42);
    /// # });
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The `IP_TTL` of this socket.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_ttl`](Self::set_ttl).
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `SO_LINGER` (`Some(ZERO)` makes `close` send a reset).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// s.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    /// assert_eq!(s.linger().unwrap(), Some(std::time::Duration::ZERO));
    /// # });
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self.io.get_ref()).set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_linger`](Self::set_linger).
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self.io.get_ref()).linger()
    }

    /// Shuts down the read side, the write side or both (`shutdown(2)`); the peer then
    /// reads end-of-stream after what was already sent.
    ///
    /// # Errors
    ///
    /// The OS's error (`NotConnected`, say).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// s.shutdown(std::net::Shutdown::Write).unwrap();
    /// # });
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Reads without removing the data from the socket's queue; waits for data.
    ///
    /// # Errors
    ///
    /// The OS's error, unchanged, or the shutdown error.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let mut c = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (s, _) = l.accept().await.unwrap();
    /// c.write_all(b"hey").await.unwrap();
    /// let mut buf = [0u8; 3];
    /// let n = s.peek(&mut buf).await.unwrap();
    /// assert_eq!(&buf[..n], &b"hey"[..n]);
    /// # });
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.peek(buf)).await
    }

    /// Polls a [`peek`](Self::peek).
    ///
    /// # Errors
    ///
    /// As [`peek`](Self::peek).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let w = std::task::Waker::noop();
    /// assert!(s.poll_peek(&mut std::task::Context::from_waker(&w), &mut [0; 4]).is_pending());
    /// # });
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read_io(cx, |s| s.peek(buf))
    }

    /// Waits until the stream may be readable.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (peer, _) = l.accept().await.unwrap();
    /// peer.writable().await.unwrap(); // a new socket's readiness is known after its first event
    /// peer.try_write(b"x").unwrap();
    /// let mut buf = [0u8; 8];
    /// let n = loop {
    ///     // Readiness can be stale (data still in flight): try, and wait again on WouldBlock.
    ///     s.readable().await.unwrap();
    ///     match s.try_read(&mut buf) {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => panic!("{e}"),
    ///     }
    /// };
    /// assert_eq!(n, 1);
    /// # });
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await
    }

    /// Waits until the stream may be writable.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// s.writable().await.unwrap();
    /// assert_eq!(s.try_write(b"hello").unwrap(), 5);
    /// # });
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }

    /// Reads what is available now, without waiting; `WouldBlock` when nothing is.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(crate::Interest::READABLE, |mut s| s.read(buf))
    }

    /// Vectored [`try_read`](Self::try_read).
    ///
    /// # Errors
    ///
    /// As [`try_read`](Self::try_read).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let mut a = [0u8; 4];
    /// let r = s.try_read_vectored(&mut [std::io::IoSliceMut::new(&mut a)]);
    /// assert_eq!(r.unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # });
    /// ```
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(crate::Interest::READABLE, |mut s| s.read_vectored(bufs))
    }

    /// Writes what fits now, without waiting; `WouldBlock` when nothing does.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged (`BrokenPipe`, `ConnectionReset`).
    ///
    /// # Examples
    ///
    /// See [`writable`](Self::writable).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .try_io(crate::Interest::WRITABLE, |mut s| s.write(buf))
    }

    /// Vectored [`try_write`](Self::try_write).
    ///
    /// # Errors
    ///
    /// As [`try_write`](Self::try_write).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// s.writable().await.unwrap();
    /// let n = s.try_write_vectored(&[std::io::IoSlice::new(b"ab"), std::io::IoSlice::new(b"c")]);
    /// assert_eq!(n.unwrap(), 3);
    /// # });
    /// ```
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(crate::Interest::WRITABLE, |mut s| s.write_vectored(bufs))
    }

    /// Borrows the stream as a read half and a write half, usable from two futures at once
    /// (one reader and one writer).
    ///
    /// With `futures`' (or `conductor::io`'s) `AsyncReadExt` in scope, `stream.split()`
    /// resolves to that trait's by-value `split` (method lookup tries by-value receivers
    /// first); call this one as `TcpStream::split(&mut stream)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// use conductor_reactor::net::TcpStream;
    /// let mut s = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (mut peer, _) = l.accept().await.unwrap();
    /// let (mut r, mut w) = TcpStream::split(&mut s);
    /// w.write_all(b"abc").await.unwrap();
    /// let mut buf = [0u8; 3];
    /// peer.read_exact(&mut buf).await.unwrap();
    /// peer.write_all(&buf).await.unwrap();
    /// r.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"abc");
    /// # });
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves that can move to different tasks. Dropping the
    /// write half shuts the write direction down; [`OwnedReadHalf::reunite`] puts them back.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (r, w) = s.into_split();
    /// let s = r.reunite(w).unwrap();
    /// # drop(s);
    /// # });
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(self)
    }
}

crate::net::byte_stream::byte_stream_io!(TcpStream);
crate::net::byte_stream::byte_stream_io!(&TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

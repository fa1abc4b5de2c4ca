//! [`TcpListener`].

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use crate::net::addr::{ToSocketAddrs, each_addr};
use crate::net::tcp::TcpStream;
use crate::{Interest, PollEvented};

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::{TcpListener, TcpStream};
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let client = TcpStream::connect(addr).await?;
/// let (server, peer) = listener.accept().await?;
/// assert_eq!(peer, client.local_addr()?);
/// # drop(server);
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct TcpListener {
    io: PollEvented<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (the first of its addresses that works) and listens, with
    /// `SO_REUSEADDR` set and a backlog of 1024 (mio's defaults).
    ///
    /// # Errors
    ///
    /// The OS's error for the last address tried (`AddrInUse`, say), or a resolution error.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// assert_ne!(l.local_addr().unwrap().port(), 0);
    /// # });
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        each_addr(&addr, |a| async move {
            TcpListener::from_mio(mio::net::TcpListener::bind(a)?)
        })
        .await
    }

    pub(crate) fn from_mio(l: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: PollEvented::new_with_interest(l, Interest::READABLE)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged (`EMFILE` when out of descriptors: the listener keeps
    /// working, and the next `accept` retries), or the shutdown error.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, addr) = self.io.read_with(|l| l.accept()).await?;
        TcpStream::from_mio(stream).map(|s| (s, addr))
    }

    /// Polls for a connection; see [`accept`](Self::accept).
    ///
    /// # Errors
    ///
    /// As [`accept`](Self::accept).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let w = std::task::Waker::noop();
    /// assert!(l.poll_accept(&mut std::task::Context::from_waker(&w)).is_pending());
    /// # });
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, addr) = std::task::ready!(self.io.poll_read_io(cx, |l| l.accept()))?;
        Poll::Ready(TcpStream::from_mio(stream).map(|s| (s, addr)))
    }

    /// Wraps a std listener (made non-blocking here) into this runtime's reactor.
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
    /// let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let l = conductor_reactor::net::TcpListener::from_std(std).unwrap();
    /// # drop(l);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::from_mio(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a std listener (still non-blocking).
    ///
    /// # Errors
    ///
    /// The OS's error from deregistration.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let std = l.into_std().unwrap();
    /// std.set_nonblocking(false).unwrap();
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        Ok(self.io.into_inner()?.into())
    }

    /// The local address the listener is bound to.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// See [`bind`](Self::bind).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sets `IP_TTL` on this socket.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// l.set_ttl(60).unwrap();
    /// assert_eq!(l.ttl().unwrap(), 60);
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
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

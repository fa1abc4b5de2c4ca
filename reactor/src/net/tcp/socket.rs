//! [`TcpSocket`]: a TCP socket configured before it connects or listens (socket2).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, RawFd};

use socket2::{Domain, Protocol, Socket, Type};

use super::{TcpListener, TcpStream};

/// A TCP socket not yet connected or listening, for options that must be set first
/// (`SO_REUSEADDR`, `SO_REUSEPORT`, buffer sizes, binding a client to a local address).
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::TcpSocket;
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseaddr(true)?;
/// socket.bind("127.0.0.1:0".parse().unwrap())?;
/// let listener = socket.listen(128)?;
/// let client = TcpSocket::new_v4()?;
/// client.set_recv_buffer_size(64 * 1024)?;
/// let stream = client.connect(listener.local_addr()?).await?;
/// # drop(stream);
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct TcpSocket {
    inner: Socket,
}

impl TcpSocket {
    /// A new IPv4 TCP socket (non-blocking, close-on-exec).
    ///
    /// # Errors
    ///
    /// The OS's error from `socket(2)` (`EMFILE`, say).
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket (non-blocking, close-on-exec).
    ///
    /// # Errors
    ///
    /// The OS's error from `socket(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v6();
    /// # drop(s);
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        let ty = Type::STREAM.nonblocking().cloexec();
        Ok(TcpSocket {
            inner: Socket::new(domain, ty, Some(Protocol::TCP))?,
        })
    }

    /// Sets `SO_REUSEADDR`.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v4().unwrap();
    /// s.set_reuseaddr(true).unwrap();
    /// assert!(s.reuseaddr().unwrap());
    /// ```
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_reuseaddr`](Self::set_reuseaddr).
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT`.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v4().unwrap();
    /// s.set_reuseport(true).unwrap();
    /// assert!(s.reuseport().unwrap());
    /// ```
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuseport)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_reuseport`](Self::set_reuseport).
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets `SO_SNDBUF` (the kernel may round or double it).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v4().unwrap();
    /// s.set_send_buffer_size(32 * 1024).unwrap();
    /// assert!(s.send_buffer_size().unwrap() >= 32 * 1024);
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// The `SO_SNDBUF` size.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_send_buffer_size`](Self::set_send_buffer_size).
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(|n| n as u32)
    }

    /// Sets `SO_RCVBUF` (the kernel may round or double it).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v4().unwrap();
    /// s.set_recv_buffer_size(32 * 1024).unwrap();
    /// assert!(s.recv_buffer_size().unwrap() >= 32 * 1024);
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// The `SO_RCVBUF` size.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_recv_buffer_size`](Self::set_recv_buffer_size).
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(|n| n as u32)
    }

    /// Sets `TCP_NODELAY` before connecting.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v4().unwrap();
    /// s.set_nodelay(true).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Binds the socket to a local address.
    ///
    /// Takes a `SocketAddr`, not [`ToSocketAddrs`](crate::net::ToSocketAddrs), as `connect`
    /// does: the socket already has its address family (`new_v4`/`new_v6`), so it can use only
    /// one address of that family, and `bind` is synchronous, so it cannot wait for name
    /// resolution. Resolve first (or use [`TcpListener::bind`], which takes any
    /// `ToSocketAddrs` and tries each address).
    ///
    /// # Errors
    ///
    /// The OS's error from `bind(2)` (`AddrInUse`, say).
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&addr.into())
    }

    /// The local address the socket is bound to.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = conductor_reactor::net::TcpSocket::new_v4().unwrap();
    /// s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(s.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("not an IP socket"))
    }

    /// Connects to `addr` and returns the stream.
    ///
    /// A `SocketAddr`, not [`ToSocketAddrs`](crate::net::ToSocketAddrs): the socket is
    /// consumed by one connect attempt and has a fixed address family, so it cannot try each
    /// address of a name in turn as [`TcpStream::connect`] does (a new socket per attempt
    /// would lose the options set on this one).
    ///
    /// # Errors
    ///
    /// The OS's error unchanged (`ConnectionRefused`, say).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        match self.inner.connect(&addr.into()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        let fd = self.inner.into_raw_fd();
        // SAFETY: `into_raw_fd` gave us sole ownership of an open, non-blocking TCP socket.
        let std = unsafe { std::net::TcpStream::from_raw_fd(fd) };
        TcpStream::connect_mio(mio::net::TcpStream::from_std(std)).await
    }

    /// Starts listening with the given backlog and returns the listener.
    ///
    /// # Errors
    ///
    /// The OS's error from `listen(2)`.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        self.inner.listen(backlog.min(i32::MAX as u32) as i32)?;
        let fd = self.inner.into_raw_fd();
        // SAFETY: `into_raw_fd` gave us sole ownership of an open, listening TCP socket.
        let std = unsafe { std::net::TcpListener::from_raw_fd(fd) };
        TcpListener::from_mio(mio::net::TcpListener::from_std(std))
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

//! [`UnixDatagram`].

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::{Interest, PollEvented};

/// A Unix datagram socket.
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::UnixDatagram;
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"one").await?;
/// let mut buf = [0u8; 8];
/// assert_eq!(b.recv(&mut buf).await?, 3);
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// A socket bound to `path`.
    ///
    /// # Errors
    ///
    /// The OS's error (`AddrInUse` when the path exists, say).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::net::UnixDatagram;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-dgram-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = UnixDatagram::bind(&path)?;
    /// let client = UnixDatagram::unbound()?;
    /// client.send_to(b"hi", &path).await?;
    /// let mut buf = [0u8; 4];
    /// let (n, _from) = server.recv_from(&mut buf).await?;
    /// assert_eq!(&buf[..n], b"hi");
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind(path)?)
    }

    /// A socket bound to no address.
    ///
    /// # Errors
    ///
    /// The OS's error from `socket(2)`.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`bind`](Self::bind).
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::unbound()?)
    }

    /// A connected pair of sockets.
    ///
    /// # Errors
    ///
    /// The OS's error from `socketpair(2)`.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_mio(a)?, UnixDatagram::from_mio(b)?))
    }

    fn from_mio(s: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(s)?,
        })
    }

    /// Connects to the socket at `path`, the default destination of [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// The OS's error from `connect(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::net::UnixDatagram;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-dconn-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = UnixDatagram::bind(&path)?;
    /// let client = UnixDatagram::unbound()?;
    /// client.connect(&path)?;
    /// client.send(b"x").await?;
    /// assert_eq!(server.recv(&mut [0; 4]).await?, 1);
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends to the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Receives from the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Receives a datagram from the connected peer without removing it from the queue: the
    /// next [`recv`](Self::recv) returns it again.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = conductor_reactor::net::UnixDatagram::pair().unwrap();
    /// a.send(b"once").await.unwrap();
    /// let mut buf = [0u8; 8];
    /// assert_eq!(b.peek(&mut buf).await.unwrap(), 4);
    /// assert_eq!(b.recv(&mut buf).await.unwrap(), 4);
    /// assert_eq!(&buf[..4], b"once");
    /// # });
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| peek(s.as_raw_fd(), buf)).await
    }

    /// Deregisters the socket and returns it as a std socket (still non-blocking).
    ///
    /// # Errors
    ///
    /// The OS's error from deregistration.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = conductor_reactor::net::UnixDatagram::pair().unwrap();
    /// let std = a.into_std().unwrap();
    /// assert!(std.peer_addr().unwrap().is_unnamed());
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        Ok(self.io.into_inner()?.into())
    }

    /// Sends to the socket at `path`.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`bind`](Self::bind).
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io.write_with(|s| s.send_to(buf, path)).await
    }

    /// Receives a datagram and its sender's address.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`bind`](Self::bind).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// Waits until the socket may be readable.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = conductor_reactor::net::UnixDatagram::pair().unwrap();
    /// a.writable().await.unwrap();
    /// a.try_send(b"x").unwrap();
    /// let n = loop {
    ///     // Readiness can be stale: try, and wait again on WouldBlock.
    ///     b.readable().await.unwrap();
    ///     match b.try_recv(&mut [0; 4]) {
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

    /// Waits until the socket may be writable.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }

    /// Sends now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// This socket's address.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = conductor_reactor::net::UnixDatagram::unbound().unwrap();
    /// assert!(s.local_addr().unwrap().is_unnamed());
    /// # });
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected` when not connected.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = conductor_reactor::net::UnixDatagram::pair().unwrap();
    /// assert!(a.peer_addr().is_ok());
    /// # });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

/// `recv(2)` with `MSG_PEEK` (std's `UnixDatagram::peek` is unstable, mio has none).
fn peek(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole call, and `fd` is
    // the open socket of the `&mio::net::UnixDatagram` our caller borrows.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_PEEK) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

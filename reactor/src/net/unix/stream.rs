//! [`UnixStream`].

use std::fmt;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::net::unix::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::{Interest, PollEvented};

/// A Unix stream socket. Implements `futures_io`'s `AsyncRead` and `AsyncWrite` (also on
/// `&UnixStream`).
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::UnixStream;
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"hello").await?;
/// let mut buf = [0u8; 5];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"hello");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixStream {
    io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged (`NotFound`, `ConnectionRefused`).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`UnixListener`](super::UnixListener).
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let stream = UnixStream::from_mio(mio::net::UnixStream::connect(path)?)?;
        stream.writable().await?;
        if let Some(e) = stream.io.get_ref().take_error()? {
            return Err(e);
        }
        Ok(stream)
    }

    /// A connected pair of streams.
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
    /// See [`UnixStream`].
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }

    pub(crate) fn from_mio(s: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(s)?,
        })
    }

    /// Wraps a std stream (made non-blocking here).
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
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::net::UnixStream::from_std(a).unwrap();
    /// # drop(a);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream))
    }

    /// This end's address.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = conductor_reactor::net::UnixStream::pair().unwrap();
    /// assert!(a.local_addr().unwrap().is_unnamed());
    /// assert!(b.peer_addr().unwrap().is_unnamed());
    /// # });
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The OS's error from `getpeername`.
    ///
    /// # Examples
    ///
    /// See [`local_addr`](Self::local_addr).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down reading, writing or both.
    ///
    /// # Errors
    ///
    /// The OS's error from `shutdown(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::AsyncReadExt;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = conductor_reactor::net::UnixStream::pair().unwrap();
    /// a.shutdown(std::net::Shutdown::Write).unwrap();
    /// assert_eq!(b.read(&mut [0; 4]).await.unwrap(), 0);
    /// # });
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
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
    /// let (a, b) = conductor_reactor::net::UnixStream::pair().unwrap();
    /// a.writable().await.unwrap();
    /// a.try_write(b"x").unwrap();
    /// let n = loop {
    ///     // Readiness can be stale: try, and wait again on WouldBlock.
    ///     b.readable().await.unwrap();
    ///     match b.try_read(&mut [0; 4]) {
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
    /// See [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }

    /// Reads what is available now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |mut s| s.read(buf))
    }

    /// Writes what fits now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |mut s| s.write(buf))
    }

    /// Borrows the stream as a read half and a write half, usable from two futures at once
    /// (one reader and one writer).
    ///
    /// With `futures`' (or `conductor::io`'s) `AsyncReadExt` in scope, `stream.split()`
    /// resolves to that trait's by-value `split`; call this one as
    /// `UnixStream::split(&mut stream)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::net::UnixStream;
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (mut s, mut peer) = UnixStream::pair().unwrap();
    /// let (mut r, mut w) = UnixStream::split(&mut s);
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
    /// let (s, _peer) = conductor_reactor::net::UnixStream::pair().unwrap();
    /// let (r, w) = s.into_split();
    /// let s = r.reunite(w).unwrap();
    /// # drop(s);
    /// # });
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(self)
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
    /// let (a, _b) = conductor_reactor::net::UnixStream::pair().unwrap();
    /// let std = a.into_std().unwrap();
    /// assert!(std.peer_addr().unwrap().is_unnamed());
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        Ok(self.io.into_inner()?.into())
    }
}

crate::net::byte_stream::byte_stream_io!(UnixStream);
crate::net::byte_stream::byte_stream_io!(&UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

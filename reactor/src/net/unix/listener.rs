//! [`UnixListener`].

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use super::UnixStream;
use crate::{Interest, PollEvented};

/// A Unix stream socket listening for connections.
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::{UnixListener, UnixStream};
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("conductor-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("listener.sock");
/// # let _ = std::fs::remove_file(&path);
/// let listener = UnixListener::bind(&path)?;
/// let client = UnixStream::connect(&path).await?;
/// let (server, _addr) = listener.accept().await?;
/// # drop((client, server));
/// std::fs::remove_file(&path)?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixListener {
    io: PollEvented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` and listens.
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
    /// See [`UnixListener`].
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let l = mio::net::UnixListener::bind(path)?;
        Ok(UnixListener {
            io: PollEvented::new_with_interest(l, Interest::READABLE)?,
        })
    }

    /// Wraps a std listener (made non-blocking here).
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
    /// let path = std::env::temp_dir().join(format!("conductor-doc-std-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let std = std::os::unix::net::UnixListener::bind(&path).unwrap();
    /// let l = conductor_reactor::net::UnixListener::from_std(std).unwrap();
    /// # drop(l);
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: PollEvented::new_with_interest(
                mio::net::UnixListener::from_std(listener),
                Interest::READABLE,
            )?,
        })
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
    /// let path = std::env::temp_dir().join(format!("conductor-doc-into-std-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = conductor_reactor::net::UnixListener::bind(&path).unwrap();
    /// let std = l.into_std().unwrap();
    /// assert_eq!(std.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        Ok(self.io.into_inner()?.into())
    }

    /// Waits for a connection.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged, or the shutdown error.
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.read_with(|l| l.accept()).await?;
        UnixStream::from_mio(stream).map(|s| (s, addr))
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
    /// let path = std::env::temp_dir().join(format!("conductor-doc-poll-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = conductor_reactor::net::UnixListener::bind(&path).unwrap();
    /// let w = std::task::Waker::noop();
    /// assert!(l.poll_accept(&mut std::task::Context::from_waker(&w)).is_pending());
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, addr) = std::task::ready!(self.io.poll_read_io(cx, |l| l.accept()))?;
        Poll::Ready(UnixStream::from_mio(stream).map(|s| (s, addr)))
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-addr-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = conductor_reactor::net::UnixListener::bind(&path).unwrap();
    /// assert_eq!(l.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

//! The halves of a [`UnixStream`]: borrowed ([`UnixStream::split`]) and owned
//! ([`UnixStream::into_split`]).

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::UnixStream;

/// The read half of a borrowed [`UnixStream`]; see [`UnixStream::split`].
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut s, _peer) = conductor_reactor::net::UnixStream::pair().unwrap();
/// let (r, _w) = conductor_reactor::net::UnixStream::split(&mut s);
/// assert!(r.peer_addr().is_ok());
/// # });
/// ```
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a UnixStream);

/// The write half of a borrowed [`UnixStream`]; see [`UnixStream::split`].
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut s, _peer) = conductor_reactor::net::UnixStream::pair().unwrap();
/// let (_r, w) = conductor_reactor::net::UnixStream::split(&mut s);
/// assert!(w.local_addr().is_ok());
/// # });
/// ```
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a UnixStream);

/// The owned read half of a [`UnixStream`]; see [`UnixStream::into_split`].
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (s, _peer) = conductor_reactor::net::UnixStream::pair().unwrap();
/// let (r, _w) = s.into_split();
/// let reader = conductor::spawn(async move { r.peer_addr() });
/// assert!(reader.await.unwrap().is_ok());
/// # });
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<UnixStream>,
}

/// The owned write half of a [`UnixStream`]; see [`UnixStream::into_split`]. Dropping it shuts
/// the write direction down (the peer reads end-of-stream), unless it was reunited.
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (s, _peer) = conductor_reactor::net::UnixStream::pair().unwrap();
/// let (_r, w) = s.into_split();
/// drop(w); // the peer now reads EOF
/// # });
/// ```
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<UnixStream>,
    shutdown_on_drop: bool,
}

/// The halves given to [`OwnedReadHalf::reunite`] came from different streams; they are
/// handed back.
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = conductor_reactor::net::UnixStream::pair().unwrap();
/// let (ra, _wa) = a.into_split();
/// let (_rb, wb) = b.into_split();
/// let err = ra.reunite(wb).unwrap_err();
/// let (_ra, _wb) = (err.0, err.1);
/// # });
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl std::error::Error for ReuniteError {}

pub(super) fn split(stream: &mut UnixStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

pub(super) fn into_split(stream: UnixStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

impl OwnedReadHalf {
    /// Puts the halves back together into the stream.
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] (with both halves) when they belong to different streams.
    ///
    /// # Examples
    ///
    /// See [`UnixStream::into_split`].
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        let mut other = other;
        other.shutdown_on_drop = false;
        drop(other);
        Ok(Arc::try_unwrap(self.inner).expect("both halves were given, so no other owner is left"))
    }
}

impl OwnedWriteHalf {
    /// Puts the halves back together; see [`OwnedReadHalf::reunite`].
    ///
    /// # Errors
    ///
    /// As [`OwnedReadHalf::reunite`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (s, _peer) = conductor_reactor::net::UnixStream::pair().unwrap();
    /// let (r, w) = s.into_split();
    /// let _s = w.reunite(r).unwrap();
    /// # });
    /// ```
    pub fn reunite(self, other: OwnedReadHalf) -> Result<UnixStream, ReuniteError> {
        other.reunite(self)
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown(Shutdown::Write);
        }
    }
}

macro_rules! common {
    ($t:ty, $inner:tt) => {
        impl $t {
            /// The local address of the stream.
            ///
            /// # Errors
            ///
            /// As [`UnixStream::local_addr`].
            ///
            /// # Examples
            ///
            /// See the type's example.
            pub fn local_addr(&self) -> io::Result<SocketAddr> {
                self.$inner.local_addr()
            }

            /// The peer's address.
            ///
            /// # Errors
            ///
            /// As [`UnixStream::peer_addr`].
            ///
            /// # Examples
            ///
            /// See the type's example.
            pub fn peer_addr(&self) -> io::Result<SocketAddr> {
                self.$inner.peer_addr()
            }
        }
    };
}

common!(ReadHalf<'_>, 0);
common!(WriteHalf<'_>, 0);
common!(OwnedReadHalf, inner);
common!(OwnedWriteHalf, inner);

macro_rules! read_impl {
    ($t:ty, $inner:tt) => {
        impl AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.$inner.poll_read_priv(cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                self.$inner.poll_read_vectored_priv(cx, bufs)
            }
        }
    };
}

macro_rules! write_impl {
    ($t:ty, $inner:tt) => {
        impl AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.$inner.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.$inner.poll_write_vectored_priv(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.$inner.shutdown_write()
            }
        }
    };
}

read_impl!(ReadHalf<'_>, 0);
read_impl!(OwnedReadHalf, inner);
write_impl!(WriteHalf<'_>, 0);
write_impl!(OwnedWriteHalf, inner);

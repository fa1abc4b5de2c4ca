//! [`PollEvented`]: any `mio::event::Source` registered with the current reactor.

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use mio::event::Source;

use crate::handle::Handle;
use crate::readiness::{Direction, Interest};
use crate::registration::Registration;

/// An I/O source registered with the reactor: waits for readiness instead of blocking.
///
/// Wrap any `mio::event::Source` (a socket, a pipe, a `mio::unix::SourceFd`) to use it from
/// async code. Its operations take closures over `&E` that perform one non-blocking
/// call; `WouldBlock` makes them wait for the next readiness event and retry. When `&E`
/// implements `Read`/`Write`, `PollEvented<E>` implements `futures_io`'s `AsyncRead` and
/// `AsyncWrite`. Dropping it deregisters the source, then closes it.
///
/// The `poll_*` methods and the `AsyncRead`/`AsyncWrite` impls store one reader and one
/// writer waker per source (as `futures_io`'s traits assume): one task per direction. The
/// `async` methods ([`readable`](Self::readable), [`read_with`](Self::read_with), ...) each
/// get their own waiter entry, so any number of tasks may await them at once.
///
/// # Examples
///
/// ```
/// use conductor_reactor::PollEvented;
/// use std::io::{Read, Write};
///
/// # let rt = conductor::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (a, b) = mio::net::UnixStream::pair().unwrap();
/// let (a, b) = (PollEvented::new(a).unwrap(), PollEvented::new(b).unwrap());
/// a.write_with(|s| { let mut s = s; s.write(b"hi") }).await.unwrap();
/// let mut buf = [0u8; 2];
/// b.read_with(|s| { let mut s = s; s.read(&mut buf) }).await.unwrap();
/// assert_eq!(&buf, b"hi");
/// # });
/// ```
pub struct PollEvented<E: Source> {
    io: Option<E>,
    registration: Registration,
}

impl<E: Source> PollEvented<E> {
    /// Registers `io` for reading and writing with the current reactor.
    ///
    /// # Errors
    ///
    /// The OS's error from `epoll_ctl`, or the shutdown error when the runtime is shut down.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// # drop(a);
    /// # });
    /// ```
    #[track_caller]
    pub fn new(io: E) -> io::Result<Self> {
        Self::new_with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` for `interest` with the current reactor.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::{Interest, PollEvented};
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let l = PollEvented::new_with_interest(l, Interest::READABLE).unwrap();
    /// # drop(l);
    /// # });
    /// ```
    #[track_caller]
    pub fn new_with_interest(io: E, interest: Interest) -> io::Result<Self> {
        Self::new_with_handle(io, interest, Handle::current())
    }

    /// Registers `io` for `interest` with the reactor `handle`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::{Driver, Interest, PollEvented};
    /// let driver = Driver::new().unwrap();
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = PollEvented::new_with_handle(a, Interest::READABLE, driver.handle()).unwrap();
    /// # drop(a);
    /// ```
    pub fn new_with_handle(mut io: E, interest: Interest, handle: Handle) -> io::Result<Self> {
        let registration = Registration::new(&mut io, interest, handle)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// The wrapped source.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// assert!(a.get_ref().peer_addr().is_ok());
    /// # });
    /// ```
    pub fn get_ref(&self) -> &E {
        self.io.as_ref().expect("source taken") // only `into_inner` takes it, consuming self
    }

    /// The wrapped source, mutably. Reading or writing it directly bypasses readiness
    /// tracking; use the `*_with` methods for I/O.
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let mut a = conductor_reactor::PollEvented::new(a).unwrap();
    /// let _ = a.get_mut();
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut E {
        self.io.as_mut().expect("source taken")
    }

    /// Deregisters the source and gives it back.
    ///
    /// # Errors
    ///
    /// The OS's error from `epoll_ctl` (the source is lost then).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// let _raw: mio::net::UnixStream = a.into_inner().unwrap();
    /// # });
    /// ```
    pub fn into_inner(mut self) -> io::Result<E> {
        let mut io = self.io.take().expect("source taken");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }

    /// Polls for read readiness; registers the task's waker when not ready.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// let w = std::task::Waker::noop();
    /// assert!(a.poll_read_ready(&mut std::task::Context::from_waker(&w)).is_pending());
    /// # });
    /// ```
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, Direction::Read)
            .map_ok(|_| ())
    }

    /// Polls for write readiness; registers the task's waker when not ready.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// std::future::poll_fn(|cx| a.poll_write_ready(cx)).await.unwrap();
    /// # });
    /// ```
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, Direction::Write)
            .map_ok(|_| ())
    }

    /// Waits until the source may be readable (it may still return `WouldBlock`).
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// std::io::Write::write_all(&mut &b, b"x").unwrap();
    /// a.readable().await.unwrap();
    /// # });
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.registration
            .readiness(Direction::Read)
            .await
            .map(|_| ())
    }

    /// Waits until the source may be writable (it may still return `WouldBlock`).
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// a.writable().await.unwrap();
    /// # });
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.registration
            .readiness(Direction::Write)
            .await
            .map(|_| ())
    }

    /// Runs `f` once if the source is ready for `interest`'s direction (reading when both
    /// are given), returning `WouldBlock` without calling it otherwise. A `WouldBlock` from
    /// `f` clears the readiness, so a later `readable()`/`writable()` waits for a new event.
    ///
    /// # Errors
    ///
    /// `f`'s error, `WouldBlock`, or the shutdown error.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::Interest;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// let err = a.try_io(Interest::READABLE, |s| std::io::Read::read(&mut &*s, &mut [0; 4]));
    /// assert_eq!(err.unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # });
    /// ```
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        let direction = if interest.is_readable() {
            Direction::Read
        } else {
            Direction::Write
        };
        self.registration.try_io(direction, || f(self.get_ref()))
    }

    /// Polls a read-side operation: `f` runs when readable, and again after each
    /// `WouldBlock` once a new event arrives.
    ///
    /// # Errors
    ///
    /// `f`'s error (unchanged) or the shutdown error.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// std::io::Write::write_all(&mut &b, b"x").unwrap();
    /// let mut buf = [0u8; 1];
    /// let n = std::future::poll_fn(|cx| a.poll_read_io(cx, |s| std::io::Read::read(&mut &*s, &mut buf))).await;
    /// assert_eq!(n.unwrap(), 1);
    /// # });
    /// ```
    pub fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration
            .poll_io(cx, Direction::Read, || f(self.get_ref()))
    }

    /// Polls a write-side operation; see [`poll_read_io`](Self::poll_read_io).
    ///
    /// # Errors
    ///
    /// `f`'s error (unchanged) or the shutdown error.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = mio::net::UnixStream::pair().unwrap();
    /// let a = conductor_reactor::PollEvented::new(a).unwrap();
    /// let n = std::future::poll_fn(|cx| a.poll_write_io(cx, |s| std::io::Write::write(&mut &*s, b"x"))).await;
    /// assert_eq!(n.unwrap(), 1);
    /// # });
    /// ```
    pub fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration
            .poll_io(cx, Direction::Write, || f(self.get_ref()))
    }

    /// [`poll_read_io`](Self::poll_read_io) for a stream socket's read of up to `len` bytes;
    /// a short read clears the readiness (see `Registration::poll_stream_io`).
    pub(crate) fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut f: impl FnMut(&E) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.registration
            .poll_stream_io(cx, Direction::Read, len, || f(self.get_ref()))
    }

    /// [`poll_write_io`](Self::poll_write_io) for a stream socket's write of up to `len`
    /// bytes; a short write clears the readiness (see `Registration::poll_stream_io`).
    pub(crate) fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut f: impl FnMut(&E) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.registration
            .poll_stream_io(cx, Direction::Write, len, || f(self.get_ref()))
    }

    /// Runs a read-side operation to completion; see [`poll_read_io`](Self::poll_read_io).
    ///
    /// # Errors
    ///
    /// `f`'s error (unchanged) or the shutdown error.
    ///
    /// # Examples
    ///
    /// See the [type-level example](PollEvented).
    pub async fn read_with<R>(&self, mut f: impl FnMut(&E) -> io::Result<R>) -> io::Result<R> {
        self.registration
            .async_io(Direction::Read, || f(self.get_ref()))
            .await
    }

    /// Runs a write-side operation to completion; see [`poll_write_io`](Self::poll_write_io).
    ///
    /// # Errors
    ///
    /// `f`'s error (unchanged) or the shutdown error.
    ///
    /// # Examples
    ///
    /// See the [type-level example](PollEvented).
    pub async fn write_with<R>(&self, mut f: impl FnMut(&E) -> io::Result<R>) -> io::Result<R> {
        self.registration
            .async_io(Direction::Write, || f(self.get_ref()))
            .await
    }
}

impl<E: Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregister before the descriptor closes (the registration's Drop then frees the
            // slot). An error here means the descriptor is already gone from epoll.
            let _ = self.registration.deregister(&mut io);
        }
    }
}

impl<E: Source + fmt::Debug> fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollEvented").field("io", &self.io).finish()
    }
}

impl<E: Source> AsyncRead for PollEvented<E>
where
    for<'a> &'a E: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_io(cx, |mut io| io.read(buf))
    }
}

impl<E: Source> AsyncWrite for PollEvented<E>
where
    for<'a> &'a E: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_io(cx, |mut io| io.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_io(cx, |mut io| io.write_vectored(bufs))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_io(cx, |mut io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

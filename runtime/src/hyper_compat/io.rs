//! [`HyperIo`]: hyper's `Read`/`Write` over a `futures-io` stream.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncWrite};

/// The most bytes one `poll_read` asks the stream for.
const READ_CHUNK: usize = 64 * 1024;

/// Wraps a `futures-io` stream (`AsyncRead + AsyncWrite`, such as
/// [`TcpStream`](crate::net::TcpStream)) so hyper can use it: `hyper::rt::Read` and
/// `hyper::rt::Write`. It also passes `futures-io` through, so a wrapped stream stays usable
/// as one.
///
/// # Examples
///
/// ```
/// use conductor::hyper_compat::HyperIo;
/// use conductor::net::UnixStream;
/// use std::future::poll_fn;
/// use std::pin::Pin;
///
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = UnixStream::pair()?;
/// let (mut a, mut b) = (HyperIo::new(a), HyperIo::new(b));
/// poll_fn(|cx| hyper::rt::Write::poll_write(Pin::new(&mut a), cx, b"ping")).await?;
/// let mut storage = [0u8; 8];
/// let mut buf = hyper::rt::ReadBuf::new(&mut storage);
/// poll_fn(|cx| hyper::rt::Read::poll_read(Pin::new(&mut b), cx, buf.unfilled())).await?;
/// assert_eq!(buf.filled(), b"ping");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct HyperIo<T> {
    inner: T,
}

impl<T> HyperIo<T> {
    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = conductor::net::UnixStream::pair().unwrap();
    /// let _io = conductor::hyper_compat::HyperIo::new(a);
    /// # });
    /// ```
    pub fn new(inner: T) -> HyperIo<T> {
        HyperIo { inner }
    }

    /// The wrapped stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = conductor::net::UnixStream::pair().unwrap();
    /// let io = conductor::hyper_compat::HyperIo::new(a);
    /// assert!(io.get_ref().peer_addr().is_ok());
    /// # });
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = conductor::net::UnixStream::pair().unwrap();
    /// let mut io = conductor::hyper_compat::HyperIo::new(a);
    /// let _stream: &mut conductor::net::UnixStream = io.get_mut();
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = conductor::net::UnixStream::pair().unwrap();
    /// let _a = conductor::hyper_compat::HyperIo::new(a).into_inner();
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for HyperIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // futures-io reads into initialized memory, so the part we read into is zeroed first
        // (a no-op for bytes hyper already initialized). hyper's spare capacity can be far
        // larger than one read fills; zeroing at most READ_CHUNK bytes keeps small requests
        // from paying for a large memset on every read.
        let want = buf.remaining().min(READ_CHUNK);
        let dst = buf.initialize_unfilled_to(want);
        let n = ready!(Pin::new(&mut self.inner).poll_read(cx, dst))?;
        assert!(
            n <= dst.len(),
            "AsyncRead::poll_read returned more bytes than it was given"
        );
        // SAFETY: `initialize_unfilled` initialized all of the unfilled part and `n` is at most
        // its length (checked above), so the `n` bytes we advance over are initialized.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for HyperIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        // futures-io has no way to ask; conductor's sockets implement `poll_write_vectored`
        // with `writev`, and the trait's default falls back to the first buffer, which is
        // correct (if slower) for any other stream.
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for HyperIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for HyperIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

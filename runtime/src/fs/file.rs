//! [`File`]: a `std::fs::File` driven through the blocking pool.
//!
//! # One operation in flight
//!
//! A `File` is either idle, holding its buffer, or busy: the buffer has moved into a blocking
//! job that reads, writes or seeks, and the `JoinHandle` of that job is kept. Every poll
//! first finishes the job in flight, then starts its own. So:
//!
//! - `poll_write` copies the caller's bytes into the buffer, starts the write and returns at
//!   once; an error of that write is returned by the next write, flush or close (call
//!   [`flush`](futures_util::AsyncWriteExt::flush) before trusting that data reached the OS).
//! - `poll_read` reads up to the caller's length (2 MiB at most) into the buffer and copies
//!   out; bytes read ahead are served by later reads. A write or seek after a partial read
//!   first moves the OS's position back over the bytes read ahead, so the file position seen
//!   by the caller is always the logical one.
//! - Dropping a `File` with a write in flight lets the write finish on the pool.

use std::fmt;
use std::fs::{File as StdFile, Metadata};
use std::future::{Future, poll_fn};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};

use super::{OpenOptions, asyncify, join_error_to_io};
use crate::task::JoinHandle;

/// The most bytes one read or write moves to or from the pool.
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file with async reads, writes and seeks (`futures-io`'s traits), which run on the
/// blocking pool; see [`crate::fs`].
///
/// # Examples
///
/// ```
/// use conductor::fs::File;
/// use conductor::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-file-{}", std::process::id()));
/// let mut f = File::create(&path).await?;
/// f.write_all(b"hello, file").await?;
/// f.flush().await?;
/// drop(f);
///
/// let mut f = File::open(&path).await?;
/// f.seek(SeekFrom::Start(7)).await?;
/// let mut rest = String::new();
/// f.read_to_string(&mut rest).await?;
/// assert_eq!(rest, "file");
/// conductor::fs::remove_file(&path).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct File {
    std: Arc<StdFile>,
    state: State,
    /// The error of a write that `poll_write` had already reported as accepted; returned by
    /// the next write, flush or close.
    last_write_err: Option<io::Error>,
}

enum State {
    /// No job in flight; the buffer (absent only after a cancelled job) may hold bytes read
    /// ahead.
    Idle(Option<Buf>),
    /// The buffer is in a blocking job.
    Busy(JoinHandle<(Op, Buf)>),
}

/// What a finished job did.
enum Op {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
    /// The job never ran (the runtime is shutting down).
    Failed(io::Error),
}

/// The buffer that travels to the pool and back: `data[pos..]` is read ahead, not yet
/// returned to the caller.
#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    pos: usize,
}

impl Buf {
    fn unread(&self) -> usize {
        self.data.len() - self.pos
    }

    fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = self.unread().min(dst.len());
        dst[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }

    /// Forgets the bytes read ahead; how far the OS position is past the logical one.
    fn discard(&mut self) -> i64 {
        let unread = self.unread();
        self.data.clear();
        self.pos = 0;
        // A buffer holds at most MAX_BUF bytes, far below i64::MAX.
        unread as i64
    }
}

impl File {
    /// Opens a file for reading; see [`std::fs::File::open`].
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::open`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let err = conductor::fs::File::open("/surely/not/here").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates (or truncates) a file for writing; see [`std::fs::File::create`].
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::create`].
    ///
    /// # Examples
    ///
    /// See [`File`].
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Wraps an open `std::fs::File`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-fstd-{}", std::process::id()));
    /// let f = conductor::fs::File::from_std(std::fs::File::create(&path)?);
    /// assert_eq!(f.metadata().await?.len(), 0);
    /// conductor::fs::remove_file(&path).await?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(std: StdFile) -> File {
        File {
            std: Arc::new(std),
            state: State::Idle(Some(Buf::default())),
            last_write_err: None,
        }
    }

    /// Finishes the operation in flight and returns the `std::fs::File`, positioned where
    /// this `File`'s caller left off.
    ///
    /// # Errors
    ///
    /// The error of a write still unreported, or of moving the position back over bytes
    /// read ahead.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-istd-{}", std::process::id()));
    /// let f = conductor::fs::File::create(&path).await?;
    /// let _std: std::fs::File = f.into_std().await?;
    /// conductor::fs::remove_file(&path).await?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn into_std(mut self) -> io::Result<StdFile> {
        self.settle().await?;
        let std = self.std.clone();
        drop(self);
        match Arc::try_unwrap(std) {
            Ok(std) => Ok(std),
            // A `metadata` future dropped mid-flight can leave its blocking job holding the
            // file a little longer: hand back a duplicate descriptor (same open file, same
            // position) instead of waiting for it.
            Err(shared) => shared.try_clone(),
        }
    }

    /// Metadata of the open file; see [`std::fs::File::metadata`]. A write still in flight
    /// may not be counted in its length: [`flush`](futures_util::AsyncWriteExt::flush) first.
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::metadata`].
    ///
    /// # Examples
    ///
    /// See [`from_std`](Self::from_std).
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// Flushes writes in flight, then `fsync`s data and metadata; see
    /// [`std::fs::File::sync_all`].
    ///
    /// # Errors
    ///
    /// A pending write's error, or `sync_all`'s.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor::io::AsyncWriteExt;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-sync-{}", std::process::id()));
    /// let mut f = conductor::fs::File::create(&path).await?;
    /// f.write_all(b"durable").await?;
    /// f.sync_all().await?;
    /// assert_eq!(f.metadata().await?.len(), 7);
    /// conductor::fs::remove_file(&path).await?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// Like [`sync_all`](Self::sync_all), without syncing metadata that reading does not
    /// need; see [`std::fs::File::sync_data`].
    ///
    /// # Errors
    ///
    /// A pending write's error, or `sync_data`'s.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-sd-{}", std::process::id()));
    /// let mut f = conductor::fs::File::create(&path).await?;
    /// f.sync_data().await?;
    /// conductor::fs::remove_file(&path).await?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn sync_data(&mut self) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }

    /// Truncates or extends the file to `size` bytes, after writes in flight; see
    /// [`std::fs::File::set_len`]. The position does not move.
    ///
    /// # Errors
    ///
    /// A pending write's error, or `set_len`'s (the file is not open for writing, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("conductor-doc-len-{}", std::process::id()));
    /// let mut f = conductor::fs::File::create(&path).await?;
    /// f.set_len(100).await?;
    /// assert_eq!(f.metadata().await?.len(), 100);
    /// conductor::fs::remove_file(&path).await?;
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.set_len(size)).await
    }

    /// Finishes the job in flight (reporting an unreported write error) and moves the OS
    /// position back over bytes read ahead, leaving the `File` idle with an empty buffer.
    async fn settle(&mut self) -> io::Result<()> {
        poll_fn(|cx| Pin::new(&mut *self).poll_flush(cx)).await?;
        let back = match &mut self.state {
            State::Idle(Some(buf)) => buf.discard(),
            _ => 0,
        };
        if back > 0 {
            let std = self.std.clone();
            asyncify(move || (&*std).seek(SeekFrom::Current(-back))).await?;
        }
        Ok(())
    }

    /// Waits for the job in flight; the state is idle afterwards.
    fn poll_finish(&mut self, cx: &mut Context<'_>) -> Poll<Op> {
        let State::Busy(job) = &mut self.state else {
            unreachable!("poll_finish is only called while busy");
        };
        let done = ready!(Pin::new(job).poll(cx));
        Poll::Ready(match done {
            Ok((op, buf)) => {
                self.state = State::Idle(Some(buf));
                op
            }
            Err(e) => {
                self.state = State::Idle(None);
                Op::Failed(join_error_to_io(e))
            }
        })
    }

    fn start(&mut self, job: impl FnOnce(&StdFile) -> (Op, Buf) + Send + 'static) {
        let std = self.std.clone();
        self.state = State::Busy(crate::task::spawn_blocking(move || job(&std)));
    }

    fn take_buf(&mut self) -> Buf {
        match &mut self.state {
            State::Idle(buf) => buf.take().unwrap_or_default(),
            State::Busy(_) => unreachable!("the buffer is taken only while idle"),
        }
    }
}

/// Retries a read interrupted by a signal.
fn read_retrying(mut file: &StdFile, dst: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(dst) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            res => return res,
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            if let State::Idle(Some(buf)) = &mut this.state {
                if buf.unread() > 0 {
                    return Poll::Ready(Ok(buf.copy_to(dst)));
                }
            }
            if matches!(this.state, State::Idle(_)) {
                if dst.is_empty() {
                    return Poll::Ready(Ok(0));
                }
                let mut buf = this.take_buf();
                buf.data.clear();
                buf.data.resize(dst.len().min(MAX_BUF), 0);
                buf.pos = 0;
                this.start(move |file| {
                    let res = read_retrying(file, &mut buf.data);
                    buf.data.truncate(*res.as_ref().unwrap_or(&0));
                    (Op::Read(res), buf)
                });
            }
            match ready!(this.poll_finish(cx)) {
                Op::Read(Ok(0)) => return Poll::Ready(Ok(0)), // end of file
                Op::Read(Ok(_)) | Op::Write(Ok(())) | Op::Seek(_) => {}
                Op::Read(Err(e)) | Op::Failed(e) => return Poll::Ready(Err(e)),
                // A write accepted earlier failed: report it at the next write or flush.
                Op::Write(Err(e)) => this.last_write_err = Some(e),
            }
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            if matches!(this.state, State::Idle(_)) {
                if let Some(e) = this.last_write_err.take() {
                    return Poll::Ready(Err(e));
                }
                if src.is_empty() {
                    return Poll::Ready(Ok(0));
                }
                let mut buf = this.take_buf();
                let back = buf.discard();
                let n = src.len().min(MAX_BUF);
                buf.data.extend_from_slice(&src[..n]);
                this.start(move |mut file| {
                    let res = (|| {
                        if back > 0 {
                            file.seek(SeekFrom::Current(-back))?;
                        }
                        file.write_all(&buf.data)
                    })();
                    buf.data.clear();
                    (Op::Write(res), buf)
                });
                return Poll::Ready(Ok(n));
            }
            match ready!(this.poll_finish(cx)) {
                Op::Read(_) | Op::Seek(_) | Op::Write(Ok(())) => {}
                Op::Write(Err(e)) | Op::Failed(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.last_write_err.take() {
            return Poll::Ready(Err(e));
        }
        if matches!(this.state, State::Idle(_)) {
            return Poll::Ready(Ok(()));
        }
        Poll::Ready(match ready!(this.poll_finish(cx)) {
            Op::Write(res) => res,
            Op::Failed(e) => Err(e),
            Op::Read(_) | Op::Seek(_) => Ok(()),
        })
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    /// Seeks after the job in flight. If the future driving this is dropped after the seek
    /// started, the seek still happens and its result is dropped.
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        loop {
            if matches!(this.state, State::Idle(_)) {
                let mut buf = this.take_buf();
                let back = buf.discard();
                // The OS position is `back` bytes past the caller's: a relative seek is
                // relative to the caller's.
                let pos = match pos {
                    SeekFrom::Current(delta) => SeekFrom::Current(delta - back),
                    other => other,
                };
                this.start(move |mut file| (Op::Seek(file.seek(pos)), buf));
            }
            match ready!(this.poll_finish(cx)) {
                Op::Seek(res) => return Poll::Ready(res),
                Op::Failed(e) => return Poll::Ready(Err(e)),
                Op::Read(_) | Op::Write(Ok(())) => {}
                Op::Write(Err(e)) => this.last_write_err = Some(e),
            }
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("std", &self.std)
            .field("busy", &matches!(self.state, State::Busy(_)))
            .finish()
    }
}

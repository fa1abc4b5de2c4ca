//! [`Registration`]: one source's token and readiness, and the edge-triggered I/O loop.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::error;
use crate::handle::Handle;
use crate::readiness::{Direction, Interest, Ready};
use crate::scheduled_io::{ReadyEvent, ScheduledIo};
use crate::sync::Arc;

/// A source registered with a reactor. Dropping it frees its slot (the owner deregisters
/// the source from mio first, while the descriptor is still open).
#[derive(Debug)]
pub(crate) struct Registration {
    handle: Handle,
    token: mio::Token,
    shared: Arc<ScheduledIo>,
}

/// Slices one vectored call passes to the kernel, at most: std caps `readv`/`writev` at Linux's
/// `UIO_MAXIOV`, so a call with more slices moves only the first 1024 and comes back short
/// with room (or data) left.
const MAX_IOV: usize = 1024;

/// The length to give [`Registration::poll_stream_io`] for a vectored call: the bytes of all
/// `count` slices, or 0 (never counts as short, so readiness is not cleared) when std would
/// pass only part of them.
pub(crate) fn vectored_len(lens: impl Iterator<Item = usize>, count: usize) -> usize {
    if count > MAX_IOV { 0 } else { lens.sum() }
}

impl Registration {
    pub(crate) fn new(
        source: &mut impl mio::event::Source,
        interest: Interest,
        handle: Handle,
    ) -> io::Result<Registration> {
        let (token, shared) = handle.register(source, interest.to_mio())?;
        Ok(Registration {
            handle,
            token,
            shared,
        })
    }

    /// Removes the source from mio's registry; call before closing it.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.inner.registry.deregister(source)
    }

    /// Ready in `direction` (spending one unit of the task's budget), or `Pending` with the
    /// task's waker stored. After shutdown: the shutdown error.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        budgeted(cx, |cx| self.shared.poll_ready(cx, direction))
    }

    /// Waits until `direction` is ready (spending one unit of the task's budget). Unlike
    /// [`poll_ready`](Self::poll_ready), each wait has its own waiter entry, so any number of
    /// tasks may wait on one source at once.
    pub(crate) async fn readiness(&self, direction: Direction) -> io::Result<ReadyEvent> {
        let mut wait = self.shared.readiness(direction);
        poll_fn(|cx| budgeted(cx, |cx| Pin::new(&mut wait).poll(cx))).await
    }

    pub(crate) fn clear_readiness(&self, event: ReadyEvent, direction: Direction) {
        self.shared.clear_readiness(event, direction);
    }

    /// Runs `f` until it does not return `WouldBlock`, waiting for readiness in between.
    /// Any other result, error included, is returned unchanged.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, direction))?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event, direction)
                }
                res => return Poll::Ready(res),
            }
        }
    }

    /// [`poll_io`](Self::poll_io) for a byte-stream read or write of up to `len` bytes. A
    /// transfer shorter than asked, but not empty, means the socket's buffer was drained (a
    /// read) or filled (a write) at that moment, so the readiness is cleared right away: the
    /// next operation waits for the next event instead of making a call that would only
    /// return `WouldBlock`.
    ///
    /// Only for sockets whose short transfers mean exactly that (TCP and Unix streams, under
    /// edge-triggered epoll); a tty, say, returns one line per read and would hang. (As in
    /// tokio, which does the same: TCP urgent data and Unix ancillary data also end a read
    /// early; see `docs/architecture.md`.) The clear
    /// is the tick-checked one of the `WouldBlock` path, so an event that arrived since the
    /// readiness was seen is kept. A `len` of 0 never counts as short (see [`vectored_len`]).
    pub(crate) fn poll_stream_io(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        len: usize,
        mut f: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(self.poll_ready(cx, direction))?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event, direction)
                }
                Ok(n) if n > 0 && n < len => {
                    // Only the plain readable/writable bit: an error stays for the next call
                    // to report (closed states are never cleared).
                    let plain = match direction {
                        Direction::Read => Ready::READABLE,
                        Direction::Write => Ready::WRITABLE,
                    };
                    self.clear_readiness(event.only(plain), direction);
                    return Poll::Ready(Ok(n));
                }
                res => return Poll::Ready(res),
            }
        }
    }

    /// Tries `f` once if `direction` is ready now, without waiting; `WouldBlock` otherwise.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let Some(event) = self.shared.ready_now(direction) else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        if event.is_shutdown {
            return Err(error::shutdown_error());
        }
        let res = f();
        if matches!(&res, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.clear_readiness(event, direction);
        }
        res
    }

    /// Waits for readiness, runs `f`, and retries on `WouldBlock`; each wait has its own
    /// waiter entry (see [`readiness`](Self::readiness)).
    pub(crate) async fn async_io<R>(
        &self,
        direction: Direction,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(direction).await?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event, direction)
                }
                res => return res,
            }
        }
    }
}

/// A readiness poll that spends one unit of the task's cooperative budget when it completes
/// (and gives it back when it is `Pending`), and turns the shutdown event into its error.
fn budgeted(
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<ReadyEvent>,
) -> Poll<io::Result<ReadyEvent>> {
    let coop = ready!(conductor_coop::poll_proceed(cx));
    let event = ready!(poll(cx));
    if event.is_shutdown {
        return Poll::Ready(Err(error::shutdown_error()));
    }
    coop.made_progress();
    Poll::Ready(Ok(event))
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.handle.remove(self.token);
    }
}

#[cfg(all(test, not(conductor_loom)))]
mod tests {
    use super::*;
    use crate::Driver;
    use std::io::{Read, Write};
    use std::task::Waker;

    /// A short read clears the readiness at once (no `WouldBlock` call needed), a full one
    /// keeps it, and data written afterwards makes the source ready again.
    #[test]
    fn short_stream_read_clears_readiness_and_a_new_event_restores_it() {
        let mut driver = Driver::new().unwrap();
        let (mut a, b) = mio::net::UnixStream::pair().unwrap();
        let reg = Registration::new(&mut a, Interest::READABLE, driver.handle()).unwrap();
        let mut cx = Context::from_waker(Waker::noop());
        let mut calls = 0;
        let read = |buf: &mut [u8], cx: &mut Context<'_>, calls: &mut u32| {
            reg.poll_stream_io(cx, Direction::Read, buf.len(), || {
                *calls += 1;
                (&a).read(buf)
            })
        };

        (&b).write_all(b"abcdef").unwrap();
        driver.turn(Some(std::time::Duration::ZERO)).unwrap();
        // Full read (4 of 4): readiness stays, more may be queued.
        let mut buf = [0u8; 4];
        assert!(matches!(
            read(&mut buf, &mut cx, &mut calls),
            Poll::Ready(Ok(4))
        ));
        assert!(reg.shared.ready_now(Direction::Read).is_some());
        // Short read (2 of 4): the buffer is drained, readiness cleared, one call made.
        assert!(matches!(
            read(&mut buf, &mut cx, &mut calls),
            Poll::Ready(Ok(2))
        ));
        assert_eq!(calls, 2);
        assert!(reg.shared.ready_now(Direction::Read).is_none());
        assert!(read(&mut buf, &mut cx, &mut calls).is_pending());
        assert_eq!(calls, 2, "no read is tried without readiness");

        (&b).write_all(b"gh").unwrap();
        driver.turn(Some(std::time::Duration::ZERO)).unwrap();
        assert!(matches!(
            read(&mut buf, &mut cx, &mut calls),
            Poll::Ready(Ok(2))
        ));
        assert_eq!(&buf[..2], b"gh");
        reg.deregister(&mut a).unwrap();
    }
}

//! [`Registration`]: one source's token and readiness, and the edge-triggered I/O loop.

use std::future::poll_fn;
use std::io;
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
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let event = ready!(self.shared.poll_ready(cx, direction));
        if event.is_shutdown {
            return Poll::Ready(Err(error::shutdown_error()));
        }
        coop.made_progress();
        Poll::Ready(Ok(event))
    }

    /// Waits until `direction` is ready.
    pub(crate) async fn readiness(&self, direction: Direction) -> io::Result<ReadyEvent> {
        poll_fn(|cx| self.poll_ready(cx, direction)).await
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

    /// [`poll_io`](Self::poll_io) for a stream read of `len` bytes. A read that returns
    /// fewer bytes than asked, but some, drained the socket's receive queue at that moment,
    /// so the readable readiness is cleared at once and the next read waits for a new event
    /// instead of making a `read` syscall that would only return `WouldBlock`. The event's
    /// tick guards the clear: data that arrived since makes a newer event, which stands.
    /// Error and closed readiness are never cleared this way.
    ///
    /// Linux and Android only, where TCP and Unix stream reads are known to copy until the
    /// buffer is full or the queue is empty; elsewhere this is plain `poll_io`.
    pub(crate) fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut f: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(self.poll_ready(cx, Direction::Read))?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event, Direction::Read)
                }
                #[cfg(any(target_os = "linux", target_os = "android"))]
                Ok(n) if n > 0 && n < len => {
                    self.clear_readiness(event.only(Ready::READABLE), Direction::Read);
                    return Poll::Ready(Ok(n));
                }
                res => {
                    let _ = len; // used on Linux and Android only
                    return Poll::Ready(res);
                }
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

    /// Waits for readiness, runs `f`, and retries on `WouldBlock`.
    pub(crate) async fn async_io<R>(
        &self,
        direction: Direction,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        poll_fn(|cx| self.poll_io(cx, direction, &mut f)).await
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.handle.remove(self.token);
    }
}

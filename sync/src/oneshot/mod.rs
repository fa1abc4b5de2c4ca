//! A channel for one value: [`channel`] returns a [`Sender`] that sends once and a [`Receiver`]
//! that is a future of that value.
//!
//! ```
//! # futures::executor::block_on(async {
//! let (tx, rx) = conductor_sync::oneshot::channel();
//! std::thread::spawn(move || tx.send("done").unwrap());
//! assert_eq!(rx.await, Ok("done"));
//! # });
//! ```
//!
//! # Design
//!
//! One allocation holds the value cell, one waker cell per side and a state word (see
//! `state.rs` for the bits). No lock: each cell has one owner at a time, handed over by a bit
//! of the state word.
//!
//! - `value`: the sender writes it while `COMPLETE` is clear and publishes it by setting
//!   `COMPLETE | VALUE`, which fails if `RX_CLOSED` was set first (then the sender takes its
//!   value back). The receiver touches it only after it saw `COMPLETE | VALUE`.
//! - `rx_waker`: the receiver writes it while `RX_WAKER` is clear and then sets the bit; the
//!   sender reads it only if `RX_WAKER` was set in the transition that set `COMPLETE`. To
//!   replace its waker the receiver first clears the bit; if the state it cleared already had
//!   `COMPLETE`, the sender may be reading the cell, so the receiver leaves it alone and takes
//!   the result instead.
//! - `tx_waker`: the same protocol with the sides swapped (`TX_WAKER`, `RX_CLOSED`).
//!
//! # Cancel safety
//!
//! Dropping the [`Receiver`] drops a value that was already sent; a value not yet sent is
//! handed back to the sender by [`Sender::send`]. Nothing is lost silently or dropped twice.

mod error;
mod state;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use crate::loom_facade::{Arc, UnsafeCell};

pub use error::{RecvError, TryRecvError};
use state::{COMPLETE, RX_CLOSED, RX_WAKER, State, TX_WAKER, VALUE};

/// Creates a oneshot channel.
///
/// ```
/// let (tx, mut rx) = conductor_sync::oneshot::channel();
/// tx.send(7).unwrap();
/// assert_eq!(rx.try_recv(), Ok(7));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: State::new(),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

struct Inner<T> {
    state: State,
    value: UnsafeCell<Option<T>>,
    rx_waker: UnsafeCell<Option<Waker>>,
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are only accessed as the state word's protocol allows (module docs): one
// side at a time writes each cell, and a cell is only read by the side its bit hands it to.
// The value moves between threads, so `T: Send` is required, and nothing hands out `&T`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as for `Send`; shared access never yields a `&T` to two threads.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// Stores `waker` in `cell`, guarded by `bit`, unless `done` is set. Returns `false` if
    /// `done` was set first (the caller should look at the result instead of waiting).
    ///
    /// # Safety
    ///
    /// - Only the side owning `cell` calls this, never concurrently with itself.
    unsafe fn register(
        &self,
        cell: &UnsafeCell<Option<Waker>>,
        bit: usize,
        done: usize,
        waker: &Waker,
    ) -> bool {
        let cur = self.state.load();
        if cur.0 & done != 0 {
            return false;
        }
        if cur.has(bit) {
            // SAFETY: reading while the bit is set is allowed to both sides (shared access).
            let same = cell.with(|w| unsafe { &*w }.as_ref().is_some_and(|w| w.will_wake(waker)));
            if same {
                return true;
            }
            if self.state.clear(bit).0 & done != 0 {
                // The other side finished while the bit was set: it may be reading the cell.
                return false;
            }
        }
        // SAFETY: the bit is clear, so the other side will not read the cell until we set it
        // again, and the contract makes us its only writer.
        cell.with_mut(|w| unsafe { *w = Some(waker.clone()) });
        self.state.set(bit).0 & done == 0
    }
}

/// Wakes the waker in `cell` without taking it.
///
/// # Safety
///
/// - The caller saw the cell's bit set in the transition that ended the other side's right
///   to write it (`COMPLETE` for `rx_waker`, `RX_CLOSED` for `tx_waker`).
unsafe fn wake_cell(cell: &UnsafeCell<Option<Waker>>) {
    cell.with(|w| {
        // SAFETY: per this function's contract the other side no longer writes the cell,
        // and the bit's release/acquire pair made its last write visible.
        if let Some(w) = unsafe { &*w } {
            w.wake_by_ref();
        }
    });
}

/// Sends the channel's one value. Dropping it without sending makes the receiver return
/// [`RecvError`].
///
/// ```
/// let (tx, rx) = conductor_sync::oneshot::channel::<u32>();
/// drop(rx);
/// assert_eq!(tx.send(1), Err(1), "the value comes back when nobody can receive it");
/// ```
pub struct Sender<T> {
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, consuming the sender. Returns the value back in `Err` if the receiver was
    /// dropped or closed.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::oneshot::channel();
    /// tx.send("hi").unwrap();
    /// assert_eq!(futures::executor::block_on(rx), Ok("hi"));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self
            .inner
            .take()
            .expect("a Sender always holds its channel until send");
        // SAFETY: COMPLETE is clear (we are the sender and have not finished), so the receiver
        // does not touch `value`; only this sender writes it.
        inner.value.with_mut(|v| unsafe { *v = Some(value) });
        match inner.state.complete_with_value() {
            Ok(prev) => {
                if prev.has(RX_WAKER) {
                    // SAFETY: RX_WAKER was set in the transition that set COMPLETE.
                    unsafe { wake_cell(&inner.rx_waker) };
                }
                Ok(())
            }
            Err(_) => {
                // SAFETY: COMPLETE was never set, so the receiver never read `value`.
                let value = inner.value.with_mut(|v| unsafe { (*v).take() });
                Err(value.expect("the value written above"))
            }
        }
    }

    /// Whether the receiver was dropped or closed: a send would fail.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner().state.load().has(RX_CLOSED)
    }

    /// Polls for the receiver closing: `Ready` once it was dropped or closed.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// let (mut tx, rx) = conductor_sync::oneshot::channel::<()>();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(tx.poll_closed(&mut cx).is_pending());
    /// drop(rx);
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Ready(()));
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let inner = self.inner();
        // SAFETY: only the sender writes `tx_waker`, and `&mut self` excludes a concurrent call.
        let waiting = unsafe { inner.register(&inner.tx_waker, TX_WAKER, RX_CLOSED, cx.waker()) };
        if waiting {
            Poll::Pending
        } else {
            coop.made_progress();
            Poll::Ready(())
        }
    }

    /// Waits until the receiver is dropped or closed, for example to stop computing a value
    /// nobody wants. Cancel-safe.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (mut tx, rx) = conductor_sync::oneshot::channel::<()>();
    /// std::thread::spawn(move || drop(rx));
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    fn inner(&self) -> &Inner<T> {
        self.inner
            .as_ref()
            .expect("a Sender always holds its channel until send")
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let prev = inner.state.set(COMPLETE);
            if prev.has(RX_WAKER) {
                // SAFETY: RX_WAKER was set in the transition that set COMPLETE.
                unsafe { wake_cell(&inner.rx_waker) };
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

/// Receives the channel's value: await it (a `Future` of `Result<T, RecvError>`), or use
/// [`try_recv`](Self::try_recv) or [`blocking_recv`](Self::blocking_recv).
///
/// Awaiting is cancel-safe: dropping an unfinished await (for example in a `select`) loses
/// nothing, as long as the receiver itself is kept; awaiting it again gets the value.
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, rx) = conductor_sync::oneshot::channel();
/// tx.send(1u8).unwrap();
/// assert_eq!(rx.await, Ok(1));
/// # });
/// ```
pub struct Receiver<T> {
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if the sender may still send, [`TryRecvError::Closed`] if no
    /// value will come (or it was already taken).
    ///
    /// ```
    /// use conductor_sync::oneshot::{self, TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = self.inner.as_ref() else {
            return Err(TryRecvError::Closed);
        };
        let state = inner.state.load();
        if state.has(COMPLETE) {
            let out = self.take_result().map_err(|_| TryRecvError::Closed);
            return out;
        }
        if state.has(RX_CLOSED) {
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// Closes the channel without dropping the receiver: a later send fails and hands its
    /// value back, and a value sent before is still received.
    ///
    /// ```
    /// let (tx, mut rx) = conductor_sync::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(5), Err(5));
    /// assert!(rx.try_recv().is_err());
    /// ```
    pub fn close(&mut self) {
        if let Some(inner) = self.inner.as_ref() {
            let prev = inner.state.set(RX_CLOSED);
            if prev.has(TX_WAKER) && !prev.has(COMPLETE) && !prev.has(RX_CLOSED) {
                // SAFETY: TX_WAKER was set in the transition that set RX_CLOSED.
                unsafe { wake_cell(&inner.tx_waker) };
            }
        }
    }

    /// Waits for the value on the calling thread, blocking it. For synchronous code only:
    /// calling it from async code blocks a worker thread.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender was dropped without sending.
    ///
    /// ```
    /// let (tx, rx) = conductor_sync::oneshot::channel();
    /// std::thread::spawn(move || tx.send(9).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(9));
    /// ```
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::block_on::block_on(self)
    }

    /// After COMPLETE was seen: the value if one was sent. Ends the receiver's use of the
    /// channel.
    fn take_result(&mut self) -> Result<T, RecvError> {
        let inner = self.inner.take().expect("checked by the caller");
        let state = inner.state.load();
        debug_assert!(state.has(COMPLETE));
        if state.has(VALUE) {
            // SAFETY: COMPLETE | VALUE was seen (Acquire): the sender wrote `value` and
            // touches it no more; the receiver owns it now.
            let value = inner.value.with_mut(|v| unsafe { (*v).take() });
            value.ok_or(RecvError)
        } else {
            Err(RecvError)
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let inner = this.inner.as_ref().expect(error::POLLED_AFTER_COMPLETE);
        // SAFETY: only the receiver writes `rx_waker`, and `&mut self` excludes a concurrent
        // call.
        let waiting =
            unsafe { inner.register(&inner.rx_waker, RX_WAKER, COMPLETE | RX_CLOSED, cx.waker()) };
        if waiting {
            return Poll::Pending;
        }
        coop.made_progress();
        if inner.state.load().has(COMPLETE) {
            Poll::Ready(this.take_result())
        } else {
            // Closed by `close()` with nothing sent.
            this.inner = None;
            Poll::Ready(Err(RecvError))
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.as_ref() {
            let prev = inner.state.set(RX_CLOSED);
            if prev.has(TX_WAKER) && !prev.has(COMPLETE) && !prev.has(RX_CLOSED) {
                // SAFETY: TX_WAKER was set in the transition that set RX_CLOSED.
                unsafe { wake_cell(&inner.tx_waker) };
            }
            if prev.has(COMPLETE | VALUE) {
                // SAFETY: COMPLETE | VALUE was seen: the receiver owns `value`. Dropped here,
                // with the receiver, rather than whenever the last reference goes.
                drop(inner.value.with_mut(|v| unsafe { (*v).take() }));
            }
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver").finish_non_exhaustive()
    }
}

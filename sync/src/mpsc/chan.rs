//! The state both mpsc flavours share: the buffered values, the capacity accounting, the
//! receiver's waker and the senders waiting for room, all under one short lock.
//!
//! # Capacity
//!
//! `in_use` counts the buffered values plus the permits handed out and not yet used. A sender
//! may take a permit when `in_use < bound` and nobody is waiting. When a permit comes back (a
//! value received, a permit dropped unused), it goes straight to the oldest waiting sender,
//! whose id moves to `granted`: a newcomer cannot overtake it, so waiting senders proceed in
//! FIFO order, and a waiter dropped after its grant passes the permit on. The unbounded flavour
//! is the same channel with `bound == usize::MAX`.
//!
//! # Locking
//!
//! Every operation takes the lock once and releases it before waking anyone or dropping a
//! value (a waker or a `Drop` may run code that uses this channel).

use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use crate::loom_facade::{AtomicUsize, Mutex, MutexGuard, Ordering};
use crate::waiters::{WaitList, WakeList};

use super::error::{SendError, TryRecvError, TrySendError};

pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
    /// Live senders (strong). Dropping the last one closes the sending side.
    tx_count: AtomicUsize,
    bound: usize,
}

struct State<T> {
    queue: VecDeque<T>,
    /// Buffered values plus outstanding permits; never above `bound`.
    in_use: usize,
    rx_waker: Option<Waker>,
    /// `close()` or the receiver dropped: no new permits, waiting senders fail.
    rx_closed: bool,
    /// Every sender dropped.
    tx_closed: bool,
    /// Senders waiting for a permit, oldest first.
    send_waiters: WaitList,
    /// Ids of waiters that were handed a permit and have not yet picked it up.
    granted: Vec<u64>,
    /// `Sender::closed()` futures.
    closed_waiters: WaitList,
}

impl<T> Chan<T> {
    pub(super) fn new(bound: usize) -> Self {
        Chan {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                in_use: 0,
                rx_waker: None,
                rx_closed: false,
                tx_closed: false,
                send_waiters: WaitList::new(),
                granted: Vec::new(),
                closed_waiters: WaitList::new(),
            }),
            tx_count: AtomicUsize::new(1),
            bound,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock()
    }

    pub(super) fn bound(&self) -> usize {
        self.bound
    }

    // ----- senders -----------------------------------------------------------------------

    pub(super) fn tx_inc(&self) {
        // Relaxed: the caller holds a sender, so the count is already above zero and cannot
        // reach zero concurrently (the `Arc` increment rule).
        self.tx_count.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a sender only if one is still alive (`WeakSender::upgrade`).
    pub(super) fn tx_try_inc(&self) -> bool {
        // Acquire on success pairs with the decrement to zero being AcqRel: once zero, it
        // stays zero, and the CAS never resurrects a closed side.
        let mut cur = self.tx_count.load(Ordering::Acquire);
        while cur != 0 {
            match self.tx_count.compare_exchange_weak(
                cur,
                cur + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
        false
    }

    pub(super) fn tx_count(&self) -> usize {
        self.tx_count.load(Ordering::Acquire)
    }

    pub(super) fn tx_dec(&self) {
        // AcqRel: the last sender must see every send made through the others before it
        // closes the side (the `Arc` decrement rule); the close itself is under the lock.
        if self.tx_count.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let waker = {
            let mut st = self.lock();
            st.tx_closed = true;
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Takes a permit if one is free; registers `waiter` otherwise. `Err` when the receiver
    /// is closed (and no permit was granted to this waiter before).
    fn acquire_locked(
        st: &mut State<T>,
        bound: usize,
        waiter: &mut Option<u64>,
        waker: &Waker,
    ) -> Poll<Result<(), ()>> {
        if let Some(id) = *waiter {
            if let Some(pos) = st.granted.iter().position(|g| *g == id) {
                st.granted.swap_remove(pos);
                *waiter = None;
                return Poll::Ready(Ok(()));
            }
        }
        if st.rx_closed {
            if let Some(id) = waiter.take() {
                st.send_waiters.remove(id);
            }
            return Poll::Ready(Err(()));
        }
        if waiter.is_none() && st.in_use < bound && st.send_waiters.is_empty() {
            st.in_use += 1;
            return Poll::Ready(Ok(()));
        }
        st.send_waiters.register(waiter, waker);
        Poll::Pending
    }

    /// Gives `n` permits back and hands them to waiting senders, oldest first.
    fn release_locked(st: &mut State<T>, bound: usize, n: usize, wakes: &mut WakeList) {
        st.in_use -= n;
        while st.in_use < bound {
            let Some((id, w)) = st.send_waiters.pop_front() else {
                break;
            };
            st.in_use += 1;
            st.granted.push(id);
            wakes.push(w);
        }
        if st.rx_closed && st.in_use == 0 {
            // The receiver may be waiting for the last outstanding permit to end.
            if let Some(w) = st.rx_waker.take() {
                wakes.push(w);
            }
        }
    }

    /// The `reserve` future's poll: a permit, or `Err` when the receiver is closed.
    pub(super) fn poll_acquire(
        &self,
        waiter: &mut Option<u64>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), ()>> {
        let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
        let out = Self::acquire_locked(&mut self.lock(), self.bound, waiter, cx.waker());
        if out.is_ready() {
            coop.made_progress();
        }
        out
    }

    /// The `send` future's poll: acquires and pushes under one lock.
    pub(super) fn poll_send(
        &self,
        waiter: &mut Option<u64>,
        value: &mut Option<T>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
        let mut st = self.lock();
        match Self::acquire_locked(&mut st, self.bound, waiter, cx.waker()) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(())) => {
                drop(st);
                coop.made_progress();
                let v = value.take().expect("send future polled after completion");
                return Poll::Ready(Err(SendError(v)));
            }
            Poll::Ready(Ok(())) => {}
        }
        coop.made_progress();
        let v = value.take().expect("send future polled after completion");
        Poll::Ready(self.push_permitted(st, v))
    }

    /// Pushes a value for a permit already counted in `in_use`. If the receiver closed in the
    /// meantime, gives the permit back and returns the value.
    pub(super) fn send_permitted(&self, value: T) -> Result<(), SendError<T>> {
        self.push_permitted(self.lock(), value)
    }

    fn push_permitted(
        &self,
        mut st: MutexGuard<'_, State<T>>,
        value: T,
    ) -> Result<(), SendError<T>> {
        if st.rx_closed {
            let mut wakes = WakeList::default();
            Self::release_locked(&mut st, self.bound, 1, &mut wakes);
            drop(st);
            wakes.wake();
            return Err(SendError(value));
        }
        st.queue.push_back(value);
        let waker = st.rx_waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    pub(super) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut st = self.lock();
        if st.rx_closed {
            return Err(TrySendError::Closed(value));
        }
        if st.in_use >= self.bound || !st.send_waiters.is_empty() {
            return Err(TrySendError::Full(value));
        }
        st.in_use += 1;
        self.push_permitted(st, value)
            .map_err(|e| TrySendError::Closed(e.0))
    }

    /// Takes a permit without waiting (`try_reserve`).
    pub(super) fn try_acquire(&self) -> Result<(), TrySendError<()>> {
        let mut st = self.lock();
        if st.rx_closed {
            return Err(TrySendError::Closed(()));
        }
        if st.in_use >= self.bound || !st.send_waiters.is_empty() {
            return Err(TrySendError::Full(()));
        }
        st.in_use += 1;
        Ok(())
    }

    /// A permit dropped unused.
    pub(super) fn release(&self, n: usize) {
        let mut wakes = WakeList::default();
        Self::release_locked(&mut self.lock(), self.bound, n, &mut wakes);
        wakes.wake();
    }

    /// A waiting `send`/`reserve` future was dropped: remove it, or pass on its grant.
    pub(super) fn cancel_acquire(&self, id: u64) {
        let mut wakes = WakeList::default();
        {
            let mut st = self.lock();
            if let Some(pos) = st.granted.iter().position(|g| *g == id) {
                st.granted.swap_remove(pos);
                Self::release_locked(&mut st, self.bound, 1, &mut wakes);
            } else {
                st.send_waiters.remove(id);
            }
        }
        wakes.wake();
    }

    pub(super) fn is_closed(&self) -> bool {
        self.lock().rx_closed
    }

    pub(super) fn capacity(&self) -> usize {
        self.bound - self.lock().in_use
    }

    pub(super) fn poll_closed(&self, waiter: &mut Option<u64>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
        let mut st = self.lock();
        if st.rx_closed {
            if let Some(id) = waiter.take() {
                st.closed_waiters.remove(id);
            }
            coop.made_progress();
            return Poll::Ready(());
        }
        st.closed_waiters.register(waiter, cx.waker());
        Poll::Pending
    }

    pub(super) fn cancel_closed(&self, id: u64) {
        self.lock().closed_waiters.remove(id);
    }

    // ----- receiver ----------------------------------------------------------------------

    /// Whether nothing more can arrive: the queue is empty and either every sender is gone
    /// or the receiver closed and no permit is outstanding.
    fn finished(st: &State<T>) -> bool {
        st.queue.is_empty() && (st.tx_closed || (st.rx_closed && st.in_use == 0))
    }

    pub(super) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
        let mut st = self.lock();
        if let Some(v) = st.queue.pop_front() {
            let mut wakes = WakeList::default();
            Self::release_locked(&mut st, self.bound, 1, &mut wakes);
            drop(st);
            wakes.wake();
            coop.made_progress();
            return Poll::Ready(Some(v));
        }
        if Self::finished(&st) {
            coop.made_progress();
            return Poll::Ready(None);
        }
        match &mut st.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    pub(super) fn poll_recv_many(
        &self,
        buf: &mut Vec<T>,
        limit: usize,
        cx: &mut Context<'_>,
    ) -> Poll<usize> {
        let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
        let mut st = self.lock();
        let n = st.queue.len().min(limit);
        if n > 0 {
            buf.extend(st.queue.drain(..n));
            let mut wakes = WakeList::default();
            Self::release_locked(&mut st, self.bound, n, &mut wakes);
            drop(st);
            wakes.wake();
            coop.made_progress();
            return Poll::Ready(n);
        }
        if Self::finished(&st) {
            coop.made_progress();
            return Poll::Ready(0);
        }
        match &mut st.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    // ----- unbounded receiver: batched -------------------------------------------------
    //
    // With no bound there is no capacity to give back per value, so the unbounded receiver
    // takes everything buffered in one lock (swapping its empty queue in, so senders keep
    // pushing into an allocated buffer) and serves the next receives without the lock.

    /// Moves every buffered value into `local`. Unbounded only; `local` must be empty.
    fn refill(st: &mut State<T>, local: &mut VecDeque<T>) {
        debug_assert!(local.is_empty());
        std::mem::swap(&mut st.queue, local);
        st.in_use -= local.len();
    }

    pub(super) fn poll_recv_batched(
        &self,
        local: &mut VecDeque<T>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<T>> {
        debug_assert_eq!(
            self.bound,
            usize::MAX,
            "batched receive is for the unbounded flavour"
        );
        let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
        if let Some(v) = local.pop_front() {
            coop.made_progress();
            return Poll::Ready(Some(v));
        }
        let mut st = self.lock();
        if !st.queue.is_empty() {
            Self::refill(&mut st, local);
            drop(st);
            coop.made_progress();
            return Poll::Ready(local.pop_front());
        }
        if Self::finished(&st) {
            coop.made_progress();
            return Poll::Ready(None);
        }
        match &mut st.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    pub(super) fn poll_recv_many_batched(
        &self,
        local: &mut VecDeque<T>,
        buf: &mut Vec<T>,
        limit: usize,
        cx: &mut Context<'_>,
    ) -> Poll<usize> {
        if local.is_empty() {
            let coop = std::task::ready!(conductor_coop::poll_proceed(cx));
            let mut st = self.lock();
            if st.queue.is_empty() {
                if Self::finished(&st) {
                    coop.made_progress();
                    return Poll::Ready(0);
                }
                match &mut st.rx_waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
            Self::refill(&mut st, local);
            drop(st);
            coop.made_progress();
        }
        let n = local.len().min(limit);
        buf.extend(local.drain(..n));
        Poll::Ready(n)
    }

    pub(super) fn try_recv_batched(&self, local: &mut VecDeque<T>) -> Result<T, TryRecvError> {
        if let Some(v) = local.pop_front() {
            return Ok(v);
        }
        let mut st = self.lock();
        if !st.queue.is_empty() {
            Self::refill(&mut st, local);
            drop(st);
            return Ok(local.pop_front().expect("refilled from a non-empty queue"));
        }
        if Self::finished(&st) {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut st = self.lock();
        if let Some(v) = st.queue.pop_front() {
            let mut wakes = WakeList::default();
            Self::release_locked(&mut st, self.bound, 1, &mut wakes);
            drop(st);
            wakes.wake();
            return Ok(v);
        }
        if Self::finished(&st) {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// `Receiver::close`: no new permits; waiting senders and `closed()` futures wake.
    pub(super) fn close(&self) {
        let mut wakes;
        {
            let mut st = self.lock();
            if st.rx_closed {
                return;
            }
            st.rx_closed = true;
            wakes = st.send_waiters.take_all();
            wakes.extend(st.closed_waiters.take_all());
        }
        wakes.wake();
    }

    /// The receiver is dropped: close, then drop every buffered value (outside the lock).
    pub(super) fn rx_drop(&self) {
        self.close();
        let buffered = {
            let mut st = self.lock();
            let values = std::mem::take(&mut st.queue);
            st.in_use -= values.len();
            values
        };
        drop(buffered);
    }

    pub(super) fn len(&self) -> usize {
        self.lock().queue.len()
    }
}

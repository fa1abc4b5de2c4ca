//! The waiting futures behind `send`, `reserve` and `closed`. Each remembers its wait-list
//! entry and removes it (or passes on a permit it was granted) when dropped unfinished.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::Chan;
use super::error::SendError;

/// `send`: acquires a permit and pushes the value under one lock. Dropped unfinished, the
/// value it holds is dropped with it.
pub(super) struct SendFut<'a, T> {
    pub(super) chan: &'a Chan<T>,
    pub(super) waiter: Option<u64>,
    pub(super) value: Option<T>,
}

// The value is moved out, never pinned in place.
impl<T> Unpin for SendFut<'_, T> {}

impl<T> Future for SendFut<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.chan.poll_send(&mut this.waiter, &mut this.value, cx)
    }
}

impl<T> Drop for SendFut<'_, T> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.chan.cancel_acquire(id);
        }
    }
}

/// `reserve`: a permit, or `Err` once the receiver is closed.
pub(super) struct Acquire<'a, T> {
    pub(super) chan: &'a Chan<T>,
    pub(super) waiter: Option<u64>,
}

impl<T> Future for Acquire<'_, T> {
    type Output = Result<(), ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.chan.poll_acquire(&mut this.waiter, cx)
    }
}

impl<T> Drop for Acquire<'_, T> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.chan.cancel_acquire(id);
        }
    }
}

/// `Sender::closed`.
pub(super) struct Closed<'a, T> {
    pub(super) chan: &'a Chan<T>,
    pub(super) waiter: Option<u64>,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.chan.poll_closed(&mut this.waiter, cx)
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.chan.cancel_closed(id);
        }
    }
}
